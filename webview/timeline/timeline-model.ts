// The timeline's data in the webview: spans by task key, grouped into lanes (worker, queue or connection),
// packed into sub-lanes, and laid out as columns of typed arrays the canvas renderer and hit-testing read.
import { packColumns } from '../../src/core/timeline/lane-packing';
import { STATUS_CATEGORIES, statusCategory } from '../../src/core/timeline/status-category';
import type { TimelineDelta, TimelineScope, TimelineSnapshot, TimelineSpan } from '../../src/protocol/timeline';
import { workerLabel } from '../../src/core/views/queue-labels';

export type GroupBy = 'worker' | 'queue' | 'connection';
export const GROUP_BY: readonly GroupBy[] = ['worker', 'queue', 'connection'];

export interface Lane {
  readonly key: string;
  readonly label: string;
  /** First absolute row of the lane. */
  readonly firstRow: number;
  readonly rows: number;
  /** Indices into the layout's span columns, sorted by start. */
  readonly order: Uint32Array;
  /** Longest span of the lane (running spans count up to "now"), to bound range queries. */
  readonly maxDuration: number;
}

export interface Layout {
  readonly spans: readonly TimelineSpan[];
  readonly start: Float64Array;
  /** NaN while running. */
  readonly end: Float64Array;
  readonly row: Uint32Array;
  readonly category: Uint8Array;
  readonly lanes: readonly Lane[];
  readonly totalRows: number;
  readonly minT: number;
  readonly maxT: number;
}

const UNASSIGNED = '(no worker)';

export class TimelineModel {
  readonly spans = new Map<string, TimelineSpan>();
  loaded = false;
  generatedAt = 0;
  scope: TimelineScope | undefined;
  connections: Readonly<Record<string, string>> = {};
  tasksEvicted = 0;
  private cached: { groupBy: GroupBy; layout: Layout } | undefined;

  applySnapshot(s: TimelineSnapshot): void {
    this.spans.clear();
    for (const span of s.spans) this.spans.set(span.k, span);
    this.scope = s.scope;
    this.connections = s.connections;
    this.generatedAt = s.generatedAt;
    this.tasksEvicted = s.tasksEvicted;
    this.loaded = true;
    this.cached = undefined;
  }

  applyDelta(d: TimelineDelta): void {
    for (const key of d.removed) this.spans.delete(key);
    for (const span of d.upserts) this.spans.set(span.k, span);
    this.generatedAt = d.generatedAt;
    this.tasksEvicted = d.tasksEvicted;
    if (d.removed.length || d.upserts.length) this.cached = undefined;
  }

  laneKey(span: TimelineSpan, groupBy: GroupBy): string {
    switch (groupBy) {
      case 'worker': return span.w ?? UNASSIGNED;
      case 'queue': return span.q ?? '(no queue)';
      case 'connection': return this.connections[span.c] ?? span.c;
    }
  }

  layout(groupBy: GroupBy, now: number): Layout {
    if (this.cached?.groupBy === groupBy) return this.cached.layout;
    const spans = [...this.spans.values()];
    const n = spans.length;
    const start = new Float64Array(n);
    const end = new Float64Array(n);
    const category = new Uint8Array(n);
    const byLane = new Map<string, number[]>();
    let minT = Infinity;
    let maxT = -Infinity;
    for (let i = 0; i < n; i++) {
      const s = spans[i]!;
      start[i] = s.t0;
      end[i] = s.t1 ?? NaN;
      category[i] = STATUS_CATEGORIES.indexOf(statusCategory(s.s));
      minT = Math.min(minT, s.t0);
      maxT = Math.max(maxT, s.t1 ?? now, s.t0);
      const key = this.laneKey(s, groupBy);
      let list = byLane.get(key);
      if (!list) byLane.set(key, (list = []));
      list.push(i);
    }
    const keys = [...byLane.keys()].sort((a, b) => (a === UNASSIGNED ? 1 : b === UNASSIGNED ? -1 : a.localeCompare(b, undefined, { numeric: true })));
    const row = new Uint32Array(n);
    const lanes: Lane[] = [];
    let nextRow = 0;
    for (const key of keys) {
      const members = byLane.get(key)!;
      const order = Uint32Array.from(members).sort((a, b) => start[a]! - start[b]! || a - b);
      const packed = packColumns(start, end, order);
      let maxDuration = 0;
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        row[i] = nextRow + packed.rows[k]!;
        maxDuration = Math.max(maxDuration, (Number.isNaN(end[i]!) ? now : end[i]!) - start[i]!);
      }
      lanes.push({ key, label: groupBy === 'worker' && key !== UNASSIGNED ? workerLabel(key) : key, firstRow: nextRow, rows: Math.max(1, packed.rowCount), order, maxDuration });
      nextRow += Math.max(1, packed.rowCount);
    }
    const layout: Layout = { spans, start, end, row, category, lanes, totalRows: nextRow, minT: n ? minT : now - 60_000, maxT: n ? maxT : now };
    this.cached = { groupBy, layout };
    return layout;
  }
}

/** Index of the first entry of `order` whose start is ≥ t (binary search). */
export function lowerBound(order: Uint32Array, start: Float64Array, t: number): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (start[order[mid]!]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The span drawn at (time t, absolute row), within `slack` ms of its edges; the narrowest one wins. */
export function hitTest(layout: Layout, t: number, absRow: number, slack: number, now: number): number | undefined {
  const lane = layout.lanes.find((l) => absRow >= l.firstRow && absRow < l.firstRow + l.rows);
  if (!lane) return undefined;
  const hi = lowerBound(lane.order, layout.start, t + slack + 1e-9);
  let best: number | undefined;
  let bestWidth = Infinity;
  for (let k = hi - 1; k >= 0; k--) {
    const i = lane.order[k]!;
    const s = layout.start[i]!;
    if (s < t - slack - lane.maxDuration) break;
    if (layout.row[i] !== absRow) continue;
    const e = Number.isNaN(layout.end[i]!) ? now : layout.end[i]!;
    if (e + slack >= t && s - slack <= t && e - s < bestWidth) { best = i; bestWidth = e - s; }
  }
  return best;
}

const UNITS: readonly [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1_000, 's'], [1, 'ms']];

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  for (const [size, unit] of UNITS) if (ms >= size) return `${(ms / size).toFixed(1)} ${unit}`;
  return `${ms} ms`;
}

/** Axis ticks: a "nice" step giving about one label per `targetPx`. */
export function ticks(t0: number, t1: number, widthPx: number, targetPx = 110): { step: number; values: number[] } {
  const span = Math.max(1, t1 - t0);
  const raw = (span / Math.max(1, widthPx)) * targetPx;
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5];
  const step = steps.find((s) => s >= raw) ?? Math.ceil(raw / 864e5) * 864e5;
  const values: number[] = [];
  for (let v = Math.ceil(t0 / step) * step; v <= t1 && values.length < 500; v += step) values.push(v);
  return { step, values };
}

export function formatTick(t: number, step: number): string {
  const d = new Date(t);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  if (step < 1_000) return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  if (step < 864e5) return `${pad(d.getHours())}:${pad(d.getMinutes())}${step < 6e4 ? `:${pad(d.getSeconds())}` : ''}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
