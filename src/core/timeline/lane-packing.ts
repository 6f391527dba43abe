// Lane packing for the timeline: spans of one lane (a worker, runner, proplet or pool) that overlap in time
// go to separate sub-lanes, each span to the lowest sub-lane free at its start — greedy interval
// partitioning, which uses the fewest sub-lanes possible (the maximum number of spans open at once).

export interface PackInput {
  readonly start: number;
  /** End time; a running span passes "now" (or +Infinity to keep its sub-lane forever). */
  readonly end: number;
}

export interface PackResult {
  /** Sub-lane of each input span, by input index. */
  readonly rows: Uint16Array | Uint32Array;
  readonly rowCount: number;
}

/**
 * Assigns sub-lanes. `order` may give the input indices already sorted by start (saves a sort when the caller
 * keeps them sorted). Spans that merely touch (one ends exactly when the next starts) share a sub-lane.
 * O(n log n): a binary min-heap of sub-lane end times, and a min-heap of free sub-lane numbers so the
 * lowest free one is reused.
 */
export function packLanes(spans: readonly PackInput[], order?: ArrayLike<number>): PackResult {
  const n = spans.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) { starts[i] = spans[i]!.start; ends[i] = spans[i]!.end; }
  const idx = order ?? sortedByStart(spans);
  const packed = packColumns(starts, ends, idx);
  const rows = n < 65_536 ? new Uint16Array(n) : new Uint32Array(n);
  for (let k = 0; k < n; k++) rows[idx[k]!] = packed.rows[k]!;
  return { rows, rowCount: packed.rowCount };
}

/**
 * The same over columns: `starts[i]`/`ends[i]` of span i (NaN or Infinity end: still running), visited in
 * `order` (ascending start). Avoids an object per span when the caller already holds typed arrays.
 * `rows[k]` is the sub-lane of span `order[k]`.
 */
export function packColumns(starts: ArrayLike<number>, ends: ArrayLike<number>, order: ArrayLike<number>): PackResult {
  const n = order.length;
  const rows = n < 65_536 ? new Uint16Array(n) : new Uint32Array(n);
  // Busy sub-lanes as a heap of [end, row], stored in two parallel arrays.
  const heapEnd: number[] = [];
  const heapRow: number[] = [];
  const free: number[] = []; // min-heap of released row numbers
  let rowCount = 0;

  for (let k = 0; k < n; k++) {
    const s = order[k]!;
    const start = starts[s]!;
    const rawEnd = ends[s]!;
    const end = Number.isNaN(rawEnd) ? Infinity : Math.max(rawEnd, start);
    while (heapEnd.length && heapEnd[0]! <= start) {
      pushMin(free, popBusy(heapEnd, heapRow));
    }
    const row = free.length ? popMin(free) : rowCount++;
    rows[k] = row;
    pushBusy(heapEnd, heapRow, end, row);
  }
  return { rows, rowCount };
}

export function sortedByStart(spans: readonly PackInput[]): Uint32Array {
  const idx = new Uint32Array(spans.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => spans[a]!.start - spans[b]!.start || spans[a]!.end - spans[b]!.end || a - b);
}

function pushBusy(ends: number[], rows: number[], end: number, row: number): void {
  let i = ends.length;
  ends.push(end);
  rows.push(row);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (ends[p]! < end || (ends[p] === end && rows[p]! <= row)) break;
    ends[i] = ends[p]!; rows[i] = rows[p]!;
    i = p;
  }
  ends[i] = end; rows[i] = row;
}

function popBusy(ends: number[], rows: number[]): number {
  const top = rows[0]!;
  const lastEnd = ends.pop()!;
  const lastRow = rows.pop()!;
  const n = ends.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    let c = l;
    if (r < n && (ends[r]! < ends[l]! || (ends[r] === ends[l] && rows[r]! < rows[l]!))) c = r;
    if (ends[c]! > lastEnd || (ends[c] === lastEnd && rows[c]! >= lastRow)) break;
    ends[i] = ends[c]!; rows[i] = rows[c]!;
    i = c;
  }
  ends[i] = lastEnd; rows[i] = lastRow;
  return top;
}

function pushMin(heap: number[], v: number): void {
  let i = heap.length;
  heap.push(v);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (heap[p]! <= v) break;
    heap[i] = heap[p]!;
    i = p;
  }
  heap[i] = v;
}

function popMin(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  const n = heap.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const c = l + 1 < n && heap[l + 1]! < heap[l]! ? l + 1 : l;
    if (heap[c]! >= last) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = last;
  return top;
}
