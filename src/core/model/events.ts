// MonitorEvent: the one normalized shape every source emits and the store applies.
import type { ConnectionKind, ConnectionNoticeTopic, ConnectionState, SystemId } from './connection';
import type { LogRecord, MetricSample, Queue, Task, Worker, Workflow } from './entities';

export type MonitorEvent =
  | { readonly type: 'connection.added'; readonly connectionId: string; readonly name: string; readonly kind: ConnectionKind; readonly system: SystemId; readonly readOnly: boolean; readonly at: number }
  | { readonly type: 'connection.removed'; readonly connectionId: string; readonly at: number }
  | { readonly type: 'connection.state'; readonly connectionId: string; readonly state: ConnectionState; readonly error?: string; readonly retryInMs?: number; readonly attempt?: number; readonly at: number }
  | { readonly type: 'connection.rejected'; readonly connectionId: string; readonly reason: string; readonly at: number }
  /**
   * A lasting limitation of what a connection can show, by topic (e.g. `workers`: "CLIENT LIST refused: only workers
   * processing a job are listed"); `text` undefined clears it. Shown on the connection's rows until cleared.
   */
  | { readonly type: 'connection.notice'; readonly connectionId: string; readonly topic: ConnectionNoticeTopic; readonly text?: string; readonly at: number }
  | { readonly type: 'queue.upsert'; readonly queue: Queue }
  | { readonly type: 'queue.removed'; readonly connectionId: string; readonly name: string; readonly at: number }
  | { readonly type: 'worker.upsert'; readonly worker: Worker }
  | { readonly type: 'worker.removed'; readonly connectionId: string; readonly id: string; readonly at: number }
  | { readonly type: 'workflow.upsert'; readonly workflow: Workflow }
  | { readonly type: 'task.upsert'; readonly task: Task }
  | { readonly type: 'task.removed'; readonly connectionId: string; readonly id: string; readonly queue?: string; readonly at: number }
  | { readonly type: 'log'; readonly record: LogRecord }
  | { readonly type: 'metric'; readonly sample: MetricSample }
  /** Anything a source saw that has no dedicated shape yet; kept for the event stream. */
  | { readonly type: 'generic'; readonly connectionId: string; readonly name: string; readonly summary: string; readonly at: number };

export type MonitorEventType = MonitorEvent['type'];

/** Time an event happened, whatever its shape. */
export function eventTime(event: MonitorEvent): number {
  switch (event.type) {
    case 'queue.upsert': return event.queue.updatedAt;
    case 'worker.upsert': return event.worker.updatedAt;
    case 'workflow.upsert': return event.workflow.updatedAt;
    case 'task.upsert': return event.task.updatedAt;
    case 'log': return event.record.timestamp;
    case 'metric': return event.sample.timestamp;
    default: return event.at;
  }
}

/** Connection an event belongs to, whatever its shape. */
export function eventConnection(event: MonitorEvent): string {
  switch (event.type) {
    case 'queue.upsert': return event.queue.connectionId;
    case 'worker.upsert': return event.worker.connectionId;
    case 'workflow.upsert': return event.workflow.connectionId;
    case 'task.upsert': return event.task.connectionId;
    case 'log': return event.record.connectionId;
    case 'metric': return event.sample.connectionId;
    default: return event.connectionId;
  }
}
