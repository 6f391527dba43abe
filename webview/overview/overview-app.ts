// <taskscope-overview>: the Overview panel — summary cards, per-connection health and the queue table, fed by
// the host's snapshot and sequenced deltas; UI state (filter, sort) survives reloads through setState.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { DidChangeNotification, DidSnapshotNotification, ReconnectCommand, RevealQueueCommand, type ConnectionSummary } from '../../src/protocol/overview';
import { getIpcClient, type IpcClient } from '../shared/ipc-client';
import { baseStyles, healthClass, stateClass } from '../shared/styles';
import { DEFAULT_SORT, OverviewModel, stateLabel, type QueueSort } from './overview-model';
import type { FilterChangeDetail, RevealQueueDetail, SortChangeDetail } from './queue-table';
import './queue-table';
import './event-stream';
import { EMPTY_EVENT_FILTER, type EventFilter } from '../../src/core/views/event-stream';
import type { EventFilterChangeDetail } from './event-stream';

/** What the panel remembers across reloads: view settings only, never data from a source. */
export interface OverviewUiState {
  readonly filter: string;
  readonly sort: QueueSort;
  readonly eventFilter?: EventFilter;
}

const numberFormat = new Intl.NumberFormat();
const fmt = (n: number): string => numberFormat.format(n);
const plural = (n: number, one: string, many: string): string => `${fmt(n)} ${n === 1 ? one : many}`;

const STATE_TEXT: Readonly<Record<ConnectionSummary['state'], string>> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  disconnected: 'Disconnected',
  stopped: 'Stopped',
};

export class OverviewApp extends LitElement {
  static override properties = {
    filter: { state: true },
    sort: { state: true },
    now: { state: true },
    eventFilter: { state: true },
  };
  declare eventFilter: EventFilter;

  declare filter: string;
  declare sort: QueueSort;
  /** Local clock for retry countdowns; ticks only while a connection is waiting to retry. */
  declare now: number;

  private readonly model = new OverviewModel();
  private client: IpcClient<OverviewUiState> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.filter = '';
    this.sort = DEFAULT_SORT;
    this.now = Date.now();
    this.eventFilter = EMPTY_EVENT_FILTER;
  }

  static override styles = [baseStyles, css`
    :host { padding: 14px 0 32px; max-width: 1600px; }
    .page-header { display: flex; align-items: baseline; gap: 12px; margin-bottom: 16px; }
    .page-header .updated { font-size: 12px; }
    section { margin-bottom: 24px; }
    section > h2 { margin-bottom: 8px; }

    .placeholder, .empty-state {
      display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 10px;
      text-align: center; padding: 48px 16px; min-height: 50vh;
    }
    .empty-state h2 { font-size: 1.25em; }
    .empty-state p { margin: 0; max-width: 460px; }
    kbd {
      font-family: var(--vscode-editor-font-family, monospace); font-size: 0.9em;
      padding: 1px 5px; border-radius: 3px;
      background: var(--vscode-keybindingLabel-background, transparent);
      color: var(--vscode-keybindingLabel-foreground, inherit);
      border: 1px solid var(--vscode-keybindingLabel-border, var(--vscode-widget-border, transparent));
      border-bottom-color: var(--vscode-keybindingLabel-bottomBorder, var(--vscode-widget-border, transparent));
    }
    .command { font-weight: 600; }

    .retention { margin-bottom: 20px; }
    .retention .icon { color: var(--vscode-editorWarning-foreground); font-weight: 700; }

    .cards {
      display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr));
    }
    .card {
      position: relative; overflow: hidden;
      padding: 10px 12px 10px 14px; border-radius: 4px;
      background: var(--vscode-editorWidget-background, var(--vscode-sideBar-background, transparent));
      border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent));
    }
    .card::before {
      content: ''; position: absolute; left: 0; top: 0; bottom: 0; width: 3px;
      background: var(--state-color, transparent);
    }
    .card .label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); }
    .card .value { font-size: 22px; font-weight: 600; line-height: 1.3; font-variant-numeric: tabular-nums; }
    .card .value .of { font-size: 14px; font-weight: 400; color: var(--vscode-descriptionForeground); }
    .card .detail { font-size: 12px; color: var(--vscode-descriptionForeground); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .card .detail.warn { color: var(--vscode-editorWarning-foreground); }
    .card.state-failed.nonzero .value { color: var(--vscode-errorForeground); }
    .card.health-card { --state-color: var(--dot-color); }
    .other-states { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; }
    .other-states li { display: inline-flex; align-items: center; gap: 6px; }
    .swatch { width: 6px; height: 6px; border-radius: 50%; flex: none; background: var(--state-color); }

    .connections { list-style: none; margin: 0; padding: 0; border-top: 1px solid var(--vscode-widget-border, transparent); }
    .conn {
      display: grid; align-items: center; column-gap: 16px; row-gap: 2px;
      grid-template-columns: minmax(220px, 1.6fr) minmax(200px, 1.2fr) minmax(170px, 1fr) auto;
      grid-template-areas: 'title state stats actions' 'error error error actions';
      padding: 8px 4px; border-bottom: 1px solid var(--vscode-widget-border, transparent);
    }
    .conn-title { grid-area: title; display: flex; align-items: center; gap: 8px; min-width: 0; flex-wrap: wrap; }
    .conn-name { font-weight: 600; overflow-wrap: anywhere; }
    .conn-meta { font-size: 12px; }
    .conn-state { grid-area: state; display: flex; align-items: center; gap: 8px; min-width: 0; }
    .conn-state .retry { font-size: 12px; }
    .conn-stats { grid-area: stats; font-size: 12px; }
    .conn-actions { grid-area: actions; justify-self: end; align-self: start; }
    .conn-error {
      grid-area: error; padding-left: 16px;
      color: var(--vscode-errorForeground);
      font-family: var(--vscode-editor-font-family, monospace); font-size: 12px;
      white-space: pre-wrap; overflow-wrap: anywhere;
      max-height: 4.5em; overflow: hidden;
    }
    @media (max-width: 720px) {
      .conn { grid-template-columns: 1fr auto; grid-template-areas: 'title actions' 'state actions' 'stats actions' 'error error'; }
      .conn-state, .conn-stats { padding-left: 16px; }
    }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) return;
    this.client = getIpcClient<OverviewUiState>();
    const saved = this.client.getState();
    if (typeof saved?.filter === 'string') this.filter = saved.filter;
    const f = saved?.eventFilter;
    if (f && Array.isArray(f.types) && typeof f.project === 'string' && typeof f.task === 'string' && typeof f.source === 'string') {
      this.eventFilter = { types: f.types.filter((t): t is string => typeof t === 'string'), project: f.project, task: f.task, source: f.source };
    }
    if (saved?.sort && typeof saved.sort.key === 'string' && (saved.sort.dir === 'asc' || saved.sort.dir === 'desc')) this.sort = saved.sort;
    // Registered for the page's lifetime (one app per page), before `ready` goes out in firstUpdated.
    this.client.onSnapshot(DidSnapshotNotification, (snapshot) => {
      this.model.applySnapshot(snapshot, Date.now());
      this.afterData();
    });
    this.client.onNotification(DidChangeNotification, (delta) => {
      // A delta before any snapshot has no base to apply to; the client already asked for a snapshot.
      if (!this.model.loaded) return;
      this.model.applyDelta(delta, Date.now());
      this.afterData();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTicker();
  }

  protected override firstUpdated(): void {
    // Handlers are registered and the first frame is in the DOM: only now may the host start talking.
    this.client?.ready();
  }

  private afterData(): void {
    this.now = Date.now();
    this.requestUpdate();
    const waiting = [...this.model.connections.values()].some((c) => c.state === 'reconnecting' && c.retryInMs !== undefined);
    if (waiting && !this.ticker) this.ticker = setInterval(() => { this.now = Date.now(); }, 1_000);
    else if (!waiting) this.stopTicker();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private saveUiState(): void {
    this.client?.setState({ filter: this.filter, sort: this.sort, eventFilter: this.eventFilter });
  }

  protected override render(): TemplateResult {
    const m = this.model;
    if (!m.loaded) {
      return html`<div class="placeholder" role="status" aria-live="polite">
        <vscode-progress-ring aria-label="Loading"></vscode-progress-ring>
        <span class="muted">Waiting for data…</span>
      </div>`;
    }
    if (m.connections.size === 0) return this.renderEmpty();
    return html`
      <header class="page-header">
        <h1>Overview</h1>
        <span class="updated muted" title=${new Date(m.generatedAt).toString()}>Updated ${new Date(m.generatedAt).toLocaleTimeString()}</span>
      </header>
      ${this.renderRetention()}
      ${this.renderCards()}
      <section aria-labelledby="connections-heading">
        <h2 id="connections-heading">Connections</h2>
        <ul class="connections">${[...m.connections.values()].map((c) => this.renderConnection(c))}</ul>
      </section>
      <section>
        <taskscope-queue-table
          .rows=${m.visibleQueues(this.filter, this.sort)}
          .states=${m.stateColumns()}
          .total=${m.queues.size}
          .filter=${this.filter}
          .sort=${this.sort}
          .nameOf=${this.nameOf}
          @queue-reveal=${this.onReveal}
          @sort-change=${this.onSortChange}
          @filter-change=${this.onFilterChange}
        ></taskscope-queue-table>
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Event stream</h2>
        <taskscope-event-stream .rows=${m.visibleEvents(this.eventFilter)} .filter=${this.eventFilter} .total=${m.events.length}
          @event-filter-change=${(e: CustomEvent<EventFilterChangeDetail>) => { this.eventFilter = e.detail.filter; this.saveUiState(); }}></taskscope-event-stream>
      </section>
    `;
  }

  private renderEmpty(): TemplateResult {
    return html`<div class="empty-state" role="status">
      <h2>No connections yet</h2>
      <p class="muted">Taskscope shows the health of your task systems and their queues here once it has something to watch.</p>
      <p>Add a connection: run <span class="command">Taskscope: Add Connection</span> from the Command Palette
        (<kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>P</kbd>), or list profiles in the <span class="command">taskscope.connections</span> setting.</p>
    </div>`;
  }

  private renderRetention(): TemplateResult | typeof nothing {
    if (!this.model.retentionHit()) return nothing;
    const r = this.model.retention;
    const parts = [
      r.tasksEvicted > 0 ? plural(r.tasksEvicted, 'task evicted', 'tasks evicted') : '',
      r.logsOverwritten > 0 ? plural(r.logsOverwritten, 'log line overwritten', 'log lines overwritten') : '',
      r.eventsOverwritten > 0 ? plural(r.eventsOverwritten, 'event overwritten', 'events overwritten') : '',
      r.seriesRefused > 0 ? plural(r.seriesRefused, 'metric series refused', 'metric series refused') : '',
      r.taskSeriesEvicted ? `${plural(r.taskSeriesEvicted, 'per-task metric series', 'per-task metric series')} of older tasks evicted (budget ${fmt(r.taskSeriesBudget ?? 0)}; the newest tasks keep their charts)` : '',
    ].filter(Boolean);
    return html`<div class="notice retention" role="note" aria-label="Retention limits reached">
      <span class="icon" aria-hidden="true">!</span>
      <span><strong>Retention limits reached.</strong> To stay within its memory bounds Taskscope dropped older
        data: ${parts.join(' · ')}. Counts and health shown here are unaffected.</span>
    </div>`;
  }

  private renderCards(): TemplateResult {
    const s = this.model.summary();
    const connDetail = s.down > 0 || s.reconnecting > 0
      ? [s.reconnecting ? `${fmt(s.reconnecting)} retrying` : '', s.down ? `${fmt(s.down)} down` : ''].filter(Boolean).join(' · ')
      : 'connected';
    const connHealth = s.connected === s.connections ? 'connected' : s.connected === 0 ? 'disconnected' : 'reconnecting';
    return html`<section aria-label="Summary">
      <div class="cards">
        <div class="card health-card ${healthClass(connHealth)}" role="group" aria-label="Connections: ${s.connected} of ${s.connections} connected">
          <div class="label">Connections</div>
          <div class="value">${fmt(s.connected)}<span class="of"> / ${fmt(s.connections)}</span></div>
          <div class="detail ${connDetail === 'connected' ? '' : 'warn'}">${connDetail}</div>
        </div>
        <div class="card" role="group" aria-label="Queues: ${s.queues}">
          <div class="label">Queues</div>
          <div class="value">${fmt(s.queues)}</div>
          <div class="detail">${s.pausedQueues ? `${fmt(s.pausedQueues)} paused` : 'none paused'}</div>
        </div>
        <div class="card depth-card" role="group" aria-label="Queue depth: ${this.model.queueDepth()}">
          <div class="label">Queue depth</div>
          <div class="value">${fmt(this.model.queueDepth())}</div>
          <div class="detail">waiting, delayed, prioritized</div>
        </div>
        <div class="card" role="group" aria-label="Workers online: ${s.workersOnline}">
          <div class="label">Workers online</div>
          <div class="value">${fmt(s.workersOnline)}</div>
          <div class="detail">across all connections</div>
        </div>
        ${s.states.map(([state, n]) => html`
          <div class="card state-card ${stateClass(state)} ${n ? 'nonzero' : ''}" role="group" data-state=${state} aria-label="${stateLabel(state)}: ${n}">
            <div class="label">${stateLabel(state)}</div>
            <div class="value">${fmt(n)}</div>
            <div class="detail">all queues</div>
          </div>`)}
      </div>
      ${s.otherStates.length === 0 ? nothing : html`
        <ul class="other-states" aria-label="Other states">
          <li class="muted">Also</li>
          ${s.otherStates.map(([state, n]) => html`<li class=${stateClass(state)} data-state=${state}><span class="swatch" aria-hidden="true"></span><span class="muted">${stateLabel(state)}</span> <strong class="num">${fmt(n)}</strong></li>`)}
        </ul>`}
    </section>`;
  }

  private renderConnection(c: ConnectionSummary): TemplateResult {
    const stateText = STATE_TEXT[c.state] ?? c.state;
    return html`
      <li class="conn ${healthClass(c.state)}" data-connection=${c.id} aria-label="Connection ${c.name}: ${stateText}">
        <div class="conn-title">
          <span class="dot" aria-hidden="true"></span>
          <span class="conn-name">${c.name}</span>
          <span class="conn-meta muted">${c.system} · ${c.kind}</span>
          ${c.readOnly ? html`<span class="pill outline read-only" title="Actions that change the system are disabled">read-only</span>` : nothing}
          ${c.rejectedFrames > 0
            ? html`<span class="pill warning rejected" title="Messages that failed validation and were dropped">${plural(c.rejectedFrames, 'rejected frame', 'rejected frames')}</span>`
            : nothing}
        </div>
        <div class="conn-state">
          <span class="state-text">${stateText}</span>
          ${this.retryText(c) ? html`<span class="retry muted">${this.retryText(c)}</span>` : nothing}
        </div>
        <div class="conn-stats muted">${plural(c.queueCount, 'queue', 'queues')} · ${plural(c.workersOnline, 'worker', 'workers')} online</div>
        <div class="conn-actions">
          <vscode-button secondary aria-label="Reconnect ${c.name}" @click=${() => this.reconnect(c.id)}>Reconnect</vscode-button>
        </div>
        ${c.error ? html`<div class="conn-error" title=${c.error}>${c.error}</div>` : nothing}
      </li>
    `;
  }

  private retryText(c: ConnectionSummary): string {
    const attempt = c.attempt !== undefined && c.attempt > 0 ? `attempt ${fmt(c.attempt)}` : '';
    if (c.state === 'reconnecting' && c.retryInMs !== undefined) {
      const due = (this.model.receivedAt.get(c.id) ?? this.now) + c.retryInMs;
      const left = Math.ceil(Math.max(0, due - this.now) / 1000);
      return [left > 0 ? `retrying in ${left}s` : 'retrying now…', attempt].filter(Boolean).join(' · ');
    }
    return c.state === 'connecting' || c.state === 'reconnecting' ? attempt : '';
  }

  private readonly nameOf = (id: string): string => this.model.connectionName(id);

  private reconnect(connectionId: string): void {
    this.client?.send(ReconnectCommand, { connectionId });
  }

  private readonly onReveal = (e: CustomEvent<RevealQueueDetail>): void => {
    this.client?.send(RevealQueueCommand, { key: e.detail.key });
  };

  private readonly onSortChange = (e: CustomEvent<SortChangeDetail>): void => {
    this.sort = e.detail.sort;
    this.saveUiState();
  };

  private readonly onFilterChange = (e: CustomEvent<FilterChangeDetail>): void => {
    this.filter = e.detail.filter;
    this.saveUiState();
  };
}

customElements.define('taskscope-overview', OverviewApp);

declare global {
  interface HTMLElementTagNameMap { 'taskscope-overview': OverviewApp }
}
