// The Overview's client-side model: the last snapshot with deltas applied (upsert/remove by key), plus the
// derived, memoized lists the view renders (state columns, filtered and sorted queues, summary figures).
import type { RetentionReport } from '../../src/core/store/monitor-store';
import type { ConnectionSummary, EventRow, OverviewDelta, OverviewSnapshot, OverviewTotals, QueueSummary } from '../../src/protocol/overview';
import { matchesEventFilter, MAX_STREAM_ROWS, type EventFilter } from '../../src/core/views/event-stream';

/** BullMQ's states in the order a person reads a queue: backlog first, then in flight, then finished. */
export const STATE_ORDER: readonly string[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'];

export type SortKey = 'connection' | 'name' | 'version' | `state:${string}`;
export type SortDirection = 'asc' | 'desc';
export interface QueueSort { readonly key: SortKey; readonly dir: SortDirection }
export const DEFAULT_SORT: QueueSort = { key: 'connection', dir: 'asc' };

export interface Summary {
  readonly connections: number;
  readonly connected: number;
  readonly reconnecting: number;
  readonly down: number;
  readonly queues: number;
  readonly pausedQueues: number;
  readonly workersOnline: number;
  /** States that get a card of their own, in display order, with their totals. */
  readonly states: readonly (readonly [state: string, count: number])[];
  /** The remaining non-zero states, summarized on one card. */
  readonly otherStates: readonly (readonly [state: string, count: number])[];
}

/** States that always get a card when a system reports them: backlog, in flight, scheduled, done, failed. */
const CARD_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'];
const MAX_STATE_CARDS = 5;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareStates(a: string, b: string): number {
  const ia = STATE_ORDER.indexOf(a);
  const ib = STATE_ORDER.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib);
  return collator.compare(a, b);
}

/** "waiting-children" → "Waiting children". */
export function stateLabel(state: string): string {
  const words = state.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export class OverviewModel {
  readonly connections = new Map<string, ConnectionSummary>();
  readonly queues = new Map<string, QueueSummary>();
  totals: OverviewTotals = { queues: 0, workersOnline: 0, byState: {} };
  retention: RetentionReport = { tasksEvicted: 0, logsOverwritten: 0, eventsOverwritten: 0, seriesRefused: 0 };
  generatedAt = 0;
  /** False until the first snapshot: the view shows "waiting for data" rather than an empty dashboard. */
  loaded = false;
  /** Local time each connection row was last received, so a retry countdown can tick between deltas. */
  readonly receivedAt = new Map<string, number>();
  /** The event stream, oldest first, bounded to MAX_STREAM_ROWS. */
  events: EventRow[] = [];
  private eventsRevision = 0;
  private eventsMemo: { rev: number; filter: EventFilter; value: EventRow[] } | undefined;
  /** Bumped on every change; the memoized selectors key on it. */
  private revision = 0;

  private columnsMemo: { rev: number; value: string[] } | undefined;
  private visibleMemo: { rev: number; filter: string; sort: QueueSort; value: QueueSummary[] } | undefined;

  applySnapshot(snapshot: OverviewSnapshot, now: number): void {
    this.connections.clear();
    this.queues.clear();
    this.receivedAt.clear();
    for (const c of snapshot.connections) { this.connections.set(c.id, c); this.receivedAt.set(c.id, now); }
    for (const q of snapshot.queues) this.queues.set(q.key, q);
    this.totals = snapshot.totals;
    this.retention = snapshot.retention;
    this.generatedAt = snapshot.generatedAt;
    this.events = [...(snapshot.events ?? [])].slice(-MAX_STREAM_ROWS);
    this.eventsRevision++;
    this.loaded = true;
    this.revision++;
  }

  applyDelta(delta: OverviewDelta, now: number): void {
    for (const id of delta.removedConnections ?? []) { this.connections.delete(id); this.receivedAt.delete(id); }
    for (const c of delta.connections ?? []) { this.connections.set(c.id, c); this.receivedAt.set(c.id, now); }
    for (const key of delta.removedQueues ?? []) this.queues.delete(key);
    for (const q of delta.queues ?? []) this.queues.set(q.key, q);
    this.totals = delta.totals;
    this.retention = delta.retention;
    this.generatedAt = delta.generatedAt;
    if (delta.events?.length) {
      const last = this.events.at(-1)?.id ?? -Infinity;
      for (const e of delta.events) if (e.id > last) this.events.push(e);
      if (this.events.length > MAX_STREAM_ROWS) this.events.splice(0, this.events.length - MAX_STREAM_ROWS);
      this.eventsRevision++;
    }
    this.revision++;
  }

  /** Events matching `filter`, newest first (memoized per change and filter). */
  visibleEvents(filter: EventFilter): EventRow[] {
    const m = this.eventsMemo;
    if (m && m.rev === this.eventsRevision && m.filter === filter) return m.value;
    const value: EventRow[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) if (matchesEventFilter(this.events[i]!, filter)) value.push(this.events[i]!);
    this.eventsMemo = { rev: this.eventsRevision, filter, value };
    return value;
  }

  /** Backlog across queues: jobs waiting to run (waiting, prioritized, delayed, waiting for children). */
  queueDepth(): number {
    const b = this.totals.byState;
    return (b.waiting ?? 0) + (b.prioritized ?? 0) + (b.delayed ?? 0) + (b['waiting-children'] ?? 0);
  }

  connectionName(id: string): string {
    return this.connections.get(id)?.name ?? id;
  }

  /** One column per state any queue reports, ordered by STATE_ORDER, then other systems' states by name. */
  stateColumns(): string[] {
    if (this.columnsMemo?.rev === this.revision) return this.columnsMemo.value;
    const seen = new Set<string>(Object.keys(this.totals.byState));
    for (const q of this.queues.values()) for (const s of Object.keys(q.counts)) seen.add(s);
    const value = [...seen].sort(compareStates);
    this.columnsMemo = { rev: this.revision, value };
    return value;
  }

  /** Queues matching `filter` (case-insensitive, on queue and connection names), sorted by `sort`. */
  visibleQueues(filter: string, sort: QueueSort): QueueSummary[] {
    const m = this.visibleMemo;
    if (m && m.rev === this.revision && m.filter === filter && m.sort.key === sort.key && m.sort.dir === sort.dir) return m.value;
    const needle = filter.trim().toLowerCase();
    const rows: QueueSummary[] = [];
    for (const q of this.queues.values()) {
      if (!needle || q.name.toLowerCase().includes(needle) || this.connectionName(q.connectionId).toLowerCase().includes(needle)) rows.push(q);
    }
    const byDefault = (a: QueueSummary, b: QueueSummary): number =>
      collator.compare(this.connectionName(a.connectionId), this.connectionName(b.connectionId)) || collator.compare(a.name, b.name);
    let primary: (a: QueueSummary, b: QueueSummary) => number;
    if (sort.key === 'connection') primary = byDefault;
    else if (sort.key === 'name') primary = (a, b) => collator.compare(a.name, b.name);
    else if (sort.key === 'version') primary = (a, b) => collator.compare(a.version ?? '', b.version ?? '');
    else {
      const state = sort.key.slice('state:'.length);
      primary = (a, b) => (a.counts[state] ?? 0) - (b.counts[state] ?? 0);
    }
    const sign = sort.dir === 'asc' ? 1 : -1;
    // Ties keep the natural connection/name order whatever the direction, so equal counts don't look shuffled.
    rows.sort(sort.key === 'connection' ? (a, b) => sign * byDefault(a, b) : (a, b) => sign * primary(a, b) || byDefault(a, b));
    this.visibleMemo = { rev: this.revision, filter, sort, value: rows };
    return rows;
  }

  summary(): Summary {
    let connected = 0, reconnecting = 0, down = 0;
    for (const c of this.connections.values()) {
      if (c.state === 'connected') connected++;
      else if (c.state === 'connecting' || c.state === 'reconnecting') reconnecting++;
      else if (c.state === 'disconnected') down++;
    }
    let pausedQueues = 0;
    for (const q of this.queues.values()) if (q.paused) pausedQueues++;
    // The main states get a card even at zero (no failures is news too). Systems with other state names fill
    // the free card slots with their own states; whatever is left shares one "other states" card.
    // Systems spell the same state differently ("completed", "Completed", "SUCCESS"/"success"): one entry each.
    const merged = new Map<string, number>();
    for (const [state, n] of Object.entries(this.totals.byState)) {
      const key = state.toLowerCase().replace(/[\s_]+/g, '-');
      merged.set(key, (merged.get(key) ?? 0) + n);
    }
    const all = [...merged].sort(([a], [b]) => compareStates(a, b));
    const states = all.filter(([state]) => CARD_STATES.includes(state));
    const rest = all.filter(([state, n]) => !CARD_STATES.includes(state) && n > 0);
    while (states.length < MAX_STATE_CARDS && rest.length > 0) states.push(rest.shift()!);
    return {
      connections: this.connections.size, connected, reconnecting, down,
      queues: this.totals.queues, pausedQueues, workersOnline: this.totals.workersOnline, states, otherStates: rest,
    };
  }

  retentionHit(): boolean {
    const r = this.retention;
    return r.tasksEvicted > 0 || r.logsOverwritten > 0 || r.eventsOverwritten > 0 || r.seriesRefused > 0 || (r.taskSeriesEvicted ?? 0) > 0;
  }
}
