// Action commands on queues and tasks, built on the actions a source declares. Every mutating action is
// refused HERE in the host for read-only profiles (profile.readOnly or taskscope.readOnly) and untrusted
// workspaces, before anything reaches a source; destructive ones confirm with a modal naming the count and
// the queue (obliterate asks twice); all run under withProgress with cancel.
import * as vscode from 'vscode';
import type { ActionDeclaration, ActionTarget } from '../../core/source/source';
import { queueKey } from '../../core/model/keys';
import type { MonitorSession } from '../../sources/monitor-session';
import { SECTION } from '../config';
import { describeGroups, groupByQueue, runGroups, type SelectionGroup } from './task-selection';

/** What a tree node or command argument carries that actions need. */
export interface ActionNode {
  readonly kind?: string;
  readonly connectionId?: string;
  readonly queue?: string;
  readonly state?: string;
  readonly taskId?: string;
  readonly schedulerId?: string;
}

/** Why this connection refuses changes here, or undefined when it accepts them. */
export function refusalReason(session: MonitorSession, connectionId: string, trusted: boolean, globalReadOnly: boolean): string | undefined {
  if (!trusted) return 'this workspace is not trusted, so Taskscope refuses every action that changes a queue. Trust the workspace to enable actions.';
  const c = session.store.connection(connectionId);
  if (globalReadOnly) return 'the setting taskscope.readOnly is on.';
  if (c?.readOnly || session.profile(connectionId)?.readOnly) return `the connection "${c?.name ?? connectionId}" is read-only.`;
  return undefined;
}

export class TaskCommands {
  constructor(private readonly session: MonitorSession, private readonly afterAction: () => void) {}

  /** Whether actions may run on this connection here (menus use it through context values). */
  canAct(connectionId: string): boolean {
    return refusalReason(this.session, connectionId, vscode.workspace.isTrusted, this.globalReadOnly()) === undefined;
  }

  /**
   * Task actions on the clicked node plus every other selected task node. A selection spanning several queues
   * is grouped by queue: one confirmation naming the count per queue, then one batch per queue under one progress.
   */
  async onTasks(actionId: string, node?: ActionNode, nodes?: readonly ActionNode[]): Promise<void> {
    const selected = (nodes && nodes.length > 0 ? nodes : node ? [node] : []).filter((n) => n.taskId !== undefined && (n.kind === undefined || n.kind === 'task'));
    const groups = groupByQueue(selected.map((n) => ({ connectionId: n.connectionId, queue: n.queue, id: n.taskId })));
    if (groups.length === 0) {
      void vscode.window.showInformationMessage('Taskscope: select one or more jobs in the Queues view first.');
      return;
    }
    if (groups.length === 1) {
      const g = groups[0]!;
      await this.run(g.connectionId, actionId, { kind: 'task', queue: g.queue, ids: g.ids }, `${g.ids.length} job(s)`);
      return;
    }
    await this.runAcrossQueues(actionId, 'task', groups, 'job');
  }

  /** "Remove Scheduler" on the clicked scheduler plus every other selected scheduler node. */
  async onSchedulers(actionId: string, node?: ActionNode, nodes?: readonly ActionNode[]): Promise<void> {
    const selected = (nodes && nodes.length > 0 ? nodes : node ? [node] : []).filter((n) => n.schedulerId !== undefined);
    const groups = groupByQueue(selected.map((n) => ({ connectionId: n.connectionId, queue: n.queue, id: n.schedulerId })));
    if (groups.length === 0) {
      void vscode.window.showInformationMessage('Taskscope: select one or more schedulers in the Queues view first.');
      return;
    }
    if (groups.length === 1) {
      const g = groups[0]!;
      const names = g.ids.length <= 3 ? ` (${g.ids.map((id) => `"${id}"`).join(', ')})` : '';
      await this.run(g.connectionId, actionId, { kind: 'scheduler', queue: g.queue, ids: g.ids }, `${g.ids.length} scheduler(s)${names} of queue "${g.queue}"`);
      return;
    }
    await this.runAcrossQueues(actionId, 'scheduler', groups, 'scheduler');
  }

  /** One action over several queues: refused as a whole if any connection refuses it; confirmed once, always. */
  private async runAcrossQueues(actionId: string, kind: 'task' | 'scheduler', groups: readonly SelectionGroup[], noun: string): Promise<void> {
    let decl: ActionDeclaration | undefined;
    for (const connectionId of new Set(groups.map((g) => g.connectionId))) {
      const d = this.session.actions(connectionId).find((a) => a.id === actionId);
      const name = this.session.store.connection(connectionId)?.name ?? connectionId;
      const problem = !d ? `"${actionId}" is not available on ${name}`
        : d.disabledReason ? `${d.title} is disabled on ${name}: ${d.disabledReason}`
        : d.allowedReadOnly ? undefined : refusalReason(this.session, connectionId, vscode.workspace.isTrusted, this.globalReadOnly());
      if (problem) {
        void vscode.window.showWarningMessage(`Taskscope: ${d?.title ?? actionId} refused: ${problem}`);
        return;
      }
      decl ??= d;
    }
    const what = describeGroups(groups, noun, (id) => this.session.store.connection(id)?.name ?? id);
    const choice = await vscode.window.showWarningMessage(`${decl!.title} ${what}?`, { modal: true, detail: `One batch per queue.${decl!.destructive ? ' This cannot be undone.' : ''}` }, decl!.title);
    if (choice !== decl!.title) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Taskscope: ${decl!.title} ${what}`, cancellable: true },
      async (p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        return runGroups(groups, (g, progress) => this.session.runAction(g.connectionId, actionId, { kind, queue: g.queue, ids: g.ids }, progress), {
          signal: abort.signal,
          report: (done, total, message) => {
            p.report({ increment: total ? ((done - last) / total) * 100 : undefined, message: message ?? (total ? `${done} of ${total}` : `${done}`) });
            last = done;
          },
        });
      },
    ).then(undefined, (error: unknown) => ({ ok: false, affected: 0, message: error instanceof Error ? error.message : String(error) }));
    this.afterAction();
    if (result.ok) void vscode.window.showInformationMessage(`Taskscope: ${decl!.title}: ${result.message}`);
    else void vscode.window.showWarningMessage(`Taskscope: ${decl!.title} — ${result.message}`);
  }

  /** Queue actions from a queue or state node, or from the palette (asks for the queue). */
  async onQueue(actionId: string, node?: ActionNode, params?: Record<string, unknown>): Promise<void> {
    const target = node?.connectionId && node.queue ? { connectionId: node.connectionId, queue: node.queue } : await this.pickQueue();
    if (!target) return;
    let extra = params;
    let what = `queue "${target.queue}"`;
    const counts = this.session.store.queue(queueKey(target.connectionId, target.queue))?.counts ?? {};
    if (actionId === 'clean') {
      const state = node?.state ?? await this.pickState(Object.keys(counts));
      if (!state) return;
      const grace = await vscode.window.showInputBox({ title: `Clean ${state} jobs of ${target.queue}`, prompt: 'Keep jobs younger than this many seconds (grace period)', value: '3600', validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number of seconds') });
      if (grace === undefined) return;
      extra = { state, graceMs: Number(grace.trim()) * 1000 };
      what = `up to ${counts[state] ?? 0} ${state} job(s) older than ${grace.trim()} s in "${target.queue}"`;
    } else if (actionId === 'retryAllFailed') what = `${counts['failed'] ?? 0} failed job(s) in "${target.queue}"`;
    else if (actionId === 'promoteAllDelayed') what = `${counts['delayed'] ?? 0} delayed job(s) in "${target.queue}"`;
    else if (actionId === 'drain') what = `${(counts['waiting'] ?? 0) + (counts['paused'] ?? 0) + (counts['prioritized'] ?? 0)} waiting job(s) in "${target.queue}"`;
    else if (actionId === 'obliterate') what = `the queue "${target.queue}" with all its ${Object.values(counts).reduce((a, b) => a + b, 0)} job(s)`;
    await this.run(target.connectionId, actionId, { kind: 'queue', queue: target.queue, params: extra }, what);
  }

  private async run(connectionId: string, actionId: string, target: ActionTarget, what: string): Promise<void> {
    const decl = this.session.actions(connectionId).find((a) => a.id === actionId);
    if (!decl) {
      void vscode.window.showWarningMessage(`Taskscope: "${actionId}" is not available on this connection.`);
      return;
    }
    if (decl.disabledReason) {
      void vscode.window.showWarningMessage(`Taskscope: ${decl.title} is disabled: ${decl.disabledReason}`);
      return;
    }
    if (!decl.allowedReadOnly) {
      const reason = refusalReason(this.session, connectionId, vscode.workspace.isTrusted, this.globalReadOnly());
      if (reason) {
        void vscode.window.showWarningMessage(`Taskscope: ${decl.title} refused: ${reason}`);
        return;
      }
    }
    if (!(await this.confirm(decl, what))) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Taskscope: ${decl.title} ${what}`, cancellable: true },
      async (p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        return this.session.runAction(connectionId, actionId, target, {
          signal: abort.signal,
          report: (done, total, message) => {
            const increment = total ? ((done - last) / total) * 100 : undefined;
            last = done;
            p.report({ increment, message: message ?? (total ? `${done} of ${total}` : `${done}`) });
          },
        });
      },
    ).then(undefined, (error: unknown) => ({ ok: false, affected: 0, message: error instanceof Error ? error.message : String(error) }));
    this.afterAction();
    if (result.ok) void vscode.window.showInformationMessage(`Taskscope: ${result.message}`);
    else void vscode.window.showWarningMessage(`Taskscope: ${decl.title} — ${result.message}`);
  }

  private async confirm(decl: ActionDeclaration, what: string): Promise<boolean> {
    if (!decl.destructive) return true;
    const first = await vscode.window.showWarningMessage(`${decl.title} ${what}?`, { modal: true, detail: 'This cannot be undone.' }, decl.title);
    if (first !== decl.title) return false;
    if (!decl.confirmTwice) return true;
    const again = `Yes, ${decl.title.toLowerCase()}`;
    const second = await vscode.window.showWarningMessage(`Really ${decl.title.toLowerCase()} ${what}? Every job, log and event of it is deleted.`, { modal: true }, again);
    return second === again;
  }

  private async pickQueue(): Promise<{ connectionId: string; queue: string } | undefined> {
    const items = this.session.store.connections().flatMap((c) => this.session.store.queues(c.id).map((q) => ({ label: q.name, description: c.name, connectionId: c.id, queue: q.name })));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('Taskscope: no queues are known yet.');
      return undefined;
    }
    return vscode.window.showQuickPick(items, { title: 'Which queue?' });
  }

  private async pickState(states: string[]): Promise<string | undefined> {
    return vscode.window.showQuickPick(states.filter((s) => s !== 'active' && s !== 'waiting-children'), { title: 'Clean which state?' });
  }

  private globalReadOnly(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>('readOnly', false);
  }
}
