// The Workflows view: connection → workflows with progress done/total and why a stuck one is stuck.
import * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import { workflowKey } from '../../core/model/keys';
import { CONTEXT_VALUES } from './context-values';
import { StoreTree, type TreeNode } from './store-tree';
import { connectionItem, messageItem } from './tree-items';

export type WorkflowsNode =
  | (TreeNode & { kind: 'connection' })
  | (TreeNode & { kind: 'workflow'; workflowId: string })
  | (TreeNode & { kind: 'message'; text: string });

export class WorkflowsTree extends StoreTree<WorkflowsNode> {
  getChildren(node?: WorkflowsNode): WorkflowsNode[] {
    if (!node) return this.store.connections().map((c) => this.node({ kind: 'connection', id: `conn:${c.id}`, connectionId: c.id }));
    if (node.kind !== 'connection') return [];
    const flows = this.store.workflows(node.connectionId).sort((a, b) => b.updatedAt - a.updatedAt);
    if (flows.length === 0) {
      const c = this.store.connection(node.connectionId);
      const text = c?.state === 'connected' ? 'No workflows reported' : 'Not connected';
      return [this.node({ kind: 'message', id: `conn:${node.connectionId}:message`, connectionId: node.connectionId, text })];
    }
    return flows.slice(0, 200).map((w) => this.node({ kind: 'workflow', id: workflowKey(w.connectionId, w.id), connectionId: w.connectionId, workflowId: w.id }));
  }

  getTreeItem(node: WorkflowsNode): vscode.TreeItem {
    if (node.kind === 'connection') {
      const c = this.store.connection(node.connectionId);
      if (!c) return messageItem('(removed)');
      const n = this.store.workflows(c.id).length;
      const item = connectionItem(c, c.state === 'connected' ? `${n} workflow${n === 1 ? '' : 's'}` : '', true);
      item.id = node.id;
      return item;
    }
    if (node.kind === 'message') {
      const item = messageItem(node.text);
      item.id = node.id;
      return item;
    }
    const w = this.store.workflow(node.id);
    const item = new vscode.TreeItem(w?.name ?? node.workflowId, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (!w) return item;
    const current = w.stages?.find((s) => s.status === 'running' || s.status === 'failed');
    item.description = `${w.done}/${w.total} · ${w.status}${current ? ` · ${current.status === 'failed' ? 'failed at' : 'at'} ${current.name}` : ''}${w.blockedReason ? ' · blocked' : ''}`;
    item.iconPath = new vscode.ThemeIcon(w.blockedReason ? 'warning' : 'type-hierarchy', w.blockedReason ? new vscode.ThemeColor('list.warningForeground') : undefined);
    item.contextValue = CONTEXT_VALUES.workflow;
    const history = w.stages && w.stages.length > 0 ? w.stages.map((s) => `${s.name}: ${s.status}`).join('\n') : undefined;
    item.tooltip = [w.name ?? w.id, `${w.done} of ${w.total} done`, w.status, w.blockedReason, history].filter(Boolean).join('\n');
    // BullMQ flows are jobs (`<queue>:<parent id>`): a click opens the parent's JSON.
    if (w.system === 'bullmq') item.command = { command: 'taskscope.openTaskJson', title: 'Open Task JSON', arguments: [node] };
    return item;
  }

  override getParent(node: WorkflowsNode): WorkflowsNode | undefined {
    return node.kind === 'connection' ? undefined : this.nodes.get(`conn:${node.connectionId}`);
  }

  protected affected(change: ChangeSet): Set<string> | undefined {
    const ids = new Set<string>();
    for (const id of change.connections) {
      if (!this.store.connection(id) || !this.nodes.has(`conn:${id}`)) return undefined;
      ids.add(`conn:${id}`);
    }
    for (const key of change.workflows) ids.add(`conn:${key.split(':', 2)[1] ?? ''}`);
    return ids;
  }
}
