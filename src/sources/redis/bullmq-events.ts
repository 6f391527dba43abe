// Live updates from BullMQ's events streams (`<prefix>:<queue>:events`): ONE dedicated connection for all
// queues. A normal round is ONE plain XREAD that starts just BEFORE the last id read, so the first entry it
// returns must be that last entry itself: trimming only ever removes the oldest entries, so while our last
// entry is still there nothing after it can have been lost. Only a stream whose last entry is gone (or that
// has no real last id yet, or is due a periodic check) is checked exactly: that round reads it atomically
// with its XINFO (MULTI: XINFO STREAM… + XREAD COUNT); when the first entry is newer than the last id read,
// the entries added since (`entries-added`, Redis ≥ 7) must all still be there, or some were lost. Without
// `entries-added` (Redis < 7) a first entry newer than the last id read counts as a gap (may over-report).
// When nothing is new it waits with XREAD BLOCK (a wake-up only; the next round re-reads).
// A gap, a recreated stream or an unreadable key makes the queue resync.
import type Redis from 'ioredis';

export interface StreamEvent {
  readonly queue: string;
  readonly id: string;
  readonly event: string;
  /**
   * The entry's pairs as Redis sent them (name, value, name, value…), read with `streamField`: no object is
   * built per event, since at ~35k events/s per busy queue only `event` is needed on the hot path.
   */
  readonly fields: readonly string[];
}

/** The value of field `name` in a stream entry's flat pairs. */
export function streamField(fields: readonly string[], name: string): string | undefined {
  for (let j = 0; j + 1 < fields.length; j += 2) if (fields[j] === name) return fields[j + 1];
  return undefined;
}

export interface EventsReaderHooks {
  /** Entries read in one round, in stream order per queue. */
  onEvents(events: readonly StreamEvent[]): void;
  /** The stream of `queue` lost entries before they were read (or was recreated): counts must be re-read. */
  onGap(queue: string, detail: string): void;
  /** The events key of `queue` is not a stream: it is left out until the queue is rediscovered. */
  onBadKey(queue: string, detail: string): void;
  onError(error: Error): void;
}

export interface EventsReaderOptions {
  readonly blockMs: number;
  readonly count: number;
  /** Every stream is checked with XINFO at least this often (catches a stream recreated behind our back). */
  readonly checkEveryMs?: number;
}

const CHECK_EVERY_MS = 5_000;

/** The id just before `id` (XREAD is exclusive), or undefined for `0-0`, which has none. */
export function previousStreamId(id: string): string | undefined {
  const [msText = '0', seqText = '0'] = id.split('-');
  const ms = BigInt(msText);
  const seq = BigInt(seqText);
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms > 0n) return `${ms - 1n}-18446744073709551615`;
  return undefined;
}

/** Compares stream ids `ms-seq` numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm);
  if (d !== 0n) return d < 0n ? -1 : 1;
  const e = BigInt(as) - BigInt(bs);
  return e === 0n ? 0 : e < 0n ? -1 : 1;
}

/** XINFO STREAM's flat reply as a map. */
export function parseXinfo(reply: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out.set(String(reply[i]), reply[i + 1]);
  return out;
}

/** Where a reader stands in one stream: the last id read and how many entries the stream had added up to it. */
export interface StreamCursor {
  lastId: string;
  /** `entries-added` at `lastId`; undefined when unknown (Redis < 7). */
  addedAtLast?: number;
}

/**
 * Whether entries after the cursor were trimmed before being read, given the stream's XINFO taken atomically
 * with the read. Also reports a stream recreated behind our back (its last generated id is older than ours).
 */
export function detectGap(cursor: StreamCursor, info: Map<string, unknown>): string | undefined {
  const lastGenerated = info.get('last-generated-id');
  if (typeof lastGenerated === 'string' && compareStreamIds(lastGenerated, cursor.lastId) < 0) return `the stream was recreated (last id ${lastGenerated} < ${cursor.lastId} read)`;
  const first = firstEntryId(info);
  if (!first || compareStreamIds(first, cursor.lastId) <= 0) return undefined; // nothing after our last id was trimmed
  const added = numberOf(info.get('entries-added'));
  const length = numberOf(info.get('length'));
  if (added !== undefined && length !== undefined && cursor.addedAtLast !== undefined) {
    const since = added - cursor.addedAtLast;
    return since > length ? `${since - length} entries after ${cursor.lastId} were trimmed before they were read` : undefined;
  }
  return `the oldest entry ${first} is newer than the last read ${cursor.lastId}`;
}

/** The cursor after reading `read` entries (newest `newLastId`) in the round `info` was taken with. */
export function advanceCursor(cursor: StreamCursor, info: Map<string, unknown>, read: number, newLastId: string | undefined): StreamCursor {
  const added = numberOf(info.get('entries-added'));
  if (read === 0 || newLastId === undefined) return cursor.addedAtLast === undefined && info.get('last-generated-id') === cursor.lastId ? { ...cursor, addedAtLast: added } : cursor;
  if (added === undefined) return { lastId: newLastId };
  if (info.get('last-generated-id') === newLastId) return { lastId: newLastId, addedAtLast: added };
  const first = firstEntryId(info);
  const length = numberOf(info.get('length'));
  if (first && compareStreamIds(first, cursor.lastId) > 0 && length !== undefined) return { lastId: newLastId, addedAtLast: added - (length - read) };
  return { lastId: newLastId, addedAtLast: cursor.addedAtLast === undefined ? undefined : cursor.addedAtLast + read };
}

function firstEntryId(info: Map<string, unknown>): string | undefined {
  const first = info.get('first-entry');
  return Array.isArray(first) && first.length > 0 ? String(first[0]) : undefined;
}

function numberOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export class BullmqEventsReader {
  private readonly cursors = new Map<string, StreamCursor>();
  private readonly excluded = new Set<string>();
  /** Streams whose next round must be an exact (XINFO) check. */
  private readonly toCheck = new Set<string>();
  private lastFullCheck = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Rounds, exact XINFO checks and gaps so far (tests and benchmarks read them). */
  stats = { rounds: 0, checks: 0, entries: 0, gaps: 0 };

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly hooks: EventsReaderHooks,
    private readonly options: EventsReaderOptions = { blockMs: 2_000, count: 1_000 },
  ) {}

  /** Starts following every stream from its current end (or, for replays and benchmarks, from its start). */
  async start(queues: readonly string[], from: 'end' | 'start' = 'end'): Promise<void> {
    await this.setQueues(queues);
    if (from === 'start') for (const q of queues) this.cursors.set(q, { lastId: '0-0', addedAtLast: 0 });
    this.running = true;
    this.lastFullCheck = 0; // the first round checks every stream
    this.loop = this.run();
  }

  /** Adds queues (read from their current end) and forgets removed ones; a rediscovered bad key is retried. */
  async setQueues(queues: readonly string[]): Promise<void> {
    const fresh = queues.filter((q) => !this.cursors.has(q));
    for (const q of [...this.cursors.keys()]) if (!queues.includes(q)) { this.cursors.delete(q); this.toCheck.delete(q); }
    this.excluded.clear();
    if (fresh.length === 0) return;
    // Reading from the current end: the counts read at connect already cover what came before.
    const infos = await Promise.all(fresh.map(async (q) => {
      try { return parseXinfo(await this.client.call('XINFO', 'STREAM', this.key(q))); } catch { return undefined; }
    }));
    fresh.forEach((q, i) => {
      const info = infos[i];
      const last = info?.get('last-generated-id');
      this.cursors.set(q, typeof last === 'string' ? { lastId: last, addedAtLast: numberOf(info?.get('entries-added')) } : { lastId: '0-0', addedAtLast: 0 });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
  }

  private key(queue: string): string { return `${this.prefix}:${queue}:events`; }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const read = await this.round();
        if (!this.running) break;
        if (read === 0) await this.wait();
      } catch (error) {
        if (!this.running) break;
        this.hooks.onError(error instanceof Error ? error : new Error(String(error)));
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /**
   * One read of every stream; returns how many entries were read (or 1 when a stream needs an exact check, so
   * the loop runs again at once). Streams due a check are read atomically with their XINFO.
   */
  private async round(): Promise<number> {
    const queues = [...this.cursors.keys()].filter((q) => !this.excluded.has(q));
    if (queues.length === 0) return 0;
    this.stats.rounds++;
    const checkEvery = this.options.checkEveryMs ?? CHECK_EVERY_MS;
    const now = Date.now();
    const fullCheck = now - this.lastFullCheck >= checkEvery;
    if (fullCheck) this.lastFullCheck = now;
    // From just before our last entry (fast path), or from the last id itself for the streams checked exactly.
    const checked: string[] = [];
    const from = queues.map((q) => {
      const lastId = this.cursors.get(q)?.lastId ?? '0-0';
      const before = fullCheck || this.toCheck.has(q) ? undefined : previousStreamId(lastId);
      if (before === undefined) checked.push(q);
      return before ?? lastId;
    });
    const xread = ['COUNT', String(this.options.count + 1), 'STREAMS', ...queues.map((q) => this.key(q)), ...from];
    let infoReplies: [Error | null, unknown][] = [];
    let readReply: unknown;
    let badKey = false;
    if (checked.length === 0) {
      readReply = await this.client.call('XREAD', ...xread);
    } else {
      this.stats.checks++;
      const multi = this.client.multi();
      for (const q of checked) multi.call('XINFO', 'STREAM', this.key(q));
      multi.call('XREAD', ...xread);
      const replies = (await multi.exec()) ?? [];
      infoReplies = replies.slice(0, checked.length) as [Error | null, unknown][];
      const [readErr, reply] = replies[checked.length] ?? [];
      readReply = reply;
      badKey = this.applyChecks(checked, infoReplies);
      if (readErr) {
        if (badKey) return 1; // the bad key made XREAD fail; the next round leaves it out
        throw readErr;
      }
    }
    const infos = new Map<string, Map<string, unknown>>();
    checked.forEach((q, i) => { if (!infoReplies[i]?.[0]) infos.set(q, parseXinfo(infoReplies[i]?.[1])); });
    const fast = new Set(queues.filter((q) => !checked.includes(q)));
    const events: StreamEvent[] = [];
    const seen = new Set<string>();
    let again = false;
    for (const [key, entries] of (readReply as [string, [string, string[]][]][] | null) ?? []) {
      const queue = key.slice(this.prefix.length + 1, key.length - ':events'.length);
      const cursor = this.cursors.get(queue);
      if (!cursor) continue;
      seen.add(queue);
      let start = 0;
      if (fast.has(queue)) {
        if (entries[0]?.[0] !== cursor.lastId) {
          // Our last entry is gone: something may have been trimmed unread. Re-read this stream exactly.
          this.toCheck.add(queue);
          again = true;
          continue;
        }
        start = 1;
      } else if (entries.length > this.options.count) {
        entries.length = this.options.count; // COUNT + 1 is for the fast streams' repeated last entry
      }
      const last = entries.length > start ? entries[entries.length - 1]![0] : undefined;
      for (let e = start; e < entries.length; e++) {
        const [id, flat] = entries[e]!;
        // bullmq writes `event` first; other writers are looked up.
        events.push({ queue, id, event: (flat[0] === 'event' ? flat[1] : streamField(flat, 'event')) ?? '', fields: flat });
      }
      const read = entries.length - start;
      const info = infos.get(queue);
      if (info) this.cursors.set(queue, advanceCursor(cursor, info, read, last));
      else if (read > 0 && last !== undefined) this.cursors.set(queue, { lastId: last, addedAtLast: cursor.addedAtLast === undefined ? undefined : cursor.addedAtLast + read });
    }
    for (const q of fast) {
      // Not even our last entry came back: it was trimmed or the stream deleted. Check it exactly.
      if (!seen.has(q)) { this.toCheck.add(q); again = true; }
    }
    for (const [q, info] of infos) {
      this.toCheck.delete(q);
      if (!seen.has(q)) { const cursor = this.cursors.get(q); if (cursor) this.cursors.set(q, advanceCursor(cursor, info, 0, undefined)); }
    }
    // A stream with no key yet stays in toCheck: checked each round like before (it has no entry to anchor on).
    this.stats.entries += events.length;
    if (events.length > 0) this.hooks.onEvents(events);
    return events.length > 0 || again || badKey ? Math.max(1, events.length) : 0;
  }

  /** Gap detection for the streams read with their XINFO; returns whether a key turned out not to be a stream. */
  private applyChecks(checked: readonly string[], replies: readonly [Error | null, unknown][]): boolean {
    let badKey = false;
    checked.forEach((q, i) => {
      const [err, info] = replies[i] ?? [];
      if (err) {
        if (/WRONGTYPE/.test(err.message)) {
          this.excluded.add(q);
          badKey = true;
          this.hooks.onBadKey(q, `${this.key(q)}: ${err.message}`);
        }
        return; // no such key yet: nothing to read
      }
      const cursor = this.cursors.get(q) ?? { lastId: '0-0', addedAtLast: 0 };
      const gap = detectGap(cursor, parseXinfo(info));
      if (gap) {
        // The resync re-reads counts as of now; the entries still in the stream are read below.
        this.stats.gaps++;
        if (/recreated/.test(gap)) this.cursors.set(q, { lastId: '0-0', addedAtLast: 0 });
        this.hooks.onGap(q, gap);
      }
    });
    return badKey;
  }

  /** Blocks until any stream has an entry past our last id (or the timeout); the data is re-read atomically next round. */
  private async wait(): Promise<void> {
    const queues = [...this.cursors.keys()].filter((q) => !this.excluded.has(q));
    if (queues.length === 0) {
      await new Promise((r) => setTimeout(r, this.options.blockMs));
      return;
    }
    await this.client.call('XREAD', 'COUNT', '1', 'BLOCK', String(this.options.blockMs), 'STREAMS', ...queues.map((q) => this.key(q)), ...queues.map((q) => this.cursors.get(q)?.lastId ?? '0-0'));
  }
}
