// The full record of one task, loaded on demand (never kept in the store): what the task detail panel and
// the "Open Task JSON" document show. Large values arrive already truncated, with the flag and full size.
import type { Task } from './entities';

/** One value of a task (payload, result, error…), as text, possibly truncated for display. */
export interface DetailValue {
  /** JSON text when the value parsed as JSON, otherwise the raw text. */
  readonly text: string;
  readonly isJson: boolean;
  /** True when `text` is a prefix of the value; `bytes` is the full size. */
  readonly truncated: boolean;
  readonly bytes: number;
}

export interface TaskStatusChange {
  readonly status: string;
  readonly at: number;
  readonly detail?: string;
}

export interface TaskRef {
  readonly connectionId: string;
  readonly queue?: string;
  readonly id: string;
  readonly status?: string;
  readonly name?: string;
}

export interface TaskDetail {
  readonly task: Task;
  /** Named values in display order, e.g. data, options, result, error, stacktrace. */
  readonly values: Readonly<Record<string, DetailValue>>;
  readonly logs?: readonly string[];
  /** Set when the logs were cut to the newest N lines. */
  readonly logsTruncated?: boolean;
  readonly history?: readonly TaskStatusChange[];
  readonly parent?: TaskRef;
  readonly children?: readonly TaskRef[];
}

/** Default cut for values shown in panels and documents (the full value opens in an editor on request). */
export const DETAIL_VALUE_MAX_BYTES = 256 * 1024;

/** Wraps a raw value for display: pretty-printed when it is JSON, cut to `maxBytes` (UTF-16 units) with the flag. */
export function detailValue(raw: string, maxBytes: number = DETAIL_VALUE_MAX_BYTES): DetailValue {
  const bytes = new TextEncoder().encode(raw).length;
  let text = raw;
  let isJson = false;
  if (raw.length <= maxBytes) {
    try {
      text = JSON.stringify(JSON.parse(raw), null, 2);
      isJson = true;
    } catch {
      text = raw;
    }
  }
  const truncated = text.length > maxBytes;
  return { text: truncated ? text.slice(0, maxBytes) : text, isJson, truncated, bytes };
}
