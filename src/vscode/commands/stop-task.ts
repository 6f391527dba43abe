// "Taskscope: Stop Task…" for sources that declare a `stopTask` action (Propeller): from a task row (the clicked
// task plus any other selected tasks of its connection) or from the palette (picks the connection and the
// running tasks). Refuses read-only connections (profile or taskscope.readOnly), publishing-disabled profiles
// and untrusted workspaces, confirms with a modal naming the count and the connection, then runs with progress.
import * as vscode from 'vscode';
import type { MonitorSession } from '../../sources/monitor-session';
import { isFinalTaskState, taskLabels } from '../../core/views/task-list';
import { SECTION } from '../config';
import { pickConnection } from './pick-connection';

interface TaskRowNode { readonly connectionId?: string; readonly taskId?: string }

export async function runStopTask(session: MonitorSession, node: unknown, nodes?: unknown): Promise<void> {
  const store = session.store;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Taskscope: actions are disabled in an untrusted workspace.');
    return;
  }
  if (vscode.workspace.getConfiguration(SECTION).get<boolean>('readOnly', false)) {
    void vscode.window.showWarningMessage('Taskscope: Stop Task refused: the setting taskscope.readOnly is on.');
    return;
  }
  const row = node as TaskRowNode | undefined;
  const fromRows = row?.taskId && row.connectionId
    ? [row, ...(Array.isArray(nodes) ? (nodes as TaskRowNode[]) : [])].filter((n) => n.connectionId === row.connectionId && n.taskId)
    : undefined;
  const connectionId = await pickConnection(store, node, 'Stop a task on which connection?');
  if (!connectionId) return;
  const source = session.supervisor(connectionId)?.source;
  const declaration = source?.actions().find((a) => a.id === 'stopTask');
  const name = store.connection(connectionId)?.name ?? connectionId;
  if (!source || !declaration) {
    void vscode.window.showInformationMessage(`Taskscope: "${name}" has no Stop Task action.`);
    return;
  }
  if (source.profile.readOnly || declaration.disabledReason) {
    void vscode.window.showWarningMessage(`Taskscope: cannot stop tasks on "${name}": ${declaration.disabledReason ?? 'the connection is read-only.'}`);
    return;
  }
  let picks: readonly { id: string }[] | undefined;
  if (fromRows) {
    picks = [...new Set(fromRows.map((n) => n.taskId!))].map((id) => ({ id }));
  } else {
    const running = store.tasks(connectionId).filter((t) => !isFinalTaskState(t.system, t.status)).sort((a, b) => b.updatedAt - a.updatedAt).slice(0, 500);
    if (running.length === 0) {
      void vscode.window.showInformationMessage(`Taskscope: no running task on "${name}".`);
      return;
    }
    picks = await vscode.window.showQuickPick(
      running.map((t) => ({ label: t.name ?? t.id, description: `${t.status}${t.worker ? ` · ${t.worker}` : ''}`, detail: t.id, id: t.id })),
      { title: `Stop which task(s) on ${name}?`, canPickMany: true, matchOnDetail: true },
    );
  }
  if (!picks || picks.length === 0) return;
  const ok = await vscode.window.showWarningMessage(
    `Stop ${picks.length} task${picks.length === 1 ? '' : 's'} on "${name}"? A stop command is published to the proplets.`,
    { modal: true, detail: picks.length <= 5 ? taskLabels(picks.map((p) => p.id), store.tasks(connectionId)).join('\n') : undefined }, 'Stop',
  );
  if (ok !== 'Stop') return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Stopping ${picks.length} task(s)`, cancellable: true },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return session.runAction(connectionId, 'stopTask', { kind: 'task', ids: picks.map((p) => p.id) }, {
        signal: controller.signal,
        report: (done, total) => progress.report({ message: `${done}/${total ?? '?'}` }),
      });
    },
  );
  if (result.ok) void vscode.window.showInformationMessage(`Taskscope: ${result.message}`);
  else void vscode.window.showWarningMessage(`Taskscope: ${result.message}`);
}
