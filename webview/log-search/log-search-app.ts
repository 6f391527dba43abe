// <taskscope-log-search>: the query box (with the small query language), a time-range control, the search
// status, and the results as a virtualized list. Entity chips (runner, worker, invocation, task) highlight
// every row sharing that value on hover or focus and add a filter on click; a row opens its task, and its
// Timeline button shows the moment on the timeline. Searches run in the host and stream in.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { virtualize, virtualizerRef, type VirtualizerHostElement } from '@lit-labs/virtualizer/virtualize.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import {
  LogOpenTaskCommand, LogSearchCancelCommand, LogSearchCommand, LogSearchDidChangeNotification, LogSearchDidSnapshotNotification,
  LogSearchResultsNotification, LogSearchSetQueryNotification, LogShowOnTimelineCommand,
  type LogRow, type LogSearchResults, type LogStoreStats,
} from '../../src/protocol/log-search';
import { getIpcClient, type IpcClient } from '../shared/ipc-client';
import { baseStyles } from '../shared/styles';

export const TIME_RANGES = [['all', 'All retained'], ['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['24h', 'Last 24 hours']] as const;
export type TimeRange = (typeof TIME_RANGES)[number][0];
const RANGE_MS: Readonly<Record<TimeRange, number | undefined>> = { all: undefined, '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000 };

export interface LogSearchUiState {
  readonly query: string;
  readonly range: TimeRange;
}

type ChipField = 'runner' | 'worker' | 'inv' | 'task';
const CHIP_QUERY_FIELD: Readonly<Record<ChipField, string>> = { runner: 'runner', worker: 'worker', inv: 'invocation', task: 'task' };
const ROW_HEIGHT = 24;
const DEBOUNCE_MS = 250;

const quoteValue = (v: string): string => (/[\s"]/.test(v) || v === '' ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : v);
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
/** A UUID shown by its first 8 characters (the chip's title and filter keep the whole value); anything else as is. */
export function shortId(v: string | undefined): string | undefined {
  return v !== undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? v.slice(0, 8) : v;
}
function formatTime(t: number): string {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class LogSearchApp extends LitElement {
  static override properties = {
    query: { state: true },
    range: { state: true },
    rows: { state: true },
    status: { state: true },
    stats: { state: true },
    highlight: { state: true },
    focusSeq: { state: true },
    searching: { state: true },
  };

  declare query: string;
  declare range: TimeRange;
  declare rows: readonly LogRow[];
  declare status: Omit<LogSearchResults, 'rows'> | undefined;
  declare stats: LogStoreStats | undefined;
  declare highlight: { field: ChipField; value: string } | undefined;
  declare focusSeq: number | undefined;
  declare searching: boolean;

  private client: IpcClient<LogSearchUiState> | undefined;
  private searchId = 0;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  /** Lines received when the current search started, to tell how many arrived since. */
  private endSeqAtSearch = 0;

  constructor() {
    super();
    this.query = '';
    this.range = 'all';
    this.rows = [];
    this.status = undefined;
    this.stats = undefined;
    this.highlight = undefined;
    this.focusSeq = undefined;
    this.searching = false;
  }

  static override styles = [baseStyles, css`
    :host { display: flex; flex-direction: column; height: 100vh; padding: 10px 0 6px; }
    .bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    .bar vscode-textfield { flex: 1 1 360px; min-width: 200px; }
    .help { font-size: 12px; margin: 4px 0 0; }
    .help code { font-family: var(--vscode-editor-font-family, monospace); }
    .status { display: flex; gap: 10px; align-items: center; min-height: 24px; font-size: 12px; margin: 6px 0; }
    .errors { margin: 0 0 6px; padding: 0; list-style: none; color: var(--vscode-errorForeground); font-size: 12px; }
    .results { flex: 1; min-height: 80px; overflow: auto; border-top: 1px solid var(--vscode-widget-border, transparent); }
    .row {
      display: flex; align-items: center; gap: 8px; width: 100%; height: ${ROW_HEIGHT}px; padding: 0 6px;
      font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; cursor: default; white-space: nowrap;
    }
    .row.has-task { cursor: pointer; }
    .row:hover { background: var(--vscode-list-hoverBackground); }
    .row.related { background: var(--vscode-editor-findMatchHighlightBackground, var(--vscode-list-inactiveSelectionBackground, var(--vscode-list-hoverBackground))); }
    .row:focus-visible, .row.current:focus {
      background: var(--vscode-list-activeSelectionBackground, var(--vscode-list-hoverBackground));
      color: var(--vscode-list-activeSelectionForeground, inherit);
      outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder)); outline-offset: -1px;
    }
    .time { flex: none; color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
    .level { flex: none; width: 44px; text-transform: uppercase; font-weight: 600; font-size: 11px; }
    .level.error { color: var(--vscode-errorForeground); }
    .level.warn { color: var(--vscode-editorWarning-foreground); }
    .level.debug, .level.trace { color: var(--vscode-descriptionForeground); font-weight: 400; }
    .chips { flex: none; display: inline-flex; gap: 4px; max-width: 55%; overflow: hidden; }
    .chip {
      appearance: none; font: inherit; font-size: 11px; line-height: 16px; padding: 0 6px; border-radius: 8px; cursor: pointer;
      max-width: 220px; min-width: 3em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
      color: var(--vscode-badge-foreground); background: var(--vscode-badge-background);
      border: 1px solid var(--vscode-contrastBorder, transparent);
    }
    .chip.related { outline: 1px solid var(--vscode-focusBorder); outline-offset: 0; }
    .chip .k { opacity: 0.75; margin-right: 3px; }
    .msg { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
    .to-timeline { flex: none; font-size: 11px; color: var(--vscode-textLink-foreground); visibility: hidden; }
    .row:hover .to-timeline, .row:focus .to-timeline, .row:focus-within .to-timeline { visibility: visible; }
    .empty { padding: 24px 8px; }
    .newer { font-size: 12px; }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) return;
    this.client = getIpcClient<LogSearchUiState>();
    const saved = this.client.getState();
    if (typeof saved?.query === 'string') this.query = saved.query.slice(0, 4000);
    if (saved?.range && RANGE_MS.hasOwnProperty(saved.range)) this.range = saved.range;
    this.client.onSnapshot(LogSearchDidSnapshotNotification, (s) => {
      const first = this.stats === undefined;
      this.stats = s;
      if (first) this.search();
    });
    this.client.onNotification(LogSearchDidChangeNotification, (s) => { this.stats = s; });
    this.client.onNotification(LogSearchResultsNotification, (r) => this.onResults(r));
    this.client.onNotification(LogSearchSetQueryNotification, ({ query }) => {
      this.query = query;
      this.saveUiState();
      this.search();
    });
  }

  protected override firstUpdated(): void { this.client?.ready(); }

  private saveUiState(): void { this.client?.setState({ query: this.query, range: this.range }); }

  /** Sends the current query; the host cancels whatever search was running. */
  search(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    const id = ++this.searchId;
    const span = RANGE_MS[this.range];
    this.rows = [];
    this.status = undefined;
    this.searching = true;
    this.focusSeq = undefined;
    this.endSeqAtSearch = this.stats?.endSeq ?? 0;
    this.client?.send(LogSearchCommand, { searchId: id, query: this.query, ...(span ? { from: Date.now() - span } : {}) });
  }

  private cancel(): void {
    if (!this.searching) return;
    this.client?.send(LogSearchCancelCommand, { searchId: this.searchId });
    this.searching = false;
  }

  private onResults(r: LogSearchResults): void {
    if (r.searchId !== this.searchId) return; // a chunk of a search we abandoned
    const { rows, ...status } = r;
    if (rows.length) this.rows = this.rows.length ? this.rows.concat(rows) : rows;
    this.status = status;
    if (r.done) this.searching = false;
  }

  private onInput = (e: Event): void => {
    this.query = (e.target as HTMLInputElement).value ?? '';
    this.saveUiState();
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.search(), DEBOUNCE_MS);
  };

  private onQueryKey = (e: KeyboardEvent): void => {
    if (e.key === 'Enter') { e.preventDefault(); this.search(); }
    else if (e.key === 'Escape') { e.preventDefault(); this.cancel(); }
    else if (e.key === 'ArrowDown' && this.rows.length) { e.preventDefault(); void this.focusRow(0); }
  };

  private onRange = (e: Event): void => {
    const value = (e.target as HTMLSelectElement).value as TimeRange;
    if (!RANGE_MS.hasOwnProperty(value)) return;
    this.range = value;
    this.saveUiState();
    this.search();
  };

  private addFilter(field: ChipField, value: string): void {
    const term = `${CHIP_QUERY_FIELD[field]}:${quoteValue(value)}`;
    if (!this.query.split(/\s+/).includes(term)) this.query = `${this.query.trim()} ${term}`.trim();
    this.saveUiState();
    this.search();
  }

  private openRow(row: LogRow): void {
    if (row.taskKey) this.client?.send(LogOpenTaskCommand, { taskKey: row.taskKey });
    else this.toTimeline(row);
  }

  private toTimeline(row: LogRow): void {
    this.client?.send(LogShowOnTimelineCommand, { at: row.t, ...(row.taskKey ? { taskKey: row.taskKey } : {}) });
  }

  // ---- rows: events delegated from the list, by data-seq (never by building selectors from data) ----

  private rowOf(e: Event): { el: HTMLElement; row: LogRow; index: number } | undefined {
    for (const t of e.composedPath()) {
      if (t instanceof HTMLElement && t.dataset.seq !== undefined && t.getAttribute('role') === 'option') {
        const seq = Number(t.dataset.seq);
        const index = Number(t.dataset.index);
        const row = this.rows[index];
        if (row?.seq === seq) return { el: t, row, index };
      }
    }
    return undefined;
  }

  private chipOf(e: Event): { field: ChipField; value: string } | undefined {
    for (const t of e.composedPath()) {
      if (t instanceof HTMLElement && t.classList.contains('chip')) return { field: t.dataset.field as ChipField, value: t.dataset.value ?? '' };
    }
    return undefined;
  }

  private onListClick = (e: MouseEvent): void => {
    const hit = this.rowOf(e);
    if (!hit) return;
    this.focusSeq = hit.row.seq;
    hit.el.focus({ preventScroll: true });
    const chip = this.chipOf(e);
    if (chip) { this.addFilter(chip.field, chip.value); return; }
    if ((e.target as HTMLElement).closest?.('.to-timeline') || e.composedPath().some((t) => t instanceof HTMLElement && t.classList.contains('to-timeline'))) {
      this.toTimeline(hit.row);
      return;
    }
    this.openRow(hit.row);
  };

  private onListOver = (e: MouseEvent): void => {
    const chip = this.chipOf(e);
    if (chip) { if (this.highlight?.field !== chip.field || this.highlight.value !== chip.value) this.highlight = chip; }
    else if (this.highlight && !this.focusSeq) this.highlight = undefined;
  };

  private onListLeave = (): void => { this.highlight = this.focusedHighlight(); };

  private focusedHighlight(): { field: ChipField; value: string } | undefined {
    const row = this.focusSeq === undefined ? undefined : this.rows.find((r) => r.seq === this.focusSeq);
    if (!row) return undefined;
    if (row.task) return { field: 'task', value: row.task };
    if (row.inv) return { field: 'inv', value: row.inv };
    return undefined;
  }

  private onListFocus = (e: FocusEvent): void => {
    const hit = this.rowOf(e);
    if (!hit) return;
    this.focusSeq = hit.row.seq;
    this.highlight = this.focusedHighlight();
  };

  private onListKey = (e: KeyboardEvent): void => {
    const hit = this.rowOf(e);
    if (!hit) return;
    const page = Math.max(1, Math.floor((this.renderRoot.querySelector('.results')?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    let target: number | undefined;
    switch (e.key) {
      case 'Enter': e.preventDefault(); this.openRow(hit.row); return;
      case 't': case 'T': e.preventDefault(); this.toTimeline(hit.row); return;
      case 'ArrowDown': target = hit.index + 1; break;
      case 'ArrowUp':
        if (hit.index === 0) { e.preventDefault(); this.renderRoot.querySelector<HTMLElement>('vscode-textfield')?.focus(); return; }
        target = hit.index - 1; break;
      case 'PageDown': target = hit.index + page; break;
      case 'PageUp': target = hit.index - page; break;
      case 'Home': target = 0; break;
      case 'End': target = this.rows.length - 1; break;
      default: return;
    }
    e.preventDefault();
    void this.focusRow(Math.max(0, Math.min(this.rows.length - 1, target)));
  };

  /** Moves focus to row `index`, scrolling the virtualized list so it exists in the DOM first. */
  async focusRow(index: number): Promise<void> {
    const row = this.rows[index];
    if (!row) return;
    this.focusSeq = row.seq;
    const find = (): HTMLElement | undefined => {
      for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.results [role="option"]')) if (el.dataset.seq === String(row.seq)) return el;
      return undefined;
    };
    let el = find();
    if (!el) {
      const host = this.renderRoot.querySelector('.results') as VirtualizerHostElement | null;
      host?.[virtualizerRef]?.element(index)?.scrollIntoView({ block: 'nearest' });
      for (let i = 0; i < 10 && !el; i++) {
        await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
        await this.updateComplete;
        el = find();
      }
    }
    await this.updateComplete;
    el?.scrollIntoView({ block: 'nearest' });
    el?.focus({ preventScroll: true });
  }

  // ---- template ---------------------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    return html`
      <div class="bar" role="search">
        <vscode-textfield class="query" placeholder='level:error task:send_email "timeout"  ·  /regex/i  ·  -exclude'
          aria-label="Search logs. Words and quoted phrases match the message; field:value filters runner, worker, invocation, task, level, since, from and to; /regex/ and -negation work too."
          .value=${this.query} @input=${this.onInput} @keydown=${this.onQueryKey}></vscode-textfield>
        <vscode-single-select class="range" aria-label="Time range" .value=${this.range} @change=${this.onRange}>
          ${TIME_RANGES.map(([v, label]) => html`<vscode-option value=${v} ?selected=${v === this.range}>${label}</vscode-option>`)}
        </vscode-single-select>
        <vscode-button class="go" @click=${() => this.search()}>Search</vscode-button>
        ${this.searching ? html`<vscode-button class="stop" secondary @click=${() => this.cancel()}>Stop</vscode-button>` : nothing}
      </div>
      <p class="help muted">Fields: <code>level:warn,error</code> <code>level:&gt;=warn</code> <code>worker:w-3</code> <code>task:send_email</code> <code>runner:</code> <code>invocation:</code> <code>since:15m</code> <code>from:2026-03-01T10:00</code> · Click a chip to filter by it; Enter opens the task, T shows it on the timeline.</p>
      ${this.renderStatus()}
      ${this.status?.errors.length ? html`<ul class="errors" role="alert">${this.status.errors.map((e) => html`<li>${e.message}</li>`)}</ul>` : nothing}
      ${this.renderResults()}
    `;
  }

  private renderStatus(): TemplateResult {
    const s = this.status;
    const stats = this.stats;
    const fmt = (n: number): string => n.toLocaleString();
    const newer = stats && s?.done ? stats.endSeq - this.endSeqAtSearch : 0;
    return html`<div class="status" role="status" aria-live="polite">
      ${this.searching ? html`<vscode-progress-ring class="ring" aria-label="Searching"></vscode-progress-ring>` : nothing}
      <span class="summary">${!stats ? 'Waiting for the log store…'
        : !s ? (this.searching ? 'Searching…' : '')
        : `${fmt(s.matched)}${s.limited ? '+' : ''} ${s.matched === 1 ? 'match' : 'matches'} in ${fmt(s.scanned)} of ${fmt(s.total)} lines${s.done ? ` · ${Math.round(s.elapsedMs)} ms` : ' · searching…'}${s.limited ? ' · result limit reached, narrow the query' : ''}`}</span>
      ${stats ? html`<span class="muted">${fmt(stats.retained)} lines retained${stats.overwritten ? ` · ${fmt(stats.overwritten)} older lines dropped` : ''}</span>` : nothing}
      ${newer > 0 ? html`<button class="link-button newer" @click=${() => this.search()}>${fmt(newer)} new ${newer === 1 ? 'line' : 'lines'} — search again</button>` : nothing}
    </div>`;
  }

  private renderResults(): TemplateResult {
    if (this.status?.done && this.rows.length === 0) {
      return html`<div class="results"><p class="empty muted">No lines match${this.query ? html` “${this.query}”` : nothing}.</p></div>`;
    }
    const hl = this.highlight;
    return html`<div class="results" role="listbox" aria-label="Matching log lines, newest first"
      @click=${this.onListClick} @mouseover=${this.onListOver} @mouseleave=${this.onListLeave} @focusin=${this.onListFocus} @keydown=${this.onListKey}
      >${virtualize({
        items: this.rows as LogRow[],
        keyFunction: (r: LogRow) => r.seq,
        renderItem: (r: LogRow, i: number) => this.renderRow(r, i, hl),
        scroller: true,
      })}</div>`;
  }

  private renderRow(r: LogRow, index: number, hl: { field: ChipField; value: string } | undefined): TemplateResult {
    const related = hl !== undefined && r[hl.field] === hl.value;
    const tabStop = this.focusSeq === undefined ? index === 0 : r.seq === this.focusSeq;
    const chip = (field: ChipField, value: string | undefined, label: string, shown = value): TemplateResult | typeof nothing => value === undefined ? nothing
      : html`<button class="chip ${hl?.field === field && hl.value === value ? 'related' : ''}" tabindex="-1" data-field=${field} data-value=${value}
          title="${label} ${value} — click to filter by it">${html`<span class="k">${label}</span>`}${shown}</button>`;
    return html`<div class="row level-${r.level} ${related ? 'related' : ''} ${r.taskKey ? 'has-task' : ''} ${r.seq === this.focusSeq ? 'current' : ''}"
        role="option" aria-selected=${r.seq === this.focusSeq ? 'true' : 'false'} tabindex=${tabStop ? 0 : -1} data-seq=${r.seq} data-index=${index}
        aria-label="${r.level} at ${formatTime(r.t)}${r.worker ? `, worker ${r.worker}` : ''}${r.taskName ?? r.task ? `, task ${r.taskName ?? r.task}` : ''}: ${r.msg}">
      <span class="time" title=${new Date(r.t).toISOString()}>${formatTime(r.t)}</span>
      <span class="level ${r.level}">${r.level}</span>
      <span class="chips">${chip('runner', r.runner, 'runner', shortId(r.runner))}${chip('worker', r.worker, 'worker', shortId(r.worker))}${chip('task', r.task, 'task', r.taskName ? `${r.taskName} #${shortId(r.task)}` : shortId(r.task))}${chip('inv', r.inv, 'inv', shortId(r.inv))}</span>
      <span class="msg" title=${r.msg.length > 2_000 ? `${r.msg.slice(0, 2_000)}…` : r.msg}>${r.msg}</span>
      <button class="link-button to-timeline" tabindex="-1" title="Show this moment on the timeline (T)">Timeline</button>
    </div>`;
  }
}

customElements.define('taskscope-log-search', LogSearchApp);
