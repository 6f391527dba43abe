// The budget for per-task metric series (a sample names its task, e.g. Propeller's process metrics: ~13–19
// series per task). Thousands of short tasks would otherwise fill the store's series cap and starve everything
// else, and the newest tasks — the ones a person looks at — would get no charts. So per-task series have a
// budget of their own, and making room evicts WHOLE tasks (a chart with half its lines is misleading):
// finished tasks first, then the least recently sampled; a task's series also go when the task leaves the store.
// Pure bookkeeping of keys: the store owns the series and deletes what this returns.

interface TaskSeriesOwner {
  readonly connectionId: string;
  readonly keys: Set<string>;
  finished: boolean;
}

const NO_KEYS: readonly string[] = Object.freeze([]);

export class TaskSeriesLru {
  /** Insertion order is recency of the last sample: a sample moves its task to the end. */
  private readonly owners = new Map<string, TaskSeriesOwner>();
  /** The task sampled last: its repeat samples (one frame carries all its series) skip the re-ordering. */
  private newest: string | undefined;
  private seriesCount = 0;

  constructor(private limit: number) {}

  get budget(): number { return this.limit; }

  /** A new budget (a setting changed): whole tasks are evicted, as for room, until the series fit; returns their keys. */
  setBudget(budget: number): string[] {
    this.limit = budget;
    const evicted: string[] = [];
    while (this.seriesCount > budget) {
      const victim = this.victim(undefined);
      if (victim === undefined) break;
      evicted.push(...this.remove(victim));
    }
    return evicted;
  }

  /** Series held, at most `budget`. */
  get size(): number { return this.seriesCount; }
  /** Tasks holding series. */
  get tasks(): number { return this.owners.size; }

  /** A sample of an existing series of task `owner`: the task becomes the most recently sampled. */
  touch(owner: string): void {
    if (owner === this.newest) return;
    const o = this.owners.get(owner);
    if (!o) return;
    this.owners.delete(owner);
    this.owners.set(owner, o);
    this.newest = owner;
  }

  /**
   * Makes room for a NEW series `key` of task `owner` and records it. Returns the keys of the series evicted for
   * it (whole tasks), or undefined when it cannot be admitted (the task alone would exceed the budget).
   */
  admit(owner: string, connectionId: string, key: string): string[] | undefined {
    if ((this.owners.get(owner)?.keys.size ?? 0) >= this.limit) return undefined;
    const evicted: string[] = [];
    while (this.seriesCount >= this.limit) {
      const victim = this.victim(owner);
      if (victim === undefined) break; // unreachable: the check above leaves another task holding series
      evicted.push(...this.remove(victim));
    }
    return this.record(owner, connectionId, key, evicted);
  }

  /** The task finished: its series are the first to go when room is needed (they are kept while there is room). */
  finished(owner: string): void {
    const o = this.owners.get(owner);
    if (o) o.finished = true;
  }

  /** Forgets a task (it left the store); returns the keys of its series. */
  remove(owner: string): readonly string[] {
    // Runs for every task evicted from the store, almost always one without series: no lookup, no array.
    if (this.owners.size === 0) return NO_KEYS;
    const o = this.owners.get(owner);
    if (!o) return NO_KEYS;
    this.owners.delete(owner);
    if (this.newest === owner) this.newest = undefined;
    this.seriesCount -= o.keys.size;
    return [...o.keys];
  }

  /** The keys of every series a task holds. */
  ownedKeys(): Set<string> {
    const keys = new Set<string>();
    for (const o of this.owners.values()) for (const key of o.keys) keys.add(key);
    return keys;
  }

  /** Forgets every task of a connection; returns the keys of their series. */
  removeConnection(connectionId: string): string[] {
    const out: string[] = [];
    for (const [owner, o] of [...this.owners]) if (o.connectionId === connectionId) out.push(...this.remove(owner));
    return out;
  }

  private record(owner: string, connectionId: string, key: string, evicted: string[]): string[] {
    let o = this.owners.get(owner);
    if (!o) {
      o = { connectionId, keys: new Set(), finished: false };
      this.owners.set(owner, o);
      this.newest = owner;
    } else {
      this.touch(owner);
    }
    o.keys.add(key);
    this.seriesCount++;
    return evicted;
  }

  /** The finished task sampled longest ago, else the task sampled longest ago; never `except` itself. */
  private victim(except: string | undefined): string | undefined {
    let oldest: string | undefined;
    for (const [owner, o] of this.owners) {
      if (owner === except) continue;
      if (o.finished) return owner;
      oldest ??= owner;
    }
    return oldest;
  }
}
