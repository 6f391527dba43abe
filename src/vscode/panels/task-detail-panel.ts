// Task detail panels, one per task: the store's row at once, the source's full record loaded on demand, the
// declared actions (the host decides what is enabled and re-checks on every click), parent/child links and
// "Open full value in editor" for values cut at 256 KB.
import * as vscode from 'vscode';
import { z } from 'zod';
import { taskKey } from '../../core/model/keys';
import { DETAIL_VALUE_MAX_BYTES, type TaskDetail } from '../../core/model/task-detail';
import { actionRefusal } from '../../core/source/action-policy';
import type { ActionDeclaration, SourceLogger } from '../../core/source/source';
import type { ChangeSet } from '../../core/store/change-set';
import type { MonitorSession } from '../../sources/monitor-session';
import {
  DidChangeNotification, DidSnapshotNotification, OpenTaskCommand, OpenValueCommand, ReloadCommand, RunActionCommand,
  type DetailState, type TaskActionView, type TaskDetailDelta, type TaskDetailSnapshot, type TaskTarget,
} from '../../protocol/task-detail';
import { createDashboardWebview, DashboardPanel, type DashboardSpec } from './dashboard-panel';

export const TASK_DETAIL_SPEC: DashboardSpec = { viewType: 'taskscope.taskDetail', bundle: 'task-detail', rootElement: 'taskscope-task-detail' };

const id = z.string().min(1).max(1000);
export const taskTargetSchema = z.object({ connectionId: z.string().min(1).max(200), queue: z.string().max(1000).optional(), taskId: id });

export interface TaskDetailEnvironment {
  /** Profile read-only or the `taskscope.readOnly` setting, read at the moment of the check. */
  isReadOnly(connectionId: string): boolean;
  isTrusted(): boolean;
  openValue(target: TaskTarget, name: string): Promise<void>;
}

interface Instance {
  readonly target: TaskTarget;
  readonly panel: DashboardPanel<TaskDetailSnapshot, TaskDetailDelta>;
  detailState: DetailState;
  detail?: TaskDetail;
  detailError?: string;
  lastAction?: TaskDetailSnapshot['lastAction'];
  loadGeneration: number;
  reloadTimer?: ReturnType<typeof setTimeout>;
}

const targetKey = (t: TaskTarget): string => taskKey(t.connectionId, t.queue, t.taskId);

export class TaskDetailPanels implements vscode.Disposable {
  private readonly open = new Map<string, Instance>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: MonitorSession,
    private readonly env: TaskDetailEnvironment,
    private readonly log: SourceLogger,
    private readonly onShown: () => void,
  ) {}

  get anyVisible(): boolean { return [...this.open.values()].some((i) => i.panel.visible); }
  get count(): number { return this.open.size; }

  show(target: TaskTarget): void {
    const existing = this.open.get(targetKey(target));
    if (existing) return existing.panel.reveal();
    this.attach(createDashboardWebview(this.extensionUri, TASK_DETAIL_SPEC, this.title(target)), target);
  }

  /** Adopts a panel restored after a reload; its saved UI state names the task. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = z.object({ target: taskTargetSchema }).safeParse(state);
    if (!parsed.success || this.open.has(targetKey(parsed.data.target))) { panel.dispose(); return; }
    this.attach(panel, parsed.data.target);
  }

  onStoreChange(change: ChangeSet): void {
    for (const i of this.open.values()) {
      i.panel.onStoreChange(change);
      // The task moved on (new status, new attempt): read its detail again, at most every 2 s.
      if (change.tasks.has(targetKey(i.target)) && i.reloadTimer === undefined && i.panel.visible) {
        i.reloadTimer = setTimeout(() => { i.reloadTimer = undefined; void this.load(i); }, 2_000);
      }
    }
  }

  private title(t: TaskTarget): string {
    const task = this.session.store.task(targetKey(t));
    return `Task ${task?.name ? `${task.name} ` : ''}${t.taskId}`.slice(0, 80);
  }

  private declaredActions(connectionId: string): readonly ActionDeclaration[] {
    return (this.session.supervisor(connectionId)?.source.actions() ?? []).filter((a) => a.targets.includes('task'));
  }

  private actionViews(t: TaskTarget): TaskActionView[] {
    const ctx = { readOnly: this.env.isReadOnly(t.connectionId), trusted: this.env.isTrusted() };
    return this.declaredActions(t.connectionId).map((a) => ({ id: a.id, title: a.title, destructive: a.destructive, disabledReason: actionRefusal(a, 'task', ctx) }));
  }

  private snapshot(i: Instance): TaskDetailSnapshot {
    const t = i.target;
    return {
      target: t,
      connectionName: this.session.store.connection(t.connectionId)?.name ?? t.connectionId,
      task: this.session.store.task(targetKey(t)) ?? i.detail?.task,
      detailState: i.detailState,
      detail: i.detail,
      detailError: i.detailError,
      actions: this.actionViews(t),
      lastAction: i.lastAction,
      generatedAt: Date.now(),
    };
  }

  private attach(webview: vscode.WebviewPanel, target: TaskTarget): void {
    const key = targetKey(target);
    const instance: Instance = {
      target, detailState: 'loading', loadGeneration: 0,
      panel: new DashboardPanel<TaskDetailSnapshot, TaskDetailDelta>(webview, this.extensionUri, TASK_DETAIL_SPEC, this.title(target), {
        snapshot: DidSnapshotNotification,
        delta: DidChangeNotification,
        buildSnapshot: () => this.snapshot(instance),
        buildDelta: (change) => {
          if (!change.tasks.has(key)) return undefined;
          const task = this.session.store.task(key);
          return task ? { task, generatedAt: Date.now() } : { removed: true, generatedAt: Date.now() };
        },
        commands: {
          [OpenValueCommand.method]: { schema: z.object({ name: z.string().min(1).max(200) }), handle: (p) => void this.openValue(instance, (p as { name: string }).name) },
          [OpenTaskCommand.method]: {
            schema: z.object({ connectionId: z.string().min(1).max(200), queue: z.string().max(1000).optional(), id }),
            handle: (p) => {
              const ref = p as { connectionId: string; queue?: string; id: string };
              // Only tasks of the same connection: a webview cannot make the host open arbitrary connections.
              if (ref.connectionId !== target.connectionId) return this.log.warn('task detail: refused to open a task of another connection');
              this.show({ connectionId: ref.connectionId, queue: ref.queue, taskId: ref.id });
            },
          },
          [RunActionCommand.method]: { schema: z.object({ actionId: z.string().min(1).max(200) }), handle: (p) => void this.runAction(instance, (p as { actionId: string }).actionId) },
          [ReloadCommand.method]: { schema: z.object({}).strict(), handle: () => void this.load(instance) },
        },
      }, this.log, () => {
        if (instance.reloadTimer) clearTimeout(instance.reloadTimer);
        if (this.open.get(key) === instance) this.open.delete(key);
      }),
    };
    this.open.set(key, instance);
    this.onShown();
    void this.load(instance);
  }

  private async load(i: Instance): Promise<void> {
    const generation = ++i.loadGeneration;
    const t = i.target;
    const supervisor = this.session.supervisor(t.connectionId);
    let state: DetailState;
    let detail: TaskDetail | undefined;
    let error: string | undefined;
    if (!supervisor) { state = 'error'; error = `No connection "${t.connectionId}"`; }
    else if (!supervisor.source.taskDetail) state = 'unsupported';
    else if (supervisor.phase !== 'connected') { state = 'error'; error = 'Not connected: the detail loads once the connection is up'; }
    else {
      try {
        detail = await this.session.taskDetail(t.connectionId, { queue: t.queue, id: t.taskId }, DETAIL_VALUE_MAX_BYTES);
        state = detail ? 'loaded' : 'missing';
      } catch (e) {
        state = 'error';
        error = e instanceof Error ? e.message : String(e);
      }
    }
    if (generation !== i.loadGeneration) return; // a newer load superseded this one
    i.detailState = state;
    i.detail = detail;
    i.detailError = error;
    i.panel.messenger.resendSnapshot();
  }

  private async openValue(i: Instance, name: string): Promise<void> {
    try {
      await this.env.openValue(i.target, name);
    } catch (e) {
      void vscode.window.showErrorMessage(`Taskscope: could not open "${name}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Runs a declared action after checking it again here: declared, allowed, and confirmed when destructive. */
  private async runAction(i: Instance, actionId: string): Promise<void> {
    const t = i.target;
    const action = this.declaredActions(t.connectionId).find((a) => a.id === actionId);
    if (!action) { this.log.warn(`task detail: refused undeclared action "${actionId.slice(0, 80)}"`); return; }
    const refusal = actionRefusal(action, 'task', { readOnly: this.env.isReadOnly(t.connectionId), trusted: this.env.isTrusted() });
    if (refusal) { void vscode.window.showWarningMessage(`Taskscope: ${action.title} refused — ${refusal}.`); return; }
    if (action.destructive) {
      const ok = await vscode.window.showWarningMessage(`${action.title} task ${t.taskId}${t.queue ? ` in queue "${t.queue}"` : ''}? This cannot be undone.`, { modal: true }, action.title);
      if (ok !== action.title) return;
    }
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${action.title} task ${t.taskId}`, cancellable: true }, (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return this.session.runAction(t.connectionId, action.id, { kind: 'task', queue: t.queue, ids: [t.taskId] }, {
        signal: abort.signal,
        report: (done, total, message) => progress.report({ message: message ?? (total ? `${done}/${total}` : `${done}`) }),
      }).catch((e: unknown) => ({ ok: false, affected: 0, message: e instanceof Error ? e.message : String(e) }));
    });
    i.lastAction = { title: action.title, ok: result.ok, message: result.message };
    if (!result.ok) void vscode.window.showErrorMessage(`Taskscope: ${action.title} failed — ${result.message}`);
    await this.load(i);
  }

  dispose(): void { for (const i of [...this.open.values()]) i.panel.dispose(); }
}
