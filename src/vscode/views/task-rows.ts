// Task rows under a state group in the Queues view: pages of 50 read on expand, "Load more…" / "Show newer…"
// nodes, and a window of at most 200 rows per state so no node ever has more children than that.
import * as vscode from 'vscode';
import type { Task } from '../../core/model/entities';
import { taskRowView } from '../../core/views/task-list';
import type { SchedulerList, TaskLogPage, TaskLogRequest, TaskPage, TaskPageRequest } from '../../core/source/task-query';
import { CONTEXT_VALUES } from './context-values';
import { escapeMd } from './tree-items';

import { moveWindow, TASK_PAGE_SIZE, TASK_WINDOW_MAX, type RowWindow } from './task-rows-window';

export { moveWindow, TASK_PAGE_SIZE, TASK_WINDOW_MAX, type RowWindow };

export interface TaskPager {
  taskPage(connectionId: string, request: TaskPageRequest): Promise<TaskPage | undefined>;
  /** Whether actions may run on this connection here (not read-only, workspace trusted). */
  canAct(connectionId: string): boolean;
  /** Whether the connection's source declares this action and it is not disabled (e.g. Propeller's allowPublish). */
  canRun?(connectionId: string, actionId: string): boolean;
  /** One page of a task's log lines (rows with `logCount` get a "Logs (N)" child that calls it). */
  taskLogs?(connectionId: string, request: TaskLogRequest): Promise<TaskLogPage | undefined>;
  /** A queue's job schedulers (queues with `schedulers` get a "Schedulers" child that calls it). */
  schedulers?(connectionId: string, queue: string): Promise<SchedulerList | undefined>;
}

/** Propeller-style states, by name. */
const NAMED_STATE_ICONS: Record<string, [string, string | undefined]> = {
  Pending: ['clock', undefined], Scheduled: ['watch', undefined], Running: ['sync~spin', 'charts.blue'],
  Completed: ['pass', 'testing.iconPassed'], Failed: ['error', 'testing.iconFailed'], Skipped: ['debug-step-over', undefined],
  Interrupted: ['debug-stop', 'charts.yellow'],
};

export function stateIcon(state: string): [string, string | undefined] {
  return ICONS[state] ?? NAMED_STATE_ICONS[state] ?? ['circle-small', undefined];
}

const ICONS: Record<string, [string, string | undefined]> = {
  waiting: ['clock', undefined], active: ['sync~spin', 'charts.blue'], delayed: ['watch', 'charts.yellow'],
  prioritized: ['arrow-up', undefined], 'waiting-children': ['type-hierarchy-sub', undefined], paused: ['debug-pause', 'charts.yellow'],
  completed: ['pass', 'testing.iconPassed'], failed: ['error', 'testing.iconFailed'],
};

export function taskContextValue(task: Task, writable: boolean, stoppable = false): string {
  if (stoppable && writable && !taskRowView(task, 0).final) return CONTEXT_VALUES.taskStoppable;
  if (!writable || task.system !== 'bullmq') return CONTEXT_VALUES.task;
  if (task.status === 'failed' || task.status === 'completed') return CONTEXT_VALUES.taskRetryable;
  if (task.status === 'delayed') return CONTEXT_VALUES.taskDelayed;
  return CONTEXT_VALUES.taskOther;
}

/** A task row; a BullMQ row is `expandable` when its log lines can be listed under it. */
export function taskItem(task: Task, writable: boolean, now: number, stoppable = false, withState = false, expandable = false): vscode.TreeItem {
  if (task.system !== 'bullmq') return pushedTaskItem(task, writable, now, stoppable, withState);
  const item = new vscode.TreeItem(`${task.name ?? 'job'} #${task.id}`, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  const when = task.finishedAt ?? task.startedAt ?? task.createdAt;
  const parts = [when ? ago(now - when) : undefined, task.attempts ? `attempt ${task.attempts}` : undefined, task.error].filter(Boolean);
  item.description = parts.join(' · ');
  const [icon, color] = ICONS[task.status] ?? ['circle-small', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = taskContextValue(task, writable);
  const tip = new vscode.MarkdownString(undefined, false);
  tip.isTrusted = false;
  tip.appendMarkdown(`**${escapeMd(task.name ?? 'job')}** #${escapeMd(task.id)} — ${escapeMd(task.status)}\n\n`);
  if (task.createdAt) tip.appendMarkdown(`Added ${new Date(task.createdAt).toISOString()}\n\n`);
  if (task.worker) tip.appendMarkdown(`Worker ${escapeMd(task.worker)}\n\n`);
  if (task.error) tip.appendMarkdown(`Error: ${escapeMd(task.error)}\n\n`);
  if (task.parentId) tip.appendMarkdown(`Parent #${escapeMd(task.parentId)}\n\n`);
  if (task.logCount) tip.appendMarkdown(`${task.logCount} log line(s)\n\n`);
  item.tooltip = tip;
  item.command = { command: 'taskscope.openTaskDetail', title: 'Open Task Detail', arguments: [{ connectionId: task.connectionId, queue: task.queue, taskId: task.id }] };
  item.accessibilityInformation = { label: `Job ${task.name ?? ''} ${task.id}, ${task.status}${task.error ? `, error ${task.error}` : ''}` };
  return item;
}

/** A task a push source sent (Propeller): state, proplet and last CPU/memory from the core row view-model. */
function pushedTaskItem(task: Task, writable: boolean, now: number, stoppable: boolean, withState: boolean): vscode.TreeItem {
  const row = taskRowView(task, now, withState);
  const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
  item.description = row.description;
  const [icon, color] = stateIcon(task.status);
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = taskContextValue(task, writable, stoppable);
  const tip = new vscode.MarkdownString(undefined, false);
  tip.isTrusted = false;
  tip.appendMarkdown(row.tooltip.map((line, i) => (i === 0 ? `**${escapeMd(line)}**` : escapeMd(line))).join('\n\n'));
  item.tooltip = tip;
  item.command = { command: 'taskscope.openTaskDetail', title: 'Open Task Detail', arguments: [{ connectionId: task.connectionId, queue: task.queue, taskId: task.id }] };
  item.accessibilityInformation = { label: `Task ${task.name ?? ''} ${task.id}, ${task.status}${task.worker ? `, on ${task.worker}` : ''}` };
  return item;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
