// The samples of one metric series: the newest `capacity` (timestamp, value) pairs in two Float64Arrays used as
// one ring. A series holds up to 1 440 samples and the store up to 2 000 series (plus the per-task budget): as
// `[t, v]` arrays that was 72 bytes a sample on the heap, 207 MB with 2 000 full series (measured), reached only
// after 1 440 scrape intervals — so the extension host kept growing for the first half hour of a session. Here a
// sample is 16 bytes (46 MB for the same) and no garbage per sample. The arrays grow by doubling up to `capacity`:
// most series hold a few samples, and 1 440 slots up front would cost 23 KB a series before the first.

export type Sample = readonly [timestamp: number, value: number];

export class SampleRing {
  private times: Float64Array;
  private values: Float64Array;
  private start = 0;
  private count = 0;
  private overwrittenTotal = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.times = new Float64Array(Math.min(capacity, 16));
    this.values = new Float64Array(Math.min(capacity, 16));
  }

  get size(): number { return this.count; }
  /** How many samples were pushed out since creation. */
  get overwritten(): number { return this.overwrittenTotal; }

  push(timestamp: number, value: number): void {
    let slot: number;
    if (this.count < this.capacity) {
      // Not full yet, so `start` is 0 and the next slot is `count`.
      if (this.count === this.times.length) this.grow();
      slot = this.count;
      this.count++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
      this.overwrittenTotal++;
    }
    this.times[slot] = timestamp;
    this.values[slot] = value;
  }

  private grow(): void {
    const size = Math.min(this.capacity, this.times.length * 2);
    const times = new Float64Array(size);
    const values = new Float64Array(size);
    times.set(this.times);
    values.set(this.values);
    this.times = times;
    this.values = values;
  }

  /** The newest sample, or undefined when empty. */
  last(): Sample | undefined {
    if (this.count === 0) return undefined;
    const slot = (this.start + this.count - 1) % this.capacity;
    return [this.times[slot]!, this.values[slot]!];
  }

  /** Oldest first. */
  toArray(): Sample[] {
    const out: Sample[] = new Array<Sample>(this.count);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.start + i) % this.capacity;
      out[i] = [this.times[slot]!, this.values[slot]!];
    }
    return out;
  }

  /** Newest first, at most `limit` samples. */
  newest(limit: number): Sample[] {
    const n = Math.min(limit, this.count);
    const out: Sample[] = new Array<Sample>(n);
    for (let i = 0; i < n; i++) {
      const slot = (this.start + this.count - 1 - i) % this.capacity;
      out[i] = [this.times[slot]!, this.values[slot]!];
    }
    return out;
  }

  /**
   * The samples with a timestamp after `after`, oldest first, flattened as `[t0, v0, t1, v1, …]` (what the chart
   * webview takes). New samples are at the end: only those are read.
   */
  flatAfter(after: number): number[] {
    let n = 0;
    while (n < this.count && this.times[(this.start + this.count - 1 - n) % this.capacity]! > after) n++;
    const flat = new Array<number>(2 * n);
    for (let i = 0; i < n; i++) {
      const slot = (this.start + this.count - n + i) % this.capacity;
      flat[2 * i] = this.times[slot]!;
      flat[2 * i + 1] = this.values[slot]!;
    }
    return flat;
  }

  clear(): void {
    this.times = new Float64Array(Math.min(this.capacity, 16));
    this.values = new Float64Array(Math.min(this.capacity, 16));
    this.start = 0;
    this.count = 0;
  }
}
