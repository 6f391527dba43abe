// The Workers view: connection → workers, with liveness from heartbeats or connection age.
import * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import type { WorkerStatus } from '../../core/model/entities';
import { workerKey } from '../../core/model/keys';
import { formatAgo, workerLabel } from '../../core/views/queue-labels';
import { CONTEXT_VALUES } from './context-values';
import { StoreTree, type TreeNode } from './store-tree';
import { connectionItem, messageItem } from './tree-items';

export type WorkersNode =
  | (TreeNode & { kind: 'connection' })
  | (TreeNode & { kind: 'worker'; workerId: string })
  | (TreeNode & { kind: 'message'; text: string });

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
  constructor(store: ConstructorParameters<typeof StoreTree>[0], private readonly now: () => number = Date.now) {
    super(store);
  }

  getChildren(node?: WorkersNode): WorkersNode[] {
    if (!node) return this.store.connections().map((c) => this.node({ kind: 'connection', id: `conn:${c.id}`, connectionId: c.id }));
    if (node.kind !== 'connection') return [];
    const workers = this.store.workers(node.connectionId).sort((a, b) => a.id.localeCompare(b.id));
    if (workers.length === 0) {
      const c = this.store.connection(node.connectionId);
      const text = c?.state === 'connected' ? 'No workers seen' : 'Not connected';
      return [this.node({ kind: 'message', id: `conn:${node.connectionId}:message`, connectionId: node.connectionId, text })];
    }
    return workers.map((w) => this.node({ kind: 'worker', id: workerKey(w.connectionId, w.id), connectionId: w.connectionId, workerId: w.id }));
  }

  getTreeItem(node: WorkersNode): vscode.TreeItem {
    if (node.kind === 'connection') {
      const c = this.store.connection(node.connectionId);
      if (!c) return messageItem('(removed)');
      const workers = this.store.workers(c.id);
      const online = workers.filter((w) => w.status !== 'offline' && w.status !== 'stale').length;
      const item = connectionItem(c, c.state === 'connected' ? `${online}/${workers.length} online` : '', true);
      item.id = node.id;
      return item;
    }
    if (node.kind === 'message') {
      const item = messageItem(node.text);
      item.id = node.id;
      return item;
    }
    const w = this.store.worker(node.id);
    const item = new vscode.TreeItem(workerLabel(w?.id ?? node.workerId), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (!w) return item;
    const parts = [w.status, w.queue ? `queue ${w.queue}` : undefined, w.currentTask ? `on ${w.currentTask}` : undefined, w.lastSeen ? `seen ${formatAgo(this.now() - w.lastSeen)}` : undefined];
    item.description = parts.filter(Boolean).join(' · ');
    const [icon, color] = STATUS_ICONS[w.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = CONTEXT_VALUES.worker;
    item.tooltip = [w.id, w.detail, item.description].filter(Boolean).join('\n');
    return item;
  }

  override getParent(node: WorkersNode): WorkersNode | undefined {
    return node.kind === 'connection' ? undefined : this.nodes.get(`conn:${node.connectionId}`);
  }

  protected affected(change: ChangeSet): Set<string> | undefined {
    const ids = new Set<string>();
    for (const id of change.connections) {
      if (!this.store.connection(id) || !this.nodes.has(`conn:${id}`)) return undefined;
      ids.add(`conn:${id}`);
    }
    // A worker appearing or leaving changes its connection's "n/m online" too, so refresh the connection.
    for (const key of change.workers) ids.add(`conn:${key.split(':', 2)[1] ?? ''}`);
    return ids;
  }
}
