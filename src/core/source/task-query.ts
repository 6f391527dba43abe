// Reads a source may offer beyond the store: paged task lists per state and a bounded task search.
// Types only (no I/O); sources implement them, the trees, commands and CLI call them through MonitorSession.
import type { Task } from '../model/entities';

export interface TaskPageRequest {
  readonly queue: string;
  readonly state: string;
  /** Index of the first row, newest first (the order `Queue.getJobs(state)` returns). */
  readonly offset: number;
  readonly limit: number;
}

export interface TaskPage {
  readonly tasks: readonly Task[];
  /** Jobs in the state when the page was read. */
  readonly total: number;
  readonly offset: number;
}

export interface TaskSearchRequest {
  /** Substring (case-insensitive) looked for in the id, name, payload, error and logs; an exact id matches first. */
  readonly text: string;
  /** Only this queue (all queues when absent). */
  readonly queue?: string;
  /** Newest jobs scanned per state per queue. */
  readonly maxJobsPerState: number;
}

export interface TaskSearchHit {
  readonly task: Task;
  /** Where the text was found: id, name, data, error, logs… */
  readonly field: string;
  /** A short excerpt around the match. */
  readonly excerpt: string;
}

export interface TaskSearchSummary {
  readonly scanned: number;
  readonly hits: number;
  /** True when a state held more jobs than were scanned, or the search was cancelled. */
  readonly partial: boolean;
  readonly cancelled: boolean;
  /** Plain words on what was not searched. */
  readonly note?: string;
}

export interface TaskLogRequest {
  readonly queue?: string;
  readonly id: string;
  /** Index of the first line, oldest first (the order `job.log()` wrote them). */
  readonly offset: number;
  readonly limit: number;
}

export interface TaskLogLine {
  /** Position in the whole log, 0 = oldest kept line. */
  readonly index: number;
  readonly text: string;
  /** True when `text` is a prefix of the line; `bytes` is the full size. */
  readonly truncated: boolean;
  readonly bytes: number;
}

export interface TaskLogPage {
  readonly lines: readonly TaskLogLine[];
  /** Lines in the log when the page was read. */
  readonly total: number;
  readonly offset: number;
}

/** A job scheduler (BullMQ 5.16+/6 `upsertJobScheduler`) or a legacy repeatable job (BullMQ ≤ 5 `repeat` option). */
export interface SchedulerView {
  /** The scheduler id, or the legacy repeat key: what "Remove scheduler" acts on. */
  readonly id: string;
  readonly kind: 'scheduler' | 'legacy';
  /** Name of the job each iteration creates (the template's name). */
  readonly name?: string;
  readonly pattern?: string;
  /** Interval in ms for `every` schedulers. */
  readonly every?: number;
  readonly tz?: string;
  /** Next run (ms since epoch), from the `repeat` zset score. */
  readonly next?: number;
  readonly iterations?: number;
  readonly limit?: number;
  readonly startDate?: number;
  readonly endDate?: number;
  /** Bytes of the template's data and options, which are not loaded. */
  readonly templateBytes?: number;
}

export interface SchedulerList {
  readonly schedulers: readonly SchedulerView[];
  /** Entries in the `repeat` zset; more than `schedulers.length` when the list was cut. */
  readonly total: number;
}
