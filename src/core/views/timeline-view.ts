// Timeline view-model built in the host: one span per started task within the panel's scope.
import type { Task } from '../model/entities';
import { taskKey } from '../model/keys';
import type { ChangeSet } from '../store/change-set';
import type { MonitorStore } from '../store/monitor-store';
import type { TimelineDelta, TimelineScope, TimelineSnapshot, TimelineSpan } from '../../protocol/timeline';

const MAX_ERROR = 300;

export function inScope(task: Task, scope: TimelineScope | undefined): boolean {
  if (!scope) return true;
  return (scope.connectionId === undefined || task.connectionId === scope.connectionId)
    && (scope.queue === undefined || task.queue === scope.queue)
    && (scope.worker === undefined || task.worker === scope.worker)
    && (scope.workflowId === undefined || task.workflowId === scope.workflowId);
}

/** The span of a task, or undefined when it has not started (nothing to draw). */
export function toSpan(task: Task): TimelineSpan | undefined {
  if (typeof task.startedAt !== 'number' || !Number.isFinite(task.startedAt)) return undefined;
  const span: { -readonly [K in keyof TimelineSpan]: TimelineSpan[K] } = {
    k: taskKey(task.connectionId, task.queue, task.id), id: task.id, c: task.connectionId, s: task.status, t0: task.startedAt,
  };
  if (task.name !== undefined) span.n = task.name;
  if (task.queue !== undefined) span.q = task.queue;
  if (task.worker !== undefined) span.w = task.worker;
  if (typeof task.finishedAt === 'number' && Number.isFinite(task.finishedAt)) span.t1 = task.finishedAt;
  if (task.attempts !== undefined) span.a = task.attempts;
  if (task.error !== undefined) span.e = task.error.length > MAX_ERROR ? `${task.error.slice(0, MAX_ERROR)}…` : task.error;
  return span;
}

export function buildTimelineSnapshot(store: MonitorStore, scope: TimelineScope | undefined, now: number): TimelineSnapshot {
  const spans: TimelineSpan[] = [];
  for (const task of store.tasks(scope?.connectionId)) {
    if (!inScope(task, scope)) continue;
    const span = toSpan(task);
    if (span) spans.push(span);
  }
  const connections: Record<string, string> = {};
  for (const c of store.connections()) connections[c.id] = c.name;
  return { generatedAt: now, ...(scope ? { scope } : {}), spans, connections, tasksEvicted: store.retention().tasksEvicted };
}

/** Changed tasks as upserts and removals; undefined when no task changed. */
export function buildTimelineDelta(store: MonitorStore, change: ChangeSet, scope: TimelineScope | undefined, now: number): TimelineDelta | undefined {
  if (change.tasks.size === 0) return undefined;
  const upserts: TimelineSpan[] = [];
  const removed: string[] = [];
  for (const key of change.tasks) {
    const task = store.task(key);
    const span = task && inScope(task, scope) ? toSpan(task) : undefined;
    if (span) upserts.push(span);
    else removed.push(key);
  }
  return { generatedAt: now, upserts, removed, tasksEvicted: store.retention().tasksEvicted };
}
