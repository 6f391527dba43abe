// Opening a task from a panel: the task detail command when one is registered (allow-listed ids only, never
// an id from a webview), otherwise the task's record as a read-only JSON document.
import * as vscode from 'vscode';
import type { MonitorStore } from '../../core/store/monitor-store';
import { parseTaskKey } from './panel-targets';

/**
 * Commands a panel may run to show a task, in order of preference. They receive `{ connectionId, queue, taskId }`
 * (the object form `taskscope.openTaskDetail` accepts).
 */
export const TASK_DETAIL_COMMANDS = ['taskscope.openTaskDetail', 'taskscope.openTaskJson'] as const;

export async function openTask(store: MonitorStore, key: string): Promise<void> {
  const task = store.task(key);
  const target = task ? { connectionId: task.connectionId, ...(task.queue !== undefined ? { queue: task.queue } : {}), taskId: task.id } : parseTaskKey(key);
  const registered = new Set(await vscode.commands.getCommands(true));
  for (const id of TASK_DETAIL_COMMANDS) {
    if (registered.has(id) && target) {
      await vscode.commands.executeCommand(id, target);
      return;
    }
  }
  if (!task) {
    void vscode.window.showInformationMessage('Taskscope: that task is no longer retained (it finished long ago or was evicted).');
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(task, null, 2) });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
