// Fixed-capacity FIFO: the newest `capacity` items are kept, older ones are overwritten. The backing array grows
// with the items (up to `capacity`) rather than being allocated whole: a store holds thousands of metric series,
// most with a few samples, and 1 440 slots each up front cost ~11 KB a series before the first sample.

export class RingBuffer<T> {
  private items: (T | undefined)[] = [];
  private start = 0;
  private count = 0;
  private overwrittenTotal = 0;

  constructor(private cap: number) {
    checkCapacity(cap);
  }

  get capacity(): number { return this.cap; }

  get size(): number { return this.count; }
  /** How many items were pushed out since creation; shown to the user as "retention hit". */
  get overwritten(): number { return this.overwrittenTotal; }

  push(item: T): void {
    if (this.count < this.cap) {
      // Not yet full: `start` is still 0, so the next slot is the end of the array.
      this.items.push(item);
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.cap;
    this.overwrittenTotal++;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.cap] as T;
    return out;
  }

  /** Newest first, at most `limit` items. */
  newest(limit: number): T[] {
    const n = Math.min(limit, this.count);
    const out: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.items[(this.start + this.count - 1 - i) % this.cap] as T;
    return out;
  }

  clear(): void {
    this.items = [];
    this.start = 0;
    this.count = 0;
  }

  /** A new capacity (a setting changed): the newest items are kept, those beyond it counted as overwritten. */
  resize(capacity: number): void {
    checkCapacity(capacity);
    const kept = this.toArray().slice(-capacity);
    this.overwrittenTotal += this.count - kept.length;
    this.items = kept;
    this.start = 0;
    this.count = kept.length;
    this.cap = capacity;
  }
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
}
