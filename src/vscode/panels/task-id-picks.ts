// The quick-pick rows for a task id typed into "Open Task Detail…". Kept free of the vscode module so it is
// unit-tested directly; the rows are structurally vscode.QuickPickItem.
import type { TaskTarget } from '../../protocol/task-detail';

export interface TaskIdPick {
  readonly label: string;
  readonly description: string;
  readonly target: TaskTarget;
}

/**
 * What a typed task id can mean: in a queue-based system (BullMQ) ids are unique only within a queue, so the id
 * is offered once per known queue (sorted), then without a queue for systems whose ids are global.
 */
export function typedTaskIdPicks(value: string, connectionId: string, queues: readonly string[]): TaskIdPick[] {
  const taskId = value.trim();
  if (!taskId) return [];
  const perQueue = [...queues].sort().slice(0, 200).map((queue) => ({ label: taskId, description: `task id in queue ${queue}`, target: { connectionId, queue, taskId } }));
  return [...perQueue, { label: taskId, description: 'task id', target: { connectionId, taskId } }];
}
