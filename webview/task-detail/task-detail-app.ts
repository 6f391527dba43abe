// <taskscope-task-detail>: one task — header with status and actions, then tabs for data, options, result,
// error with stack, logs, status history and relationships. Values are shown with a lazy JSON tree; values
// cut at 256 KB offer "Open full value in editor". Every string from the source is rendered as text.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { DetailValue, TaskRef } from '../../src/core/model/task-detail';
import {
  DidChangeNotification, DidSnapshotNotification, OpenTaskCommand, OpenValueCommand, ReloadCommand, RunActionCommand,
  type TaskDetailSnapshot, type TaskTarget,
} from '../../src/protocol/task-detail';
import { getIpcClient, type IpcClient } from '../shared/ipc-client';
import { baseStyles, stateClass } from '../shared/styles';
import './json-tree';

export type TabId = 'data' | 'options' | 'result' | 'error' | 'logs' | 'history' | 'relationships';
export const TABS: readonly { id: TabId; label: string }[] = [
  { id: 'data', label: 'Data' }, { id: 'options', label: 'Options' }, { id: 'result', label: 'Result' }, { id: 'error', label: 'Error' },
  { id: 'logs', label: 'Logs' }, { id: 'history', label: 'Status history' }, { id: 'relationships', label: 'Relationships' },
];

/** Which detail values each tab shows; values with other names go to Data. */
const TAB_VALUES: Readonly<Partial<Record<TabId, readonly string[]>>> = {
  options: ['options', 'opts'], result: ['result', 'returnvalue', 'return_value', 'output'], error: ['error', 'failedReason', 'stacktrace', 'stack'],
};
const CLAIMED = new Set(Object.values(TAB_VALUES).flat());

export interface TaskDetailUiState {
  /** Which task: read back by the host's serializer to restore the panel. */
  readonly target: TaskTarget;
  readonly tab: TabId;
}

/** Values bigger than this are shown as text rather than parsed into a tree (parsing is the slow part). */
const TREE_MAX_CHARS = 256 * 1024;

export class TaskDetailApp extends LitElement {
  static override properties = { tab: { state: true }, snapshot: { state: true } };
  declare tab: TabId;
  declare snapshot: TaskDetailSnapshot | undefined;
  private client: IpcClient<TaskDetailUiState> | undefined;
  private readonly parsed = new Map<string, unknown>();

  constructor() {
    super();
    this.tab = 'data';
    this.snapshot = undefined;
  }

  static override styles = [baseStyles, css`
    :host { padding: 12px 0 32px; }
    header { display: flex; flex-direction: column; gap: 6px; margin-bottom: 12px; }
    .title { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    .title h1 { overflow-wrap: anywhere; }
    .status { display: inline-flex; align-items: center; gap: 6px; }
    .status .dot { background: var(--state-color, var(--vscode-descriptionForeground)); }
    dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 4px 16px; margin: 0; font-size: 12px; }
    dl.meta div { min-width: 0; }
    dl.meta dt { color: var(--vscode-descriptionForeground); }
    dl.meta dd { margin: 0; overflow-wrap: anywhere; }
    .actions { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
    [role='tablist'] { display: flex; gap: 2px; border-bottom: 1px solid var(--vscode-widget-border, transparent); margin-bottom: 10px; flex-wrap: wrap; }
    [role='tab'] { appearance: none; background: none; border: 0; border-bottom: 2px solid transparent; color: var(--vscode-descriptionForeground); font: inherit; padding: 6px 10px; cursor: pointer; }
    [role='tab'][aria-selected='true'] { color: var(--vscode-foreground); border-bottom-color: var(--vscode-focusBorder); }
    pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 13px); }
    .value { margin-bottom: 16px; }
    .value h2 { margin-bottom: 6px; display: flex; gap: 8px; align-items: baseline; }
    .notice { margin-bottom: 8px; }
    .error-text { color: var(--vscode-errorForeground); }
    ol.history, ul.rel { margin: 0; padding-left: 20px; }
    .result.ok { color: var(--vscode-testing-iconPassed); }
    .result.failed { color: var(--vscode-errorForeground); }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) return;
    this.client = getIpcClient<TaskDetailUiState>();
    const saved = this.client.getState();
    if (TABS.some((t) => t.id === saved?.tab)) this.tab = saved!.tab!;
    this.client.onSnapshot(DidSnapshotNotification, (s) => {
      if (s.detail !== this.snapshot?.detail) this.parsed.clear();
      this.snapshot = s;
      this.saveUi();
    });
    this.client.onNotification(DidChangeNotification, (d) => {
      if (!this.snapshot) return;
      this.snapshot = { ...this.snapshot, task: d.removed ? undefined : (d.task ?? this.snapshot.task), generatedAt: d.generatedAt };
    });
  }

  protected override firstUpdated(): void { this.client?.ready(); }

  private saveUi(): void {
    if (this.snapshot) this.client?.setState({ target: this.snapshot.target, tab: this.tab });
  }

  private select(tab: TabId, focus = false): void {
    this.tab = tab;
    this.saveUi();
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[role='tab'][data-tab='${tab}']`)?.focus());
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = TABS.findIndex((t) => t.id === this.tab);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : undefined;
    if (next === undefined) return;
    e.preventDefault();
    this.select(TABS[(next + TABS.length) % TABS.length]!.id, true);
  }

  protected override render(): TemplateResult {
    const s = this.snapshot;
    if (!s) return html`<div role="status"><vscode-progress-ring aria-label="Loading"></vscode-progress-ring> <span class="muted">Waiting for data…</span></div>`;
    const task = s.task;
    const status = task?.status ?? 'unknown';
    return html`
      <header>
        <div class="title">
          <h1>${task?.name ?? 'Task'} <span class="muted mono">${s.target.taskId}</span></h1>
          <span class="status ${stateClass(status)}" data-status=${status}><span class="dot" aria-hidden="true"></span>${status}</span>
        </div>
        <dl class="meta">
          ${this.meta('Connection', s.connectionName)}
          ${this.meta('Queue', s.target.queue ?? task?.queue)}
          ${this.meta('Worker', task?.worker)}
          ${this.meta('Attempts', task?.attempts === undefined ? undefined : String(task.attempts))}
          ${this.meta('Created', time(task?.createdAt))}
          ${this.meta('Started', time(task?.startedAt))}
          ${this.meta('Finished', time(task?.finishedAt))}
        </dl>
        <div class="actions" role="toolbar" aria-label="Task actions">
          ${s.actions.map((a) => html`<vscode-button ?secondary=${!a.destructive} data-action=${a.id} ?disabled=${a.disabledReason !== undefined}
            title=${a.disabledReason ?? (a.destructive ? `${a.title} (asks for confirmation)` : a.title)}
            @click=${() => { if (!a.disabledReason) this.client?.send(RunActionCommand, { actionId: a.id }); }}>${a.title}</vscode-button>`)}
          <vscode-button secondary data-action="reload" @click=${() => this.client?.send(ReloadCommand, {})}>Reload</vscode-button>
          ${s.lastAction ? html`<span class="result ${s.lastAction.ok ? 'ok' : 'failed'}" role="status">${s.lastAction.title}: ${s.lastAction.message}</span>` : nothing}
        </div>
        ${this.renderDetailState()}
      </header>
      <div role="tablist" aria-label="Task detail" @keydown=${this.onTabKey}>
        ${TABS.map((t) => html`<button role="tab" id=${`tab-${t.id}`} data-tab=${t.id} aria-selected=${String(this.tab === t.id)} aria-controls="tabpanel" tabindex=${this.tab === t.id ? 0 : -1}
          @click=${() => this.select(t.id)}>${t.label}${this.badge(t.id)}</button>`)}
      </div>
      <section id="tabpanel" role="tabpanel" aria-labelledby=${`tab-${this.tab}`}>${this.renderTab()}</section>`;
  }

  private meta(label: string, value: string | undefined): TemplateResult | typeof nothing {
    return value === undefined || value === '' ? nothing : html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  }

  private badge(tab: TabId): string {
    const d = this.snapshot?.detail;
    if (!d) return '';
    if (tab === 'logs') return d.logs?.length ? ` (${d.logs.length})` : '';
    if (tab === 'history') return d.history?.length ? ` (${d.history.length})` : '';
    if (tab === 'relationships') { const n = (d.parent ? 1 : 0) + (d.children?.length ?? 0); return n ? ` (${n})` : ''; }
    return '';
  }

  private renderDetailState(): TemplateResult | typeof nothing {
    const s = this.snapshot!;
    switch (s.detailState) {
      case 'loading': return html`<div class="muted" role="status">Loading the full record…</div>`;
      case 'unsupported': return html`<div class="notice" role="note">This source cannot read single tasks; only what the store holds is shown.</div>`;
      case 'missing': return html`<div class="notice" role="note">The task no longer exists in the system (removed or trimmed).</div>`;
      case 'error': return html`<div class="notice" role="alert"><span class="error-text">Could not load the task: ${s.detailError ?? 'unknown error'}</span></div>`;
      default: return nothing;
    }
  }

  private valuesFor(tab: TabId): [string, DetailValue][] {
    const values = Object.entries(this.snapshot?.detail?.values ?? {});
    if (tab === 'data') return values.filter(([k]) => !CLAIMED.has(k));
    const names = TAB_VALUES[tab] ?? [];
    return values.filter(([k]) => names.includes(k));
  }

  private renderTab(): TemplateResult {
    const d = this.snapshot?.detail;
    const task = this.snapshot?.task;
    switch (this.tab) {
      case 'logs':
        return d?.logs?.length
          ? html`${d.logsTruncated ? html`<div class="notice" role="note">Showing the newest ${d.logs.length}${d.task.logCount ? ` of ${d.task.logCount}` : ''} lines (the Queues view pages through all of them under the job's "Logs" node).</div>` : nothing}<pre class="logs">${d.logs.join('\n')}</pre>`
          : this.empty('No logs.');
      case 'history':
        return d?.history?.length
          ? html`<ol class="history">${d.history.map((h) => html`<li><span class=${stateClass(h.status)}>${h.status}</span> <span class="muted">${time(h.at)}</span>${h.detail ? html` — ${h.detail}` : nothing}</li>`)}</ol>`
          : this.empty('No status history.');
      case 'relationships':
        return html`${d?.parent ? html`<h2>Parent</h2><ul class="rel">${this.taskLink(d.parent)}</ul>` : nothing}
          ${d?.children?.length ? html`<h2>Children (${d.children.length})</h2><ul class="rel">${d.children.slice(0, 500).map((c) => this.taskLink(c))}</ul>` : nothing}
          ${task?.workflowId ? html`<p>Workflow <span class="mono">${task.workflowId}</span></p>` : nothing}
          ${!d?.parent && !d?.children?.length && !task?.workflowId ? html`<p class="muted">No parent, children or workflow.</p>` : nothing}`;
      default: {
        const values = this.valuesFor(this.tab);
        const fallback = this.tab === 'error' && task?.error && values.length === 0 ? html`<pre class="error-text">${task.error}</pre>` : nothing;
        if (values.length === 0 && fallback === nothing) return this.empty('Nothing here.');
        return html`${values.map(([name, v]) => this.renderValue(name, v))}${fallback}`;
      }
    }
  }

  /** An empty tab: "nothing" only when the full record was read; otherwise say it was not (see the notice above). */
  private empty(loadedText: string): TemplateResult {
    const state = this.snapshot?.detailState;
    if (state === 'loaded') return html`<p class="muted">${loadedText}</p>`;
    return html`<p class="muted not-loaded">${state === 'loading' ? 'Loading…' : 'The full record was not loaded; see the note above.'}</p>`;
  }

  private taskLink(ref: TaskRef): TemplateResult {
    return html`<li><button class="link-button mono" data-task=${ref.id} @click=${() => this.client?.send(OpenTaskCommand, { connectionId: ref.connectionId, queue: ref.queue, id: ref.id })}>${ref.name ?? 'task'} ${ref.id}</button>
      ${ref.status ? html`<span class="muted">${ref.status}</span>` : nothing}${ref.queue ? html` <span class="muted">· ${ref.queue}</span>` : nothing}</li>`;
  }

  private renderValue(name: string, v: DetailValue): TemplateResult {
    const open = html`<vscode-button secondary data-open-value=${name} @click=${() => this.client?.send(OpenValueCommand, { name })}>${v.truncated ? 'Open full value in editor' : 'Open in editor'}</vscode-button>`;
    let body: TemplateResult;
    const parsed = v.isJson && !v.truncated && v.text.length <= TREE_MAX_CHARS ? this.parse(name, v.text) : undefined;
    if (parsed !== undefined) body = html`<taskscope-json-tree .value=${parsed} label=${name}></taskscope-json-tree>`;
    else body = html`<pre class=${name === 'error' || name === 'stacktrace' || name === 'stack' ? 'error-text' : ''}>${v.text}</pre>`;
    return html`<div class="value" data-value=${name}>
      <h2>${name} <span class="muted">${formatBytes(v.bytes)}</span> ${open}</h2>
      ${v.truncated ? html`<div class="notice truncated" role="note">Showing the first ${formatBytes(v.text.length)} of ${formatBytes(v.bytes)}.</div>` : nothing}
      ${body}
    </div>`;
  }

  private parse(name: string, text: string): unknown {
    if (this.parsed.has(name)) return this.parsed.get(name);
    let value: unknown;
    try { value = JSON.parse(text); } catch { value = undefined; }
    this.parsed.set(name, value);
    return value;
  }
}

function time(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toLocaleString();
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

customElements.define('taskscope-task-detail', TaskDetailApp);
