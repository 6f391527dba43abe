// Compiles a parsed query into matchers and runs it: `matchRecord` for one LogRecord (the reference
// semantics), and `LogSearch` for the compact log store — a resumable scan that looks for the most selective
// text term in each chunk's joined text and checks the rest only on candidate lines, so a host can run it in
// slices of a few milliseconds and cancel it between slices.
import type { LogRecord } from '../model/entities';
import { LogField, levelIndex, type LogChunk, type LogStore } from '../store/log-store';
import type { StringPool } from '../store/string-pool';
import { QUERY_LEVELS, type ParsedQuery, type QueryField } from './query';

interface TextMatcher {
  /** True when the message contains the term. */
  test(message: string): boolean;
  /** A global, multiline regex equivalent, for scanning a chunk's joined text. */
  readonly scan: RegExp | undefined;
  /** A case-sensitive literal to scan with indexOf (preferred to `scan`). */
  readonly literal: string | undefined;
  readonly negate: boolean;
  readonly weight: number;
}

interface FieldMatcher { readonly field: QueryField; readonly needle: string; readonly negate: boolean }

export interface CompiledQuery {
  readonly levelMask: number;
  readonly from: number;
  readonly to: number;
  readonly texts: readonly TextMatcher[];
  readonly fields: readonly FieldMatcher[];
  /** Nothing to check: every record matches. */
  readonly matchesAll: boolean;
}

export interface CompileOptions {
  /** "Now" for relative times such as `since:15m`. */
  readonly now: number;
  /** Extra bounds from the panel's time-range controls, combined with the query's. */
  readonly from?: number;
  readonly to?: number;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function compileQuery(parsed: ParsedQuery, options: CompileOptions): CompiledQuery {
  let levelMask = (1 << QUERY_LEVELS.length) - 1;
  let from = options.from ?? -Infinity;
  let to = options.to ?? Infinity;
  const texts: TextMatcher[] = [];
  const fields: FieldMatcher[] = [];
  for (const c of parsed.clauses) {
    switch (c.kind) {
      case 'level': {
        let mask = 0;
        for (const l of c.levels) mask |= 1 << QUERY_LEVELS.indexOf(l);
        levelMask &= c.negate ? ~mask : mask;
        break;
      }
      case 'time': {
        const at = 'absolute' in c.at ? c.at.absolute : options.now - c.at.agoMs;
        if (c.bound === 'from') from = Math.max(from, at);
        else to = Math.min(to, at);
        break;
      }
      case 'field':
        fields.push({ field: c.field, needle: c.value.toLowerCase(), negate: c.negate });
        break;
      case 'text': {
        const caseSensitive = c.value !== c.value.toLowerCase();
        if (caseSensitive) {
          const value = c.value;
          texts.push({ test: (m) => m.includes(value), scan: undefined, literal: value, negate: c.negate, weight: value.length + 2 });
        } else {
          const re = new RegExp(escapeRegExp(c.value), 'i');
          texts.push({ test: (m) => re.test(m), scan: new RegExp(re.source, 'gim'), literal: undefined, negate: c.negate, weight: c.value.length });
        }
        break;
      }
      case 'regex': {
        // Multiline, so ^ and $ mean the start and end of any line of a message, as in the chunk scan.
        const re = new RegExp(c.source, `${c.flags}m`);
        texts.push({ test: (m) => re.test(m), scan: new RegExp(c.source, `${c.flags}gm`), literal: undefined, negate: c.negate, weight: 1 });
        break;
      }
    }
  }
  texts.sort((a, b) => Number(a.negate) - Number(b.negate) || b.weight - a.weight);
  const matchesAll = levelMask === (1 << QUERY_LEVELS.length) - 1 && from === -Infinity && to === Infinity && texts.length === 0 && fields.length === 0;
  return { levelMask, from, to, texts, fields, matchesAll };
}

/** Resolves a task id to its name, so `task:send_email` finds the lines of every send_email task. */
export type TaskNameLookup = (taskId: string) => string | undefined;

function fieldValue(record: LogRecord, field: QueryField): string | undefined {
  switch (field) {
    case 'connection': return record.connectionId;
    case 'system': return record.system;
    default: return record[field];
  }
}

function fieldMatches(value: string | undefined, field: QueryField, needle: string, taskName?: TaskNameLookup): boolean {
  if (value === undefined) return false;
  if (value.toLowerCase().includes(needle)) return true;
  if (field === 'task' && taskName) return taskName(value)?.toLowerCase().includes(needle) ?? false;
  return false;
}

/** The reference semantics: does one record match? */
export function matchRecord(q: CompiledQuery, record: LogRecord, taskName?: TaskNameLookup): boolean {
  const level = levelIndex(record.level) ?? 2;
  if (!(q.levelMask & (1 << level))) return false;
  if (record.timestamp < q.from || record.timestamp > q.to) return false;
  for (const f of q.fields) if (fieldMatches(fieldValue(record, f.field), f.field, f.needle, taskName) === f.negate) return false;
  for (const t of q.texts) if (t.test(record.message) === t.negate) return false;
  return true;
}

const FIELD_COLUMN: Readonly<Record<QueryField, number>> = {
  connection: LogField.Connection, system: LogField.System, runner: LogField.Runner,
  worker: LogField.Worker, invocation: LogField.Invocation, task: LogField.Task,
};

export interface SearchStep {
  /** Matching sequence numbers found in this step, newest first. */
  readonly seqs: number[];
  readonly done: boolean;
  /** The result limit was reached before the whole store was scanned. */
  readonly limited: boolean;
}

/**
 * A scan of the store from the newest record to the oldest, in chunk-sized steps. Records appended after the
 * search started are not included (the caller starts a new search, or follows live with `matchRecord`).
 */
export class LogSearch {
  private readonly chunks: readonly LogChunk[];
  private readonly counts: number[];
  private readonly head: number;
  private next: number;
  private found = 0;
  private limitedFlag = false;
  /** Per field, per interned id: 0 unknown, 1 match, 2 no match. */
  private readonly fieldCache: Uint8Array[];
  private readonly pool: StringPool;
  scanned = 0;

  constructor(store: LogStore, private readonly q: CompiledQuery, private readonly limit: number, private readonly taskName?: TaskNameLookup) {
    const snap = store.snapshotChunks();
    this.chunks = snap.chunks;
    this.counts = snap.chunks.map((c) => c.count);
    this.head = snap.head;
    this.next = this.chunks.length - 1;
    this.pool = store.pool;
    this.fieldCache = q.fields.map(() => new Uint8Array(store.pool.idLimit + 1));
  }

  get done(): boolean { return this.next < 0 || this.limitedFlag; }
  get matched(): number { return this.found; }
  get limited(): boolean { return this.limitedFlag; }

  /** Scans up to `maxChunks` chunks (newest first) and returns what matched there. */
  step(maxChunks = 1): SearchStep {
    const seqs: number[] = [];
    for (let k = 0; k < maxChunks && !this.done; k++) {
      const c = this.next--;
      const chunk = this.chunks[c]!;
      const from = c === 0 ? this.head : 0;
      const count = this.counts[c]!;
      const local: number[] = [];
      this.scanChunk(chunk, from, count, local);
      this.scanned += count - from;
      for (let i = local.length - 1; i >= 0; i--) {
        seqs.push(chunk.baseSeq + local[i]!);
        if (++this.found >= this.limit) {
          this.limitedFlag = i > 0 || this.next >= 0;
          this.next = -1;
          break;
        }
      }
    }
    return { seqs, done: this.done, limited: this.limitedFlag };
  }

  private fieldOk(chunk: LogChunk, i: number): boolean {
    const fields = this.q.fields;
    for (let f = 0; f < fields.length; f++) {
      const m = fields[f]!;
      const id = chunk.fields[FIELD_COLUMN[m.field]]![i]!;
      let cache = this.fieldCache[f]!;
      if (id >= cache.length) {
        const grown = new Uint8Array(Math.max(id + 1, cache.length * 2));
        grown.set(cache);
        this.fieldCache[f] = cache = grown;
      }
      let v = cache[id]!;
      if (v === 0) {
        v = fieldMatches(id === 0 ? undefined : this.pool.get(id), m.field, m.needle, this.taskName) ? 1 : 2;
        cache[id] = v;
      }
      if ((v === 1) === m.negate) return false;
    }
    return true;
  }

  /** Everything but the lead text term (index `skip`), on record `i`. */
  private recordOk(chunk: LogChunk, i: number, skip: number): boolean {
    const q = this.q;
    if (!(q.levelMask & (1 << chunk.levels[i]!))) return false;
    const t = chunk.timestamps[i]!;
    if (t < q.from || t > q.to) return false;
    if (q.fields.length && !this.fieldOk(chunk, i)) return false;
    if (q.texts.length > (skip < 0 ? 0 : 1)) {
      const message = chunk.message(i);
      for (let k = 0; k < q.texts.length; k++) {
        if (k === skip) continue;
        const m = q.texts[k]!;
        if (m.test(message) === m.negate) return false;
      }
    }
    return true;
  }

  private scanChunk(chunk: LogChunk, from: number, count: number, out: number[]): void {
    const lead = this.q.texts[0];
    if (!lead || lead.negate) {
      if (this.q.matchesAll) { for (let i = from; i < count; i++) out.push(i); return; }
      for (let i = from; i < count; i++) if (this.recordOk(chunk, i, -1)) out.push(i);
      return;
    }
    const text = chunk.text();
    const endOfScan = chunk.ends[count - 1]!;
    let pos = chunk.start(from);
    let i = from;
    if (lead.literal !== undefined) {
      const needle = lead.literal;
      while (pos <= endOfScan) {
        const hit = text.indexOf(needle, pos);
        if (hit < 0 || hit >= endOfScan + 1) return;
        i = chunk.indexAt(hit, i);
        if (i >= count) return;
        if (hit + needle.length <= chunk.ends[i]!) {
          if (this.recordOk(chunk, i, 0)) out.push(i);
          i++;
          pos = i < count ? chunk.start(i) : endOfScan + 1;
        } else {
          pos = hit + 1; // straddles a separator: not inside one message
        }
      }
      return;
    }
    const re = lead.scan!;
    while (pos <= endOfScan && i < count) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) return;
      i = chunk.indexAt(m.index, i);
      if (i >= count) return;
      const within = m.index + m[0].length <= chunk.ends[i]! && m.index >= chunk.start(i);
      // A match across a separator says nothing about one message: decide on the message alone.
      const hit = within || lead.test(chunk.message(i));
      if (hit && this.recordOk(chunk, i, 0)) out.push(i);
      i++;
      pos = i < count ? chunk.start(i) : endOfScan + 1;
    }
  }
}
