// Tasks the store holds, as the trees list them. Push sources (Propeller) send every task they know, so their
// tasks are listed from the store instead of paged reads: state groups in the system's own order, rows newest
// first with worker, state and last CPU/memory, and the tasks each worker runs. Pure: the Queues and Workers
// trees render these, and integration tests check them without VS Code.
import type { SystemId } from '../model/connection';
import type { Task } from '../model/entities';
import { queueKey } from '../model/keys';
import type { TaskPage, TaskPageRequest } from '../source/task-query';
import type { MonitorStore } from '../store/monitor-store';
import { formatAgo, orderedStates } from './queue-labels';

/** Propeller's `pkg/task/task.go` State, by its uint8 value on the wire. */
export const PROPELLER_TASK_STATES = ['Pending', 'Scheduled', 'Running', 'Completed', 'Failed', 'Skipped', 'Interrupted'] as const;
export const PROPELLER_FINAL_STATES: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Skipped', 'Interrupted']);

/** Most rows a group or worker lists before a "more" row (the trees' per-node cap). */
export const MAX_LISTED_TASKS = 200;

/** Systems whose tasks reach the store by push, so the trees list them from there. */
export function listsTasksFromStore(system: SystemId | undefined): boolean {
  return system === 'propeller';
}

/** Whether a task can still be stopped (it has not reached a final state). */
export function isFinalTaskState(system: SystemId, status: string): boolean {
  return system === 'propeller' ? PROPELLER_FINAL_STATES.has(status) : ['completed', 'failed', 'success', 'done'].includes(status.toLowerCase());
}

/** State groups in the order the system defines them (Propeller: by state number), others as for BullMQ. */
export function statesInOrder(system: SystemId | undefined, counts: Readonly<Record<string, number>>): string[] {
  if (system !== 'propeller') return orderedStates(counts);
  const own = PROPELLER_TASK_STATES.filter((s) => s in counts);
  const others = Object.keys(counts).filter((s) => !(PROPELLER_TASK_STATES as readonly string[]).includes(s)).sort();
  return [...own, ...others];
}

const newestFirst = (a: Task, b: Task): number => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id);

/** One page of a state's tasks from the store, newest update first (the shape paged sources return). */
export function storeTaskPage(store: MonitorStore, connectionId: string, request: TaskPageRequest): TaskPage {
  const matching = store.tasks(connectionId, request.queue).filter((t) => t.status === request.state).sort(newestFirst);
  const offset = Math.max(0, request.offset);
  return { tasks: matching.slice(offset, offset + Math.max(0, request.limit)), total: matching.length, offset };
}

export interface TaskRowView {
  readonly task: Task;
  readonly label: string;
  /** One line: state (when asked), worker, CPU, memory, age. */
  readonly description: string;
  /** Plain-text lines for the tooltip. */
  readonly tooltip: readonly string[];
  readonly final: boolean;
}

/** A task as its row names it: `name #id` (`task #id` when the messages never named it). */
export function taskLabel(task: Pick<Task, 'id' | 'name'>): string {
  return `${task.name ?? 'task'} #${task.id}`;
}

/** Names for `ids` as their rows show them (a confirmation names what the user clicked); an id the store has not
 *  seen stays bare. */
export function taskLabels(ids: readonly string[], known: readonly Task[]): string[] {
  const wanted = new Set(ids);
  const byId = new Map(known.filter((t) => wanted.has(t.id)).map((t) => [t.id, t]));
  return ids.map((id) => { const t = byId.get(id); return t ? taskLabel(t) : id; });
}

/** What a task row shows; `withState` when the row is not already under its state's group. */
export function taskRowView(task: Task, now: number, withState = false): TaskRowView {
  const when = task.finishedAt ?? task.startedAt ?? task.createdAt ?? task.updatedAt;
  const u = task.usage;
  const cpu = u?.cpuPercent !== undefined ? `CPU ${u.cpuPercent.toFixed(1)}%` : undefined;
  const mem = u?.memoryBytes !== undefined ? `mem ${formatBytes(u.memoryBytes)}` : u?.memoryPercent !== undefined ? `mem ${u.memoryPercent.toFixed(1)}%` : undefined;
  const description = [withState ? task.status : undefined, task.worker ? `on ${task.worker}` : undefined, cpu, mem, formatAgo(now - when), task.error]
    .filter((x): x is string => x !== undefined && x !== '').join(' · ');
  const tooltip = [
    `${task.name ?? 'task'} #${task.id} — ${task.status}`,
    task.worker ? `Proplet/worker: ${task.worker}` : undefined,
    task.createdAt !== undefined ? `Seen first: ${new Date(task.createdAt).toISOString()}` : undefined,
    task.startedAt !== undefined ? `Started: ${new Date(task.startedAt).toISOString()}` : undefined,
    task.finishedAt !== undefined ? `Finished: ${new Date(task.finishedAt).toISOString()}` : undefined,
    u ? `Last metrics (${new Date(u.at).toISOString()}): ${[cpu ?? 'CPU n/a', u.memoryBytes !== undefined ? `memory ${formatBytes(u.memoryBytes)}` : undefined, u.memoryPercent !== undefined ? `${u.memoryPercent.toFixed(1)}% of memory` : undefined].filter(Boolean).join(', ')}` : undefined,
    task.error ? `Error: ${task.error}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return { task, label: taskLabel(task), description, tooltip, final: isFinalTaskState(task.system, task.status) };
}

export interface TaskGroupView {
  readonly state: string;
  /** The queue's count for the state (what the system reports). */
  readonly count: number;
  readonly rows: readonly TaskRowView[];
  /** Tasks in the store beyond the rows listed. */
  readonly more: number;
}

/** A queue's state groups with their rows, as the Queues tree shows a store-listed queue. */
export function queueTaskGroups(store: MonitorStore, connectionId: string, queue: string, now: number, limit = MAX_LISTED_TASKS): TaskGroupView[] {
  const q = store.queue(queueKey(connectionId, queue));
  if (!q) return [];
  const byState = new Map<string, Task[]>();
  for (const t of store.tasks(connectionId, queue)) {
    const list = byState.get(t.status);
    if (list) list.push(t); else byState.set(t.status, [t]);
  }
  const states = statesInOrder(q.system, { ...Object.fromEntries([...byState.keys()].map((s) => [s, 0])), ...q.counts });
  return states.map((state) => {
    const tasks = (byState.get(state) ?? []).sort(newestFirst);
    return { state, count: q.counts[state] ?? tasks.length, rows: tasks.slice(0, limit).map((t) => taskRowView(t, now)), more: Math.max(0, tasks.length - limit) };
  });
}

/** The tasks a worker runs or ran, unfinished first, then newest; as the Workers tree lists them. */
export function workerTaskRows(store: MonitorStore, connectionId: string, workerId: string, now: number, limit = MAX_LISTED_TASKS): { rows: TaskRowView[]; more: number } {
  const tasks = store.tasks(connectionId).filter((t) => t.worker === workerId);
  tasks.sort((a, b) => Number(isFinalTaskState(a.system, a.status)) - Number(isFinalTaskState(b.system, b.status)) || newestFirst(a, b));
  return { rows: tasks.slice(0, limit).map((t) => taskRowView(t, now, true)), more: Math.max(0, tasks.length - limit) };
}

/** Workers of a connection with the number of tasks each runs (not final) and knows, in one pass. */
export function tasksPerWorker(store: MonitorStore, connectionId: string): Map<string, { running: number; total: number }> {
  const out = new Map<string, { running: number; total: number }>();
  for (const t of store.tasks(connectionId)) {
    if (t.worker === undefined) continue;
    const c = out.get(t.worker) ?? { running: 0, total: 0 };
    c.total++;
    if (!isFinalTaskState(t.system, t.status)) c.running++;
    out.set(t.worker, c);
  }
  return out;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${Math.round(n)} B`;
}
