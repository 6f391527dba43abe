// Per-key rate limiting for log lines: the first occurrence of a kind is logged, then at most one line per
// window with the count suppressed in between. Pure: time is passed in.

export class PerKeyRateLimit {
  private readonly lastByKey = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly windowMs: number, private readonly maxKeys = 1_000) {}

  /** Returns how many were suppressed since the last allowed one, or `undefined` when this one is suppressed. */
  allow(key: string, now: number): number | undefined {
    const entry = this.lastByKey.get(key);
    if (entry && now - entry.at < this.windowMs) {
      entry.suppressed++;
      return undefined;
    }
    if (!entry && this.lastByKey.size >= this.maxKeys) {
      const oldest = this.lastByKey.keys().next().value as string;
      this.lastByKey.delete(oldest);
    }
    const suppressed = entry?.suppressed ?? 0;
    this.lastByKey.set(key, { at: now, suppressed: 0 });
    return suppressed;
  }
}
