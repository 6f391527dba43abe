// De-duplication of event ids with bounded memory. Shared by every source that may receive one event twice
// (Nexus publishes an event to its global channel and again to its project or stats channel; its WebSocket
// server forwards both copies).
//
// An approximate LRU in two generations: ids go into the current set; when it holds capacity/2 ids it becomes
// the previous set and the old previous set is dropped; an id seen again in the previous set moves back to the
// current one. So the capacity/2 most recently seen ids are always remembered, never more than `capacity`, and
// every operation is O(1). (An exact LRU on a Map that evicts via `keys().next()` degrades badly under V8, whose
// ordered hash tables must skip every deleted entry at the front: ~8 µs an event at 10 000 ids.)

export class DedupSet {
  private current = new Set<string>();
  private previous = new Set<string>();
  private readonly generation: number;
  private duplicatesSeen = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be an integer ≥ 2, got ${capacity}`);
    this.generation = Math.floor(capacity / 2);
  }

  /** True the first time `id` is seen (and remembers it); false for a repeat still remembered. */
  firstSeen(id: string): boolean {
    if (this.current.has(id)) {
      this.duplicatesSeen++;
      return false;
    }
    if (this.previous.has(id)) {
      // Refresh recency: a repeat means more copies may still be on their way.
      this.previous.delete(id);
      this.add(id);
      this.duplicatesSeen++;
      return false;
    }
    this.add(id);
    return true;
  }

  /** Whether `id` is remembered, without remembering it or counting a repeat. */
  has(id: string): boolean { return this.current.has(id) || this.previous.has(id); }

  get size(): number { return this.current.size + this.previous.size; }
  /** How many repeats were dropped so far. */
  get duplicates(): number { return this.duplicatesSeen; }
  clear(): void { this.current.clear(); this.previous.clear(); }

  /**
   * Remembers an id that `has` just reported absent: one hash insert instead of `firstSeen`'s two lookups and an
   * insert (the per-frame path checks `has` first and remembers an id only once its event validated).
   */
  remember(id: string): void { this.add(id); }

  private add(id: string): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
  }
}
