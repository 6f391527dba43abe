// The Log search panel's messages. The search runs in the host over the compact log store: the webview sends
// a query with an id, the host streams result rows in chunks (≤ 30 messages per second) and a new query
// cancels the previous one. Snapshot/deltas carry only the store's line counts, for the status line.
import type { LogLevel } from '../core/model/entities';
import type { QueryError } from '../core/search/query';
import type { SearchChunk } from '../core/search/search-runner';
import { command, notification } from './ipc';

export type { QueryError };

export interface LogStoreStats {
  readonly generatedAt: number;
  /** Lines retained now. */
  readonly retained: number;
  /** Lines ever received (sequence number of the next one). */
  readonly endSeq: number;
  readonly overwritten: number;
  readonly capacity: number;
}

/** One result line. Everything but `seq`, `t` and `level` is text from a source. */
export interface LogRow {
  readonly seq: number;
  readonly t: number;
  readonly level: LogLevel;
  readonly msg: string;
  readonly conn: string;
  readonly runner?: string;
  readonly worker?: string;
  readonly inv?: string;
  readonly task?: string;
  /** Name of the task the line belongs to, when the store knows the task. */
  readonly taskName?: string;
  /** The task's store key, when known: the line can open the task and find it on the timeline. */
  readonly taskKey?: string;
}

export interface LogSearchParams {
  readonly searchId: number;
  readonly query: string;
  /** Extra time bounds from the panel's range control (epoch ms). */
  readonly from?: number;
  readonly to?: number;
}

/** One chunk of a search's results (rows newest first, continuing the earlier chunks of the same search). */
export type LogSearchResults = SearchChunk<LogRow>;

export const LogSearchDidSnapshotNotification = notification<LogStoreStats>('logSearch/didSnapshot');
export const LogSearchDidChangeNotification = notification<LogStoreStats>('logSearch/didChange');
export const LogSearchResultsNotification = notification<LogSearchResults>('logSearch/results');
/** Host fills the search box (the panel was opened for a worker, a queue…) and runs the query. */
export const LogSearchSetQueryNotification = notification<{ readonly query: string }>('logSearch/setQuery');

export const LogSearchCommand = command<LogSearchParams>('logSearch/search');
export const LogSearchCancelCommand = command<{ readonly searchId: number }>('logSearch/cancel');
/** Open the detail of the task a result line belongs to. */
export const LogOpenTaskCommand = command<{ readonly taskKey: string }>('logSearch/openTask');
/** Show the line's moment (and its task) on the timeline. */
export const LogShowOnTimelineCommand = command<{ readonly at: number; readonly taskKey?: string }>('logSearch/showOnTimeline');

export const LOG_SEARCH_INBOUND_METHODS = ['ready', LogSearchCommand.method, LogSearchCancelCommand.method, LogOpenTaskCommand.method, LogShowOnTimelineCommand.method] as const;

/** Most result rows one search collects. */
export const LOG_SEARCH_RESULT_LIMIT = 100_000;
