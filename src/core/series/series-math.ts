// Pure series math for the metric charts: counter rates, time bucketing, min/max downsampling, percentiles and
// aligning several series onto one time axis (uPlot wants columnar data with a shared x). No I/O, no DOM.

/** A sample: [timestamp in ms, value]. */
export type Point = readonly [number, number];

/**
 * Per-second rate of a monotonically increasing counter, like Prometheus `rate()` between adjacent samples.
 * A drop in value is a counter reset (process restart): the increase over that interval is the new value.
 * Samples must be in time order; samples with a non-increasing timestamp are skipped.
 */
export function counterRate(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1, prev = points[0]; i < points.length; i++) {
    const p = points[i]!;
    if (!prev || p[0] <= prev[0]) { prev ??= p; continue; }
    const increase = p[1] >= prev[1] ? p[1] - prev[1] : p[1];
    out.push([p[0], increase / ((p[0] - prev[0]) / 1000)]);
    prev = p;
  }
  return out;
}

export type BucketAggregate = 'sum' | 'avg' | 'min' | 'max' | 'last' | 'count';

/**
 * Groups samples into fixed buckets of `bucketMs` aligned to the epoch and aggregates each bucket. The output
 * timestamp is the bucket start; empty buckets are left out (a chart draws them as gaps).
 */
export function bucketize(points: readonly Point[], bucketMs: number, aggregate: BucketAggregate): Point[] {
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be positive, got ${bucketMs}`);
  const out: Point[] = [];
  let start = NaN, acc = 0, n = 0;
  const emit = (): void => {
    if (n === 0) return;
    out.push([start, aggregate === 'avg' ? acc / n : aggregate === 'count' ? n : acc]);
  };
  for (const [t, v] of points) {
    const b = Math.floor(t / bucketMs) * bucketMs;
    if (b !== start) { emit(); start = b; n = 0; acc = aggregate === 'min' ? Infinity : aggregate === 'max' ? -Infinity : 0; }
    n++;
    switch (aggregate) {
      case 'sum': case 'avg': acc += v; break;
      case 'min': acc = Math.min(acc, v); break;
      case 'max': acc = Math.max(acc, v); break;
      case 'last': acc = v; break;
      case 'count': break;
    }
  }
  emit();
  return out;
}

/**
 * Reduces a series to at most about `maxPoints` while keeping its shape: each of `maxPoints / 2` slices keeps
 * its minimum and maximum sample, in time order. Spikes survive, unlike averaging. Returns the input when it
 * is already small enough.
 */
export function minMaxDownsample(points: readonly Point[], maxPoints: number): readonly Point[] {
  if (points.length <= maxPoints || maxPoints < 4) return points;
  const slices = Math.floor(maxPoints / 2);
  const size = points.length / slices;
  const out: Point[] = [];
  for (let s = 0; s < slices; s++) {
    const from = Math.floor(s * size), to = Math.min(points.length, Math.floor((s + 1) * size));
    let lo = from, hi = from;
    for (let i = from + 1; i < to; i++) {
      if (points[i]![1] < points[lo]![1]) lo = i;
      if (points[i]![1] > points[hi]![1]) hi = i;
    }
    if (lo === hi) out.push(points[lo]!);
    else if (lo < hi) out.push(points[lo]!, points[hi]!);
    else out.push(points[hi]!, points[lo]!);
  }
  return out;
}

/** The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between closest ranks; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Columnar data for uPlot: x (seconds) then one y array per series, `null` where a series has no sample. */
export type AlignedData = [Float64Array | number[], ...(number | null)[][]];

/**
 * Aligns series with their own timestamps onto the union of all timestamps (uPlot's data layout). x is in
 * seconds, as uPlot's time axes expect. Each input must be in time order. Linear in the total point count.
 */
export function alignSeries(series: readonly (readonly Point[])[]): AlignedData {
  if (series.length === 1) {
    const only = series[0]!;
    const xs = new Array<number>(only.length), ys = new Array<number | null>(only.length);
    for (let i = 0; i < only.length; i++) { xs[i] = only[i]![0] / 1000; ys[i] = only[i]![1]; }
    return [xs, ys];
  }
  const cursors = series.map(() => 0);
  const xs: number[] = [];
  const ys: (number | null)[][] = series.map(() => []);
  for (;;) {
    let t = Infinity;
    for (let s = 0; s < series.length; s++) {
      const p = series[s]![cursors[s]!];
      if (p && p[0] < t) t = p[0];
    }
    if (t === Infinity) break;
    xs.push(t / 1000);
    for (let s = 0; s < series.length; s++) {
      const p = series[s]![cursors[s]!];
      if (p && p[0] === t) { ys[s]!.push(p[1]); cursors[s]!++; } else ys[s]!.push(null);
    }
  }
  return [xs, ...ys];
}

/** Keeps the samples with `from ≤ t ≤ to` from a time-ordered series (binary search, no copy of the rest). */
export function sliceRange(points: readonly Point[], from: number, to: number): readonly Point[] {
  const lower = (t: number): number => {
    let lo = 0, hi = points.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (points[mid]![0] < t) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const a = lower(from);
  let b = lower(to);
  while (b < points.length && points[b]![0] === to) b++;
  return a === 0 && b === points.length ? points : points.slice(a, b);
}
