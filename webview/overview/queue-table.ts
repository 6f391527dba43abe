// <taskscope-queue-table>: the Overview's queue table — filter box, sortable state columns, and virtualized,
// keyboard-navigable rows (roving tabindex) so thousands of queues stay cheap to render and to browse.
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { virtualize, virtualizerRef, type VirtualizerHostElement } from '@lit-labs/virtualizer/virtualize.js';
import type { RangeChangedEvent } from '@lit-labs/virtualizer/events.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { QueueSummary } from '../../src/protocol/overview';
import { baseStyles, stateClass } from '../shared/styles';
import { stateLabel, type QueueSort, type SortKey } from './overview-model';

export interface RevealQueueDetail { readonly key: string }
export interface SortChangeDetail { readonly sort: QueueSort }
export interface FilterChangeDetail { readonly filter: string }

const ROW_HEIGHT = 28;
const numberFormat = new Intl.NumberFormat();

/** "bullmq:5.81.5" on a BullMQ queue reads as "5.81.5"; the full text stays in the tooltip. */
function shortVersion(q: QueueSummary): string {
  if (!q.version) return '—';
  return q.version.startsWith(`${q.system}:`) ? q.version.slice(q.system.length + 1) : q.version;
}

interface Column { readonly key: SortKey; readonly label: string; readonly numeric: boolean; readonly state?: string }

export class QueueTable extends LitElement {
  static override properties = {
    rows: { attribute: false },
    states: { attribute: false },
    total: { type: Number },
    filter: { type: String },
    sort: { attribute: false },
    nameOf: { attribute: false },
    focusKey: { state: true },
    firstRendered: { state: true },
  };

  /** Filtered, sorted queues (the owner memoizes, so identity changes only when content does). */
  declare rows: readonly QueueSummary[];
  declare states: readonly string[];
  declare total: number;
  declare filter: string;
  declare sort: QueueSort;
  declare nameOf: (connectionId: string) => string;
  /** The row that holds the roving tab stop. */
  declare focusKey: string | undefined;
  /** Index of the first row the virtualizer has in the DOM, for a tab stop that is always reachable. */
  declare firstRendered: number;

  constructor() {
    super();
    this.rows = [];
    this.states = [];
    this.total = 0;
    this.filter = '';
    this.sort = { key: 'connection', dir: 'asc' };
    this.nameOf = (id) => id;
    this.focusKey = undefined;
    this.firstRendered = 0;
  }

  static override styles = [baseStyles, css`
    :host { display: block; container: queues / inline-size; }
    .toolbar {
      display: flex; align-items: center; gap: 12px; flex-wrap: wrap;
      margin: 0 0 8px;
    }
    .toolbar h2 { margin-right: auto; }
    vscode-textfield { width: 260px; max-width: 100%; }
    .shown { font-size: 12px; white-space: nowrap; }

    .table { min-width: var(--queue-min-width, 760px); }
    .row {
      display: grid; grid-template-columns: var(--queue-cols);
      align-items: center; width: 100%; height: ${ROW_HEIGHT}px;
      border-bottom: 1px solid var(--vscode-widget-border, transparent);
    }
    .cell { padding: 0 8px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
    /* The rowgroup sticks, not the row: a sticky box cannot leave its parent, and the table is the parent here. */
    .head { position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background); }
    .header {
      height: auto; min-height: ${ROW_HEIGHT + 4}px; align-items: end;
      border-bottom-color: var(--vscode-panel-border, var(--vscode-widget-border, transparent));
      font-size: 12px; color: var(--vscode-descriptionForeground);
    }
    .header .cell { padding: 0; white-space: normal; }
    .sort {
      display: flex; align-items: center; gap: 4px; width: 100%; padding: 4px 8px 5px;
      font-weight: 600; line-height: 1.2;
    }
    .sort:hover { color: var(--vscode-foreground); }
    .num .sort { justify-content: flex-end; text-align: right; }
    .sort .label { min-width: 0; overflow: hidden; text-overflow: ellipsis; }
    .sort .indicator { flex: none; font-size: 9px; }
    /* Inside the label so it stays with the first word when a long state name wraps onto two lines. */
    .sort .swatch { display: inline-block; width: 6px; height: 6px; margin: 0 5px 1px 0; border-radius: 50%; vertical-align: middle; background: var(--state-color); }

    .body .row { cursor: pointer; }
    .body .row:hover { background: var(--vscode-list-hoverBackground); }
    .body .row:focus-visible, .body .row.current:focus {
      background: var(--vscode-list-activeSelectionBackground, var(--vscode-list-hoverBackground));
      color: var(--vscode-list-activeSelectionForeground, inherit);
      outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder)); outline-offset: -1px;
    }
    .name { display: flex; align-items: center; gap: 6px; }
    .name .qname { overflow: hidden; text-overflow: ellipsis; font-weight: 600; }
    .count.zero { color: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
    .count.nonzero.state-failed { color: var(--vscode-errorForeground); font-weight: 600; }
    .empty { padding: 16px 8px; }
    /* Narrow panels drop the version column, the least useful one, before the page has to scroll sideways. */
    @container queues (max-width: 980px) {
      .table { min-width: var(--queue-min-width-narrow, 600px); }
      .row { grid-template-columns: var(--queue-cols-narrow); }
      .col-version { display: none; }
    }
  `];

  private get columns(): Column[] {
    return [
      { key: 'connection', label: 'Connection', numeric: false },
      { key: 'name', label: 'Queue', numeric: false },
      { key: 'version', label: 'Version', numeric: false },
      ...this.states.map((state): Column => ({ key: `state:${state}`, label: stateLabel(state), numeric: true, state })),
    ];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('states')) {
      // Grid tracks depend on the number of states; set through CSSOM because a bound style="" attribute
      // would be an inline style, which a strict CSP blocks.
      const n = this.states.length;
      const states = n ? ` repeat(${n}, minmax(88px, 1fr))` : '';
      this.style.setProperty('--queue-cols', `minmax(100px, 1.3fr) minmax(150px, 2.2fr) minmax(84px, 1fr)${states}`);
      this.style.setProperty('--queue-cols-narrow', `minmax(100px, 1fr) minmax(130px, 2fr)${states}`);
      this.style.setProperty('--queue-min-width', `${100 + 150 + 84 + 88 * n}px`);
      this.style.setProperty('--queue-min-width-narrow', `${100 + 130 + 88 * n}px`);
    }
  }

  protected override render(): TemplateResult {
    const shown = this.rows.length === this.total
      ? `${numberFormat.format(this.total)} ${this.total === 1 ? 'queue' : 'queues'}`
      : `${numberFormat.format(this.rows.length)} of ${numberFormat.format(this.total)} queues`;
    return html`
      <div class="toolbar">
        <h2 id="queues-heading">Queues</h2>
        <span class="shown muted" role="status" aria-live="polite">${shown}</span>
        <vscode-textfield
          type="search"
          placeholder="Filter by queue or connection"
          label="Filter queues by queue or connection name"
          .value=${this.filter}
          @input=${this.onFilterInput}
        ></vscode-textfield>
      </div>
      ${this.total === 0
        ? html`<p class="empty muted">No queues discovered yet. They appear here as soon as a connection finds them.</p>`
        : this.renderTable()}
    `;
  }

  private renderTable(): TemplateResult {
    const columns = this.columns;
    return html`
      <div class="table" role="table" aria-labelledby="queues-heading" aria-rowcount=${this.rows.length + 1}>
        <div class="head" role="rowgroup">
          <div class="row header" role="row" aria-rowindex="1">
            ${columns.map((c) => this.renderHeaderCell(c))}
          </div>
        </div>
        ${this.rows.length === 0
          ? html`<p class="empty muted">No queues match “${this.filter}”.</p>`
          : html`<div class="body" role="rowgroup"
              @click=${this.onRowClick}
              @keydown=${this.onRowKeydown}
              @rangeChanged=${this.onRangeChanged}
            >${virtualize({
              items: this.rows as QueueSummary[],
              keyFunction: (q: QueueSummary) => q.key,
              renderItem: (q: QueueSummary, i: number) => this.renderRow(q, i),
            })}</div>`}
      </div>
    `;
  }

  private renderHeaderCell(c: Column): TemplateResult {
    const active = this.sort.key === c.key;
    const ariaSort = active ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    return html`
      <div role="columnheader" class="cell col-${c.state ? 'state' : c.key} ${c.numeric ? 'num' : ''} ${c.state ? stateClass(c.state) : ''}" aria-sort=${ariaSort}>
        <button class="link-button sort" title="Sort by ${c.label}" @click=${() => this.toggleSort(c)}>
          <span class="label">${c.state ? html`<span class="swatch" aria-hidden="true"></span>` : nothing}${c.label}</span>
          ${active ? html`<span class="indicator" aria-hidden="true">${this.sort.dir === 'asc' ? '▲' : '▼'}</span>` : nothing}
        </button>
      </div>
    `;
  }

  private renderRow(q: QueueSummary, index: number): TemplateResult {
    const connection = this.nameOf(q.connectionId);
    const tabStop = this.tabStopKey();
    return html`
      <div class="row ${q.key === this.focusKey ? 'current' : ''}" role="row"
        data-key=${q.key}
        aria-rowindex=${index + 2}
        tabindex=${q.key === tabStop ? 0 : -1}
        aria-label=${this.rowLabel(q, connection)}
      >
        <div role="cell" class="cell col-connection" title=${connection}>${connection}</div>
        <div role="rowheader" class="cell name">
          <span class="qname" title=${q.name}>${q.name}</span>
          ${q.paused ? html`<span class="pill warning paused">paused</span>` : nothing}
        </div>
        <div role="cell" class="cell mono muted version col-version" title=${q.version ?? ''}>${shortVersion(q)}</div>
        ${this.states.map((state) => {
          const n = q.counts[state] ?? 0;
          return html`<div role="cell" class="cell num count ${n ? 'nonzero' : 'zero'} ${stateClass(state)}" data-state=${state}>${numberFormat.format(n)}</div>`;
        })}
      </div>
    `;
  }

  private rowLabel(q: QueueSummary, connection: string): string {
    const counts = this.states.map((s) => `${stateLabel(s).toLowerCase()} ${q.counts[s] ?? 0}`).join(', ');
    return `Queue ${q.name} on ${connection}${q.paused ? ', paused' : ''}: ${counts}. Press Enter to reveal it in the Queues view.`;
  }

  /** The focused row if it is still listed, otherwise the first row in the DOM, so Tab always lands somewhere. */
  private tabStopKey(): string | undefined {
    if (this.focusKey !== undefined && this.rows.some((r) => r.key === this.focusKey)) return this.focusKey;
    return this.rows[Math.min(this.firstRendered, this.rows.length - 1)]?.key;
  }

  private toggleSort(c: Column): void {
    // Counts are most useful largest-first; names alphabetically.
    const dir = this.sort.key === c.key ? (this.sort.dir === 'asc' ? 'desc' : 'asc') : (c.numeric ? 'desc' : 'asc');
    this.dispatchEvent(new CustomEvent<SortChangeDetail>('sort-change', { detail: { sort: { key: c.key, dir } }, bubbles: true, composed: true }));
  }

  private onFilterInput = (event: Event): void => {
    const filter = (event.target as HTMLInputElement).value ?? '';
    this.dispatchEvent(new CustomEvent<FilterChangeDetail>('filter-change', { detail: { filter }, bubbles: true, composed: true }));
  };

  private onRangeChanged = (event: RangeChangedEvent): void => {
    if (event.first !== this.firstRendered) this.firstRendered = Math.max(0, event.first);
  };

  private rowFromEvent(event: Event): HTMLElement | undefined {
    for (const target of event.composedPath()) {
      if (target instanceof HTMLElement && target.dataset.key !== undefined && target.getAttribute('role') === 'row') return target;
    }
    return undefined;
  }

  private onRowClick = (event: MouseEvent): void => {
    const row = this.rowFromEvent(event);
    if (!row) return;
    this.focusKey = row.dataset.key;
    row.focus({ preventScroll: true });
    this.reveal(row.dataset.key!);
  };

  private onRowKeydown = (event: KeyboardEvent): void => {
    const row = this.rowFromEvent(event);
    if (!row) return;
    const index = this.rows.findIndex((r) => r.key === row.dataset.key);
    const page = Math.max(1, Math.floor(window.innerHeight / ROW_HEIGHT) - 2);
    let target: number | undefined;
    switch (event.key) {
      case 'Enter':
      case ' ':
        event.preventDefault();
        this.reveal(row.dataset.key!);
        return;
      case 'ArrowDown': target = index + 1; break;
      case 'ArrowUp': target = index - 1; break;
      case 'PageDown': target = index + page; break;
      case 'PageUp': target = index - page; break;
      case 'Home': target = 0; break;
      case 'End': target = this.rows.length - 1; break;
      default: return;
    }
    event.preventDefault();
    void this.focusRow(Math.max(0, Math.min(this.rows.length - 1, target)));
  };

  /** Moves the tab stop to row `index`, scrolling it into view first (it may not be in the DOM yet). */
  private async focusRow(index: number): Promise<void> {
    const key = this.rows[index]?.key;
    if (key === undefined) return;
    this.focusKey = key;
    let row = this.findRow(key);
    if (!row) {
      const host = this.renderRoot.querySelector('.body') as VirtualizerHostElement | null;
      host?.[virtualizerRef]?.element(index)?.scrollIntoView({ block: 'center' });
      for (let i = 0; i < 10 && !row; i++) {
        await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
        await this.updateComplete;
        row = this.findRow(key);
      }
    }
    await this.updateComplete;
    if (!row) return;
    this.scrollRowIntoView(row);
    row.focus({ preventScroll: true });
  }

  /**
   * Vertical-only "nearest" scrolling that keeps the row clear of the sticky header. Element.scrollIntoView
   * would also scroll sideways when the table is wider than the panel.
   */
  private scrollRowIntoView(row: HTMLElement): void {
    const r = row.getBoundingClientRect();
    const headBottom = Math.max(0, this.renderRoot.querySelector('.head')?.getBoundingClientRect().bottom ?? 0);
    if (r.top < headBottom) window.scrollBy({ top: r.top - headBottom });
    else if (r.bottom > window.innerHeight) window.scrollBy({ top: r.bottom - window.innerHeight });
  }

  private findRow(key: string): HTMLElement | undefined {
    // Compared by property, not a selector: keys hold source-provided names.
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.body [role="row"]')) if (el.dataset.key === key) return el;
    return undefined;
  }

  private reveal(key: string): void {
    this.dispatchEvent(new CustomEvent<RevealQueueDetail>('queue-reveal', { detail: { key }, bubbles: true, composed: true }));
  }
}

customElements.define('taskscope-queue-table', QueueTable);

declare global {
  interface HTMLElementTagNameMap { 'taskscope-queue-table': QueueTable }
}
