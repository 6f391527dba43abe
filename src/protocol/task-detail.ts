// The Task detail panel: one task's record (from the store, then the source's full detail loaded on demand),
// its declared actions with what the host allows, and commands to open a value, open another task or run an
// action. The host re-checks everything a command names.
import type { Task } from '../core/model/entities';
import type { TaskDetail, TaskRef } from '../core/model/task-detail';
import { command, notification } from './ipc';

export interface TaskTarget {
  readonly connectionId: string;
  readonly queue?: string;
  readonly taskId: string;
}

export interface TaskActionView {
  readonly id: string;
  readonly title: string;
  readonly destructive: boolean;
  /** Why the button is disabled (read-only, restricted mode, the source's own reason); enabled when unset. */
  readonly disabledReason?: string;
}

export type DetailState = 'loading' | 'loaded' | 'unsupported' | 'missing' | 'error';

export interface TaskDetailSnapshot {
  readonly target: TaskTarget;
  readonly connectionName: string;
  /** The store's row for the task, when it has one. */
  readonly task?: Task;
  readonly detailState: DetailState;
  readonly detail?: TaskDetail;
  readonly detailError?: string;
  readonly actions: readonly TaskActionView[];
  /** The last action's outcome, shown once. */
  readonly lastAction?: { readonly title: string; readonly ok: boolean; readonly message: string };
  readonly generatedAt: number;
}

export interface TaskDetailDelta {
  readonly task?: Task;
  readonly removed?: boolean;
  readonly generatedAt: number;
}

export const DidSnapshotNotification = notification<TaskDetailSnapshot>('taskDetail/didSnapshot');
export const DidChangeNotification = notification<TaskDetailDelta>('taskDetail/didChange');
/** Opens the full value (untruncated) in a read-only editor. */
export const OpenValueCommand = command<{ readonly name: string }>('taskDetail/openValue');
/** Opens another task (parent, child) in a task detail panel. */
export const OpenTaskCommand = command<TaskRef>('taskDetail/openTask');
/** Runs one of the task's declared actions; the host checks it is declared, allowed and confirmed. */
export const RunActionCommand = command<{ readonly actionId: string }>('taskDetail/runAction');
/** Loads the detail again from the source. */
export const ReloadCommand = command<Record<string, never>>('taskDetail/reload');

export const TASK_DETAIL_INBOUND_METHODS = ['ready', OpenValueCommand.method, OpenTaskCommand.method, RunActionCommand.method, ReloadCommand.method] as const;
