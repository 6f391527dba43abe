// Interned strings with reference counts: repeated values (runner, worker, task ids) are stored once and
// referred to by a small integer; a value no retained record uses any more is released. Id 0 means "absent".

export class StringPool {
  private readonly ids = new Map<string, number>();
  private values: (string | undefined)[] = [undefined];
  private refs = new Uint32Array(64);
  private readonly free: number[] = [];

  /** Number of distinct live strings. */
  get size(): number { return this.ids.size; }

  /** Upper bound (exclusive) of ids handed out so far; sizes per-id caches. */
  get idLimit(): number { return this.values.length; }

  /** Takes a reference to `value` and returns its id (0 for undefined). */
  acquire(value: string | undefined): number {
    if (value === undefined) return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.free.pop() ?? this.values.length;
      if (id === this.values.length) this.values.push(value);
      else this.values[id] = value;
      if (id >= this.refs.length) {
        const grown = new Uint32Array(Math.max(this.refs.length * 2, id + 1));
        grown.set(this.refs);
        this.refs = grown;
      }
      this.ids.set(value, id);
    }
    this.refs[id]!++;
    return id;
  }

  /** Drops one reference; the string is forgotten when none is left. */
  release(id: number): void {
    if (id === 0) return;
    const left = --this.refs[id]!;
    if (left > 0) return;
    const value = this.values[id];
    if (value !== undefined) this.ids.delete(value);
    this.values[id] = undefined;
    this.free.push(id);
  }

  get(id: number): string | undefined { return this.values[id]; }

  idOf(value: string): number | undefined { return this.ids.get(value); }

  /** Live `[id, value]` pairs. */
  *entries(): IterableIterator<[number, string]> {
    for (const [value, id] of this.ids) yield [id, value];
  }

  clear(): void {
    this.ids.clear();
    this.values = [undefined];
    this.refs = new Uint32Array(64);
    this.free.length = 0;
  }
}
