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

/** Statuses after which a workflow no longer changes (any system's spelling). */
const FINISHED = /^(completed|complete|succeeded|success|done|failed|failure|cancel+ed|aborted)\b/i;

export class WorkflowsTree extends StoreTree<WorkflowsNode> {
  /**
   * Rows are ordered active first, then newest first by when the view first saw them: an order that an update does
   * not change. (Ordered by last update, every progress event moved a row and re-listed the whole connection; every
   * row VS Code re-reads stays in its extension host's memory for the life of the view.)
   */
  private readonly firstSeen = new Map<string, number>();
  private seenCounter = 0;
  /** Per listed row, whether it was listed as active. */
  private readonly listedActive = new Map<string, boolean>();

  getChildren(node?: WorkflowsNode): WorkflowsNode[] {
    if (!node) return this.store.connections().map((c) => this.node({ kind: 'connection', id: `conn:${c.id}`, connectionId: c.id }));
    if (node.kind !== 'connection') return [];
    const all = this.store.workflows(node.connectionId);
    this.forgetGone(node.connectionId, all.map((w) => workflowKey(w.connectionId, w.id)));
    // Numbered in the store's order (the order they arrived) before sorting, so ties never depend on the sort.
    const rows = all.map((w) => {
      const key = workflowKey(w.connectionId, w.id);
      let seen = this.firstSeen.get(key);
      if (seen === undefined) this.firstSeen.set(key, (seen = ++this.seenCounter));
      return { w, key, seen, active: !FINISHED.test(w.status) };
    });
    const flows = rows
      .sort((a, b) => Number(b.active) - Number(a.active) || b.seen - a.seen)
      .map(({ w, key, active }) => { this.listedActive.set(key, active); return w; });
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
      const summary = this.renderedSummary(c.id);
      const item = connectionItem(c, c.state === 'connected' ? summary : '', true);
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
    // A changed workflow refreshes its row; its connection only when the rows it lists would differ (a workflow
    // appeared or went, moved between active and finished, or the count its row shows changed).
    const touched = new Set<string>();
    for (const key of change.workflows) {
      const connectionId = key.split(':', 2)[1] ?? '';
      touched.add(connectionId);
      const w = this.store.workflow(key);
      const listedActive = this.listedActive.get(key);
      if (w && this.nodes.has(key) && listedActive === !FINISHED.test(w.status)) ids.add(key);
      // Known but beyond the rows listed (200): listed again only if it turned active (it moves up then).
      else if (w && !this.nodes.has(key) && listedActive !== undefined && (listedActive || FINISHED.test(w.status))) continue;
      else ids.add(`conn:${connectionId}`);
    }
    this.addStaleConnectionRows(ids, touched);
    return ids;
  }

  protected override connectionSummary(connectionId: string): string {
    const n = this.store.workflows(connectionId).length;
    return `${n} workflow${n === 1 ? '' : 's'}`;
  }

  /** Drops what the view remembered of a connection's workflows that are no longer in the store. */
  private forgetGone(connectionId: string, present: readonly string[]): void {
    const keep = new Set(present);
    const prefix = `workflow:${connectionId}:`;
    for (const key of this.firstSeen.keys()) {
      if (key.startsWith(prefix) && !keep.has(key)) {
        this.firstSeen.delete(key);
        this.listedActive.delete(key);
      }
    }
  }
}
