// A FIFO capped in bytes rather than in items: the newest entries whose sizes add up to at most `capacityBytes`
// are kept, older ones are dropped and counted. Used for raw per-topic histories, whose entries vary in size.

export class ByteRing<T> {
  private items: T[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  private droppedTotal = 0;

  constructor(readonly capacityBytes: number, private readonly sizeOf: (item: T) => number) {
    if (!Number.isFinite(capacityBytes) || capacityBytes <= 0) throw new RangeError(`capacityBytes must be positive, got ${capacityBytes}`);
  }

  get size(): number { return this.items.length - this.head; }
  get byteSize(): number { return this.bytes; }
  /** Entries dropped to stay under the cap (including ones refused for being larger than the cap on their own). */
  get dropped(): number { return this.droppedTotal; }

  /** Adds an entry; returns false (and counts it dropped) when it alone is larger than the cap. */
  push(item: T): boolean {
    const size = Math.max(0, this.sizeOf(item));
    if (size > this.capacityBytes) {
      this.droppedTotal++;
      return false;
    }
    this.items.push(item);
    this.sizes.push(size);
    this.bytes += size;
    while (this.bytes > this.capacityBytes) this.dropOldest();
    return true;
  }

  /** Removes the oldest entry; returns its size (0 when empty). */
  dropOldest(): number {
    if (this.size === 0) return 0;
    const size = this.sizes[this.head] ?? 0;
    this.items[this.head] = undefined as unknown as T;
    this.head++;
    this.bytes -= size;
    this.droppedTotal++;
    // Compact once the dead prefix dominates, so memory stays proportional to what is kept.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return size;
  }

  /** Oldest first. */
  toArray(): T[] { return this.items.slice(this.head); }

  /** Newest first, at most `limit`. */
  newest(limit: number): T[] {
    const out: T[] = [];
    for (let i = this.items.length - 1; i >= this.head && out.length < limit; i--) out.push(this.items[i] as T);
    return out;
  }

  clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }
}
