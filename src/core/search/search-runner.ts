// Runs log searches over the compact store without blocking its thread: the scan proceeds in slices of a few
// milliseconds, results go out in chunks at most every `minIntervalMs` (≤ 30 per second by default), and
// starting a search (or cancel) abandons the running one at its next slice. Timers and the clock are
// injected, so the host passes setImmediate/setTimeout and tests pass a manual scheduler.
import type { LogRecord } from '../model/entities';
import type { LogStore } from '../store/log-store';
import { compileQuery, LogSearch, type TaskNameLookup } from './evaluate';
import { parseQuery, type QueryError } from './query';

export interface SearchRequest {
  readonly searchId: number;
  readonly query: string;
  readonly from?: number;
  readonly to?: number;
}

export interface SearchChunk<R> {
  readonly searchId: number;
  /** Rows of this chunk, newest first, continuing the previous chunks of the same search. */
  readonly rows: R[];
  readonly done: boolean;
  readonly scanned: number;
  /** Lines retained when the search started. */
  readonly total: number;
  readonly matched: number;
  /** The result cap was reached: older matches exist but were not collected. */
  readonly limited: boolean;
  readonly errors: readonly QueryError[];
  readonly elapsedMs: number;
}

export interface SearchRunnerOptions<R> {
  readonly store: () => LogStore;
  /** Turns a retained record into a result row (resolving task names, keys…). */
  readonly toRow: (record: LogRecord, seq: number) => R;
  readonly taskName?: () => TaskNameLookup | undefined;
  readonly send: (chunk: SearchChunk<R>) => void;
  /** Runs `fn` after `delayMs` (0: as soon as the thread is free). */
  readonly schedule: (fn: () => void, delayMs: number) => void;
  readonly now: () => number;
  readonly limit: number;
  readonly sliceMs?: number;
  readonly minIntervalMs?: number;
  readonly maxRowsPerChunk?: number;
}

export class SearchRunner<R> {
  private generation = 0;
  private current: number | undefined;
  private readonly sliceMs: number;
  private readonly minIntervalMs: number;
  private readonly maxRows: number;

  constructor(private readonly o: SearchRunnerOptions<R>) {
    this.sliceMs = o.sliceMs ?? 8;
    this.minIntervalMs = o.minIntervalMs ?? 34;
    this.maxRows = o.maxRowsPerChunk ?? 5_000;
  }

  /** Starts a search, cancelling any running one. */
  start(request: SearchRequest): void {
    const gen = ++this.generation;
    this.current = request.searchId;
    const parsed = parseQuery(request.query);
    const started = this.o.now();
    const store = this.o.store();
    const search = new LogSearch(store, compileQuery(parsed, { now: started, from: request.from, to: request.to }), this.o.limit, this.o.taskName?.());
    const total = store.size;
    const pending: number[] = [];
    let lastSent = -Infinity;
    const flush = (done: boolean): void => {
      const seqs = pending.splice(0, this.maxRows);
      const rows: R[] = [];
      for (const seq of seqs) {
        const record = store.get(seq);
        if (record) rows.push(this.o.toRow(record, seq));
      }
      lastSent = this.o.now();
      this.o.send({
        searchId: request.searchId, rows, done: done && pending.length === 0, scanned: search.scanned, total,
        matched: search.matched, limited: search.limited, errors: parsed.errors, elapsedMs: lastSent - started,
      });
    };
    const slice = (): void => {
      if (gen !== this.generation) return;
      const t0 = this.o.now();
      while (!search.done && this.o.now() - t0 < this.sliceMs && pending.length < this.maxRows) {
        for (const seq of search.step(1).seqs) pending.push(seq);
      }
      const wait = this.minIntervalMs - (this.o.now() - lastSent);
      if (search.done || pending.length >= this.maxRows) {
        if (wait > 0) { this.o.schedule(slice, wait); return; }
        flush(search.done);
        if (search.done && pending.length === 0) return;
      } else if (wait <= 0 && pending.length > 0) {
        flush(false);
      }
      this.o.schedule(slice, 0);
    };
    slice();
  }

  /** Abandons the running search (only if it is `searchId`, when given). */
  cancel(searchId?: number): void {
    if (searchId === undefined || searchId === this.current) this.generation++;
  }

  dispose(): void { this.generation++; }
}
