// The Overview's event stream: each MonitorEvent as one short text row (type, connection, project, task,
// summary), numbered so deltas append exactly what is new, plus the filter the webview applies.
import { eventConnection, eventTime, type MonitorEvent, type MonitorEventType } from '../model/events';
import type { MonitorStore } from '../store/monitor-store';

export interface EventRow {
  /** Position in the store's event sequence: increasing, unique within a session. */
  readonly id: number;
  readonly at: number;
  readonly type: MonitorEventType;
  /** The source: the connection that reported the event. */
  readonly connectionId: string;
  /** Queue or workflow the event belongs to, when it has one. */
  readonly project?: string;
  readonly task?: string;
  readonly summary: string;
}

export interface EventFilter {
  /** Empty: every type. */
  readonly types: readonly string[];
  readonly project: string;
  readonly task: string;
  readonly source: string;
}

export const EMPTY_EVENT_FILTER: EventFilter = { types: [], project: '', task: '', source: '' };
export const MAX_SUMMARY = 300;
/** Rows sent in a snapshot or a delta at most; older rows stay in the store's ring. */
export const MAX_STREAM_ROWS = 5_000;

const cut = (s: string): string => (s.length > MAX_SUMMARY ? `${s.slice(0, MAX_SUMMARY - 1)}…` : s);

export function summarizeEvent(e: MonitorEvent): string {
  switch (e.type) {
    case 'connection.added': return `connection ${e.name} added (${e.system} over ${e.kind})`;
    case 'connection.removed': return 'connection removed';
    case 'connection.state': return `connection ${e.state}${e.error ? `: ${e.error}` : ''}${e.retryInMs !== undefined ? ` — retry in ${Math.round(e.retryInMs / 1000)} s` : ''}`;
    case 'connection.rejected': return `rejected a frame: ${e.reason}`;
    case 'connection.notice': return e.text === undefined ? `${e.topic}: limitation cleared` : `${e.topic}: ${e.text}`;
    case 'queue.upsert': {
      const counts = Object.entries(e.queue.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(' · ');
      return `queue ${e.queue.name}${e.queue.paused ? ' (paused)' : ''}: ${counts || 'empty'}`;
    }
    case 'queue.removed': return `queue ${e.name} removed`;
    case 'worker.upsert': return `worker ${e.worker.id} ${e.worker.status}${e.worker.currentTask ? ` on ${e.worker.currentTask}` : ''}`;
    case 'worker.removed': return `worker ${e.id} removed`;
    case 'workflow.upsert': return `workflow ${e.workflow.name ?? e.workflow.id} ${e.workflow.status} (${e.workflow.done}/${e.workflow.total})${e.workflow.blockedReason ? ` — ${e.workflow.blockedReason}` : ''}`;
    case 'task.upsert': {
      const t = e.task;
      return `${t.name ?? 'task'} ${t.id} → ${t.status}${t.worker ? ` on ${t.worker}` : ''}${t.error ? `: ${t.error.split('\n', 1)[0]}` : ''}`;
    }
    case 'task.removed': return `task ${e.id} removed`;
    case 'log': return `[${e.record.level}] ${e.record.message}`;
    case 'metric': return `${e.sample.name} = ${e.sample.value}`;
    case 'generic': return `${e.name}: ${e.summary}`;
  }
}

export function toEventRow(e: MonitorEvent, id: number): EventRow {
  let project: string | undefined;
  let task: string | undefined;
  switch (e.type) {
    case 'queue.upsert': project = e.queue.name; break;
    case 'queue.removed': project = e.name; break;
    case 'workflow.upsert': project = e.workflow.name ?? e.workflow.id; break;
    case 'worker.upsert': project = e.worker.queue; break;
    case 'task.upsert': project = e.task.queue ?? e.task.workflowId; task = e.task.name ? `${e.task.name} ${e.task.id}` : e.task.id; break;
    case 'task.removed': project = e.queue; task = e.id; break;
    default: break;
  }
  return { id, at: eventTime(e), type: e.type, connectionId: eventConnection(e), project: project === undefined ? undefined : cut(project), task: task === undefined ? undefined : cut(task), summary: cut(summarizeEvent(e)) };
}

/** The newest rows, oldest first, numbered by the store's event count. */
export function recentEventRows(store: MonitorStore, limit = MAX_STREAM_ROWS): EventRow[] {
  const total = store.eventCount();
  const events = store.recentEvents(limit);
  const rows = new Array<EventRow>(events.length);
  for (let i = 0; i < events.length; i++) rows[events.length - 1 - i] = toEventRow(events[i]!, total - i);
  return rows;
}

/** Rows for events after `afterId`, oldest first (at most `limit`; older ones were overwritten or skipped). */
export function eventRowsSince(store: MonitorStore, afterId: number, limit = MAX_STREAM_ROWS): EventRow[] {
  const total = store.eventCount();
  if (total <= afterId) return [];
  return recentEventRows(store, Math.min(limit, total - afterId));
}

export function matchesEventFilter(row: EventRow, f: EventFilter): boolean {
  if (f.types.length > 0 && !f.types.includes(row.type)) return false;
  const has = (value: string | undefined, needle: string): boolean => !needle || (value ?? '').toLowerCase().includes(needle.toLowerCase());
  return has(row.project, f.project) && has(row.task, f.task) && has(row.connectionId, f.source);
}
