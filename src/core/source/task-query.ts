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
