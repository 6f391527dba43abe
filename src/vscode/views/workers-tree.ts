// The Workers view: connection → workers, with liveness from heartbeats or connection age.
import * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import type { WorkerStatus } from '../../core/model/entities';
import { taskKey, workerKey } from '../../core/model/keys';
import { formatAgo, workerLabel } from '../../core/views/queue-labels';
import { CONTEXT_VALUES } from './context-values';
import { StoreTree, type TreeNode } from './store-tree';
import { connectionItem, messageItem } from './tree-items';
import { listsTasksFromStore, tasksPerWorker, workerTaskRows } from '../../core/views/task-list';
import { taskItem, type TaskPager } from './task-rows';
import type { Task } from '../../core/model/entities';

export type WorkersNode =
  | (TreeNode & { kind: 'connection' })
  | (TreeNode & { kind: 'worker'; workerId: string })
  | (TreeNode & { kind: 'task'; workerId: string; queue?: string; taskId: string; task: Task })
  | (TreeNode & { kind: 'message'; text: string; warning?: boolean });

const STATUS_ICONS: Record<WorkerStatus, [string, string | undefined]> = {
  online: ['server-process', 'testing.iconPassed'],
  busy: ['loading~spin', 'charts.blue'],
  idle: ['server-process', undefined],
  stale: ['warning', 'list.warningForeground'],
  offline: ['circle-slash', 'disabledForeground'],
  error: ['error', 'testing.iconFailed'],
  unknown: ['question', undefined],
};

export class WorkersTree extends StoreTree<WorkersNode> {
  /** Per connection, tasks per worker, computed once per listing of the connection's workers. */
  private readonly taskCounts = new Map<string, Map<string, { running: number; total: number }>>();

  constructor(
    store: ConstructorParameters<typeof StoreTree>[0],
    private readonly now: () => number = Date.now,
    private readonly actions?: Pick<TaskPager, 'canAct' | 'canRun'>,
  ) {
    super(store);
  }

  getChildren(node?: WorkersNode): WorkersNode[] {
    if (!node) return this.store.connections().map((c) => this.node({ kind: 'connection', id: `conn:${c.id}`, connectionId: c.id }));
    if (node.kind === 'worker') return this.workerTasks(node);
    if (node.kind !== 'connection') return [];
    const system = this.store.connection(node.connectionId)?.system;
    if (listsTasksFromStore(system)) this.taskCounts.set(node.connectionId, tasksPerWorker(this.store, node.connectionId));
    else this.taskCounts.delete(node.connectionId);
    const workers = this.store.workers(node.connectionId).sort((a, b) => a.id.localeCompare(b.id));
    const c = this.store.connection(node.connectionId);
    // A limitation of the list (e.g. CLIENT LIST refused) comes first, so nobody takes the list for complete.
    const notice = c?.notices?.workers;
    const out: WorkersNode[] = notice ? [this.node({ kind: 'message', id: `conn:${node.connectionId}:notice`, connectionId: node.connectionId, text: notice, warning: true })] : [];
    if (workers.length === 0) {
      const text = c?.state === 'connected' ? 'No workers seen' : 'Not connected';
      out.push(this.node({ kind: 'message', id: `conn:${node.connectionId}:message`, connectionId: node.connectionId, text }));
      return out;
    }
    for (const w of workers) out.push(this.node({ kind: 'worker', id: workerKey(w.connectionId, w.id), connectionId: w.connectionId, workerId: w.id }));
    return out;
  }

  /** The tasks a proplet runs (unfinished first), read from the store. */
  private workerTasks(node: WorkersNode & { kind: 'worker' }): WorkersNode[] {
    if (!listsTasksFromStore(this.store.connection(node.connectionId)?.system)) return [];
    const { rows, more } = workerTaskRows(this.store, node.connectionId, node.workerId, this.now());
    const out: WorkersNode[] = rows.map((r) => this.node({ kind: 'task', id: `${node.id}:task:${r.task.queue ?? ''}:${r.task.id}`, connectionId: node.connectionId, workerId: node.workerId, queue: r.task.queue, taskId: r.task.id, task: r.task }));
    if (more > 0) out.push(this.node({ kind: 'message', id: `${node.id}:more`, connectionId: node.connectionId, text: `${more} older tasks not shown` }));
    if (out.length === 0) out.push(this.node({ kind: 'message', id: `${node.id}:none`, connectionId: node.connectionId, text: 'No tasks seen' }));
    return out;
  }

  getTreeItem(node: WorkersNode): vscode.TreeItem {
    if (node.kind === 'task') {
      const task = this.store.task(taskKey(node.connectionId, node.queue, node.taskId)) ?? node.task;
      const item = taskItem(task, this.actions?.canAct(node.connectionId) === true, this.now(), this.actions?.canRun?.(node.connectionId, 'stopTask') === true, true);
      item.id = node.id;
      return item;
    }
    if (node.kind === 'connection') {
      const c = this.store.connection(node.connectionId);
      if (!c) return messageItem('(removed)');
      const summary = this.renderedSummary(c.id);
      const item = connectionItem(c, c.state === 'connected' ? summary : '', true);
      item.id = node.id;
      return item;
    }
    if (node.kind === 'message') {
      const item = messageItem(node.text);
      item.id = node.id;
      if (node.warning) {
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = node.text;
      }
      return item;
    }
    const w = this.store.worker(node.id);
    const tasks = this.taskCounts.get(node.connectionId)?.get(node.workerId);
    const item = new vscode.TreeItem(workerLabel(w?.id ?? node.workerId), tasks ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (!w) return item;
    const taskText = tasks ? `${tasks.running} running / ${tasks.total} task${tasks.total === 1 ? '' : 's'}` : undefined;
    const parts = [w.status, w.queue ? `queue ${w.queue}` : undefined, w.currentTask ? `on ${w.currentTask}` : undefined, taskText, w.lastSeen ? `seen ${formatAgo(this.now() - w.lastSeen)}` : undefined];
    item.description = parts.filter(Boolean).join(' · ');
    const [icon, color] = STATUS_ICONS[w.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = CONTEXT_VALUES.worker;
    item.tooltip = [w.id, w.detail, item.description].filter(Boolean).join('\n');
    return item;
  }

  /** "online/total online" of a connection's workers (stale and offline ones are not online). */
  protected override connectionSummary(connectionId: string): string {
    const workers = this.store.workers(connectionId);
    let online = 0;
    for (const w of workers) if (w.status !== 'offline' && w.status !== 'stale') online++;
    return `${online}/${workers.length} online`;
  }

  override getParent(node: WorkersNode): WorkersNode | undefined {
    if (node.kind === 'task') return this.nodes.get(workerKey(node.connectionId, node.workerId));
    return node.kind === 'connection' ? undefined : this.nodes.get(`conn:${node.connectionId}`);
  }

  protected affected(change: ChangeSet): Set<string> | undefined {
    const ids = new Set<string>();
    for (const id of change.connections) {
      if (!this.store.connection(id) || !this.nodes.has(`conn:${id}`)) return undefined;
      ids.add(`conn:${id}`);
    }
    // A changed worker refreshes its own row; its connection only when a worker appeared or left, or "n/m online"
    // changed (re-listing a connection's workers on every heartbeat grew the extension host: see StoreTree).
    const touched = new Set<string>();
    for (const key of change.workers) {
      const connectionId = key.split(':', 2)[1] ?? '';
      touched.add(connectionId);
      if (this.nodes.has(key) && this.store.worker(key)) ids.add(key);
      else ids.add(`conn:${connectionId}`);
    }
    this.addStaleConnectionRows(ids, touched);
    // A proplet's tasks changing state (or a new one starting) changes its row and its task list.
    for (const key of change.tasks) {
      const task = this.store.task(key);
      if (!task?.worker || !listsTasksFromStore(task.system)) continue;
      const worker = workerKey(task.connectionId, task.worker);
      if (this.nodes.has(worker)) ids.add(`conn:${task.connectionId}`);
    }
    return ids;
  }
}
