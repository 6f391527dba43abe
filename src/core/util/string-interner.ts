// Canonical copies of strings that recur from event to event (task types, statuses, parent ids, worker ids). A push
// source makes fresh strings for every event it decodes; whatever a model object keeps of them outlives the young
// generation with it and is copied by every scavenge, then promoted only to die in the old one. Interned, an object
// keeps the copy first seen (long-lived anyway), the fresh one dies young, and equal values are the same string, so
// comparing them (the store's "did this task change?") is a pointer check.
//
// Bounded: when `capacity` values are held it starts over (values still in use keep their strings; only sharing
// with later events is lost until they are seen again).

export class StringInterner {
  private readonly canonical = new Map<string, string>();

  constructor(private readonly capacity = 4_096) {}

  /** `value`, or the equal string seen first. */
  intern(value: string): string {
    const known = this.canonical.get(value);
    if (known !== undefined) return known;
    if (this.canonical.size >= this.capacity) this.canonical.clear();
    this.canonical.set(value, value);
    return value;
  }

  get size(): number { return this.canonical.size; }
}
