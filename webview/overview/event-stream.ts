// <taskscope-event-stream>: the live event stream — newest first, virtualized (only visible rows are in the
// DOM), with filters by type, project, task and source. Rows are text only.
import { LitElement, css, html, type TemplateResult } from 'lit';
import '@lit-labs/virtualizer';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { EventFilter, EventRow } from '../../src/core/views/event-stream';
import { baseStyles } from '../shared/styles';

export interface EventFilterChangeDetail { readonly filter: EventFilter }

const TYPE_LABELS: Readonly<Record<string, string>> = {
  'task.upsert': 'task', 'task.removed': 'task removed', 'queue.upsert': 'queue', 'queue.removed': 'queue removed',
  'worker.upsert': 'worker', 'worker.removed': 'worker removed', 'workflow.upsert': 'workflow',
  'connection.added': 'connection', 'connection.removed': 'connection removed', 'connection.state': 'connection state',
  'connection.rejected': 'rejected frame', 'connection.notice': 'notice', 'generic': 'other',
};

export class EventStream extends LitElement {
  static override properties = { rows: { attribute: false }, filter: { attribute: false }, total: { type: Number } };
  declare rows: readonly EventRow[];
  declare filter: EventFilter;
  declare total: number;

  constructor() {
    super();
    this.rows = [];
    this.filter = { types: [], project: '', task: '', source: '' };
    this.total = 0;
  }

  static override styles = [baseStyles, css`
    .filters { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-bottom: 6px; }
    .filters select {
      font: inherit; color: var(--vscode-dropdown-foreground, var(--vscode-input-foreground)); background: var(--vscode-dropdown-background, var(--vscode-input-background));
      border: 1px solid var(--vscode-dropdown-border, var(--vscode-input-border, transparent)); padding: 2px 4px;
    }
    vscode-textfield { width: 150px; }
    lit-virtualizer { height: 320px; border: 1px solid var(--vscode-widget-border, transparent); }
    .row { display: grid; grid-template-columns: 84px 110px minmax(0, 180px) minmax(160px, 1fr); gap: 8px; width: 100%; padding: 2px 6px; font-size: 12px; border-bottom: 1px solid var(--vscode-widget-border, transparent); }
    .row > span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .row .summary { white-space: nowrap; }
    .row.t-task-upsert .type { color: var(--vscode-charts-blue, inherit); }
    .row.failed .summary { color: var(--vscode-errorForeground); }
    .count { font-size: 12px; }
  `];

  private emit(patch: Partial<EventFilter>): void {
    this.dispatchEvent(new CustomEvent<EventFilterChangeDetail>('event-filter-change', { detail: { filter: { ...this.filter, ...patch } }, bubbles: true, composed: true }));
  }

  protected override render(): TemplateResult {
    const types = Object.keys(TYPE_LABELS);
    const text = (key: 'project' | 'task' | 'source', label: string) => html`<vscode-textfield placeholder=${label} aria-label=${`Filter events by ${label.toLowerCase()}`} data-filter=${key}
      .value=${this.filter[key]} @input=${(e: Event) => this.emit({ [key]: (e.target as HTMLInputElement).value })}></vscode-textfield>`;
    return html`
      <div class="filters" role="search" aria-label="Event filters">
        <select aria-label="Filter events by type" data-filter="type" @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; this.emit({ types: v ? [v] : [] }); }}>
          <option value="" ?selected=${this.filter.types.length === 0}>All types</option>
          ${types.map((t) => html`<option value=${t} ?selected=${this.filter.types.includes(t)}>${TYPE_LABELS[t]}</option>`)}
        </select>
        ${text('project', 'Project')} ${text('task', 'Task')} ${text('source', 'Source')}
        <span class="muted count" aria-live="polite">${this.rows.length} of ${this.total} events</span>
      </div>
      <lit-virtualizer role="log" aria-label="Event stream, newest first" tabindex="0" .items=${this.rows as EventRow[]} .keyFunction=${(r: EventRow) => r.id}
        .renderItem=${(r: EventRow) => html`<div class="row t-${r.type.replace('.', '-')} ${/→ failed/.test(r.summary) ? 'failed' : ''}" data-event-id=${r.id}>
          <span class="muted time">${new Date(r.at).toLocaleTimeString()}</span>
          <span class="type">${TYPE_LABELS[r.type] ?? r.type}</span>
          <span class="source muted" title=${r.connectionId}>${r.connectionId}${r.project ? ` · ${r.project}` : ''}</span>
          <span class="summary" title=${r.summary}>${r.summary}</span>
        </div>`}></lit-virtualizer>`;
  }
}

customElements.define('taskscope-event-stream', EventStream);
