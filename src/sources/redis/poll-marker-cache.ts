// What a polling source read of each task last time, keyed by task, with the cheap marker it was read under
// (a status string, a timestamp, an expiry time): a poll reads every task's marker and the full record only where
// the marker changed, so unchanged records are neither fetched, parsed nor re-emitted. Bounded: only tasks seen in
// the latest poll are kept, and never more than `capacity` (the source's own task cap).
interface Entry<V> {
  marker: string;
  value: V;
  /** The poll that last saw this task: older entries are dropped when a poll ends. */
  seenIn: number;
}

export class PollMarkerCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private poll = 0;

  constructor(readonly capacity: number) {}

  get size(): number { return this.entries.size; }

  /** Starts a poll: tasks not looked up or remembered before `endPoll` are forgotten then. */
  beginPoll(): void { this.poll++; }

  /** The value read under `marker` last time (the task counts as seen this poll), or undefined: read it in full. */
  hit(id: string, marker: string): V | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.marker !== marker) return undefined;
    entry.seenIn = this.poll;
    return entry.value;
  }

  /** Keeps a full read; beyond `capacity` it is not kept (that task is read in full again next poll). */
  remember(id: string, marker: string, value: V): void {
    const entry = this.entries.get(id);
    if (entry !== undefined) {
      entry.marker = marker;
      entry.value = value;
      entry.seenIn = this.poll;
    } else if (this.entries.size < this.capacity) {
      this.entries.set(id, { marker, value, seenIn: this.poll });
    }
  }

  /** Ends a poll: forgets tasks it did not see (deleted, expired, or beyond the source's cap this time). */
  endPoll(): void {
    for (const [id, entry] of this.entries) if (entry.seenIn !== this.poll) this.entries.delete(id);
  }

  clear(): void { this.entries.clear(); }
}
