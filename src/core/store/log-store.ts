// Compact retained logs: the newest `capacity` records in fixed-size chunks of columns — timestamps in a
// Float64Array, levels in a Uint8Array, connection/system/runner/worker/invocation/task as interned ids in
// Uint32Arrays, and the messages of a chunk joined into one string with an end-offset column. One million
// 80-character lines take ~120 MB this way instead of ~600 MB as objects. Records are addressed by a global
// sequence number (the n-th record ever pushed), so a search result stays valid while newer lines arrive.
import type { LogLevel, LogRecord } from '../model/entities';
import type { SystemId } from '../model/connection';
import { StringPool } from './string-pool';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const LEVEL_INDEX: Readonly<Record<string, number>> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** Longer messages are cut here, with a visible marker, so one huge line cannot take the memory budget. */
export const MAX_LOG_MESSAGE = 16_384;
export const TRUNCATION_MARK = ' …[truncated]';
const SEPARATOR = '\n';

export const LogField = { Connection: 0, System: 1, Runner: 2, Worker: 3, Invocation: 4, Task: 5 } as const;
export type LogFieldIndex = (typeof LogField)[keyof typeof LogField];
export const LOG_FIELD_COUNT = 6;

/** One chunk of records, read by the search engine. Index `i` of the chunk is sequence `baseSeq + i`. */
export class LogChunk {
  readonly timestamps: Float64Array;
  readonly levels: Uint8Array;
  /** `fields[f][i]`: interned id of field `f` of record `i` (0 = absent). */
  readonly fields: Uint32Array[];
  /** End offset in `text()` of each message; a message starts one separator after the previous end. */
  readonly ends: Uint32Array;
  count = 0;
  private parts: string[] | undefined = [];
  private joined: string | undefined;
  private length = 0;

  constructor(readonly baseSeq: number, readonly capacity: number) {
    this.timestamps = new Float64Array(capacity);
    this.levels = new Uint8Array(capacity);
    this.fields = Array.from({ length: LOG_FIELD_COUNT }, () => new Uint32Array(capacity));
    this.ends = new Uint32Array(capacity);
  }

  get full(): boolean { return this.count === this.capacity; }

  push(timestamp: number, level: number, ids: readonly number[], message: string): void {
    const i = this.count++;
    this.timestamps[i] = timestamp;
    this.levels[i] = level;
    for (let f = 0; f < LOG_FIELD_COUNT; f++) this.fields[f]![i] = ids[f]!;
    this.length += (i === 0 ? 0 : SEPARATOR.length) + message.length;
    this.ends[i] = this.length;
    this.parts!.push(message);
    this.joined = undefined;
    if (this.full) {
      // Sealed: one flat string replaces the array of small ones.
      this.joined = this.parts!.join(SEPARATOR);
      this.parts = undefined;
    }
  }

  /** All messages of the chunk joined by a newline; `ends` locates each one. */
  text(): string {
    this.joined ??= this.parts!.join(SEPARATOR);
    return this.joined;
  }

  start(i: number): number { return i === 0 ? 0 : this.ends[i - 1]! + SEPARATOR.length; }

  message(i: number): string {
    if (this.parts) return this.parts[i]!;
    return this.joined!.slice(this.start(i), this.ends[i]);
  }

  /** Index of the record whose message contains text offset `pos` (a separator belongs to the next record). */
  indexAt(pos: number, from = 0): number {
    let lo = from;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class LogStore {
  readonly pool = new StringPool();
  private chunks: LogChunk[] = [];
  /** Dead records at the front of the first chunk. */
  private head = 0;
  private live = 0;
  private pushed = 0;
  private overwrittenTotal = 0;
  private readonly chunkSize: number;
  private readonly ids: number[] = new Array<number>(LOG_FIELD_COUNT).fill(0);

  constructor(private cap: number, chunkSize = 4_096) {
    if (!Number.isInteger(cap) || cap <= 0) throw new RangeError(`capacity must be a positive integer, got ${cap}`);
    this.chunkSize = Math.max(1, Math.min(chunkSize, cap));
  }

  get capacity(): number { return this.cap; }

  /** A new capacity (a setting changed): the newest records are kept, older ones counted as overwritten. */
  setCapacity(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.cap = capacity;
    while (this.live > capacity) this.evictOldest();
  }

  get size(): number { return this.live; }
  get overwritten(): number { return this.overwrittenTotal; }
  /** Sequence number of the oldest retained record. */
  get firstSeq(): number { return this.pushed - this.live; }
  /** One past the newest record's sequence number. */
  get endSeq(): number { return this.pushed; }

  push(record: LogRecord): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.full) {
      last = new LogChunk(this.pushed, this.chunkSize);
      this.chunks.push(last);
    }
    const ids = this.ids;
    ids[LogField.Connection] = this.pool.acquire(record.connectionId);
    ids[LogField.System] = this.pool.acquire(record.system);
    ids[LogField.Runner] = this.pool.acquire(record.runner);
    ids[LogField.Worker] = this.pool.acquire(record.worker);
    ids[LogField.Invocation] = this.pool.acquire(record.invocation);
    ids[LogField.Task] = this.pool.acquire(record.task);
    let message = typeof record.message === 'string' ? record.message : String(record.message);
    if (message.length > MAX_LOG_MESSAGE) message = message.slice(0, MAX_LOG_MESSAGE) + TRUNCATION_MARK;
    last.push(record.timestamp, LEVEL_INDEX[record.level] ?? 2, ids, message);
    this.pushed++;
    this.live++;
    if (this.live > this.cap) this.evictOldest();
  }

  private evictOldest(): void {
    const first = this.chunks[0]!;
    for (let f = 0; f < LOG_FIELD_COUNT; f++) this.pool.release(first.fields[f]![this.head]!);
    this.head++;
    this.live--;
    this.overwrittenTotal++;
    if (this.head === first.capacity) {
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Live chunks oldest first, each with the index of its first live record. */
  *liveChunks(): IterableIterator<{ chunk: LogChunk; from: number }> {
    for (let c = 0; c < this.chunks.length; c++) yield { chunk: this.chunks[c]!, from: c === 0 ? this.head : 0 };
  }

  /** The chunks as an array (oldest first) and the first live index of the first one; for resumable scans. */
  snapshotChunks(): { chunks: readonly LogChunk[]; head: number } {
    return { chunks: this.chunks.slice(), head: this.head };
  }

  /** Whether `seq` is still retained. */
  has(seq: number): boolean { return seq >= this.firstSeq && seq < this.pushed; }

  get(seq: number): LogRecord | undefined {
    if (!this.has(seq)) return undefined;
    const first = this.chunks[0]!;
    const c = Math.floor((seq - first.baseSeq) / this.chunkSize);
    const chunk = this.chunks[c]!;
    return this.materialize(chunk, seq - chunk.baseSeq);
  }

  materialize(chunk: LogChunk, i: number): LogRecord {
    const p = this.pool;
    const record: { -readonly [K in keyof LogRecord]: LogRecord[K] } = {
      connectionId: p.get(chunk.fields[LogField.Connection]![i]!) ?? '',
      system: (p.get(chunk.fields[LogField.System]![i]!) ?? '') as SystemId,
      timestamp: chunk.timestamps[i]!,
      level: LOG_LEVELS[chunk.levels[i]!] ?? 'info',
      message: chunk.message(i),
    };
    const runner = p.get(chunk.fields[LogField.Runner]![i]!);
    const worker = p.get(chunk.fields[LogField.Worker]![i]!);
    const invocation = p.get(chunk.fields[LogField.Invocation]![i]!);
    const task = p.get(chunk.fields[LogField.Task]![i]!);
    if (runner !== undefined) record.runner = runner;
    if (worker !== undefined) record.worker = worker;
    if (invocation !== undefined) record.invocation = invocation;
    if (task !== undefined) record.task = task;
    return record;
  }

  /** Oldest first. */
  toArray(): LogRecord[] {
    const out: LogRecord[] = [];
    for (const { chunk, from } of this.liveChunks()) for (let i = from; i < chunk.count; i++) out.push(this.materialize(chunk, i));
    return out;
  }

  /** Newest first, at most `limit`. */
  newest(limit: number): LogRecord[] {
    const out: LogRecord[] = [];
    for (let seq = this.pushed - 1; seq >= this.firstSeq && out.length < limit; seq--) out.push(this.get(seq)!);
    return out;
  }

  clear(): void {
    this.overwrittenTotal += this.live;
    this.chunks = [];
    this.head = 0;
    this.live = 0;
    this.pool.clear();
  }
}

export function levelIndex(level: string): number | undefined { return LEVEL_INDEX[level]; }
