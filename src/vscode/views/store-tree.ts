// Shared mechanics of the three trees: node objects cached by stable id (so targeted refreshes and
// expansion survive), refreshes coalesced to at most 4 per second, and nothing refreshed while hidden.
import * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import type { MonitorStore } from '../../core/store/monitor-store';
import { ChangeCoalescer } from '../../core/util/coalescer';

export interface TreeNode {
  readonly id: string;
  readonly connectionId: string;
}

/** Above this many targeted refreshes, one full refresh is cheaper. */
const MAX_TARGETED = 50;
export const TREE_REFRESH_INTERVAL_MS = 250;

export abstract class StoreTree<N extends TreeNode> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<N | N[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  protected readonly nodes = new Map<string, N>();
  private readonly coalescer: ChangeCoalescer;
  /** Counts refreshes actually sent to VS Code (read by the benchmark and tests). */
  refreshCount = 0;
  /** What each connection row last showed as its summary ("3 queues", "2/4 online"), to tell when it is stale. */
  private readonly shownSummaries = new Map<string, string>();

  constructor(protected readonly store: MonitorStore) {
    this.coalescer = new ChangeCoalescer(TREE_REFRESH_INTERVAL_MS, (c) => this.refreshFor(c));
    this.coalescer.setPaused(true);
  }

  abstract getTreeItem(node: N): vscode.TreeItem;
  abstract getChildren(node?: N): N[] | Promise<N[]>;
  /** Node ids a change touches; `undefined` means the root must be refreshed. */
  protected abstract affected(change: ChangeSet): Set<string> | undefined;

  getParent?(node: N): N | undefined;

  /** The summary a connection row shows (its queue count, workers online…); trees whose rows show one override it. */
  protected connectionSummary(_connectionId: string): string { return ''; }

  /** The summary for a connection row being rendered, remembered to tell later whether the row is stale. */
  protected renderedSummary(connectionId: string): string {
    const summary = this.connectionSummary(connectionId);
    this.shownSummaries.set(connectionId, summary);
    return summary;
  }

  /**
   * Adds the rows of these connections whose summary is no longer what they show. Changes refresh the rows that
   * changed, not their connection (every row VS Code re-reads stays in its extension host for the life of the view),
   * so a connection row is refreshed only when its list or this summary differs — and a row can be stale even when
   * its children are not: they may have been read after the row, with an entity that arrived in between.
   */
  protected addStaleConnectionRows(ids: Set<string>, connectionIds: Iterable<string>): void {
    for (const connectionId of connectionIds) {
      const id = `conn:${connectionId}`;
      const shown = this.shownSummaries.get(connectionId);
      if (shown !== undefined && this.nodes.has(id) && shown !== this.connectionSummary(connectionId)) ids.add(id);
    }
  }

  onStoreChange(change: ChangeSet): void { this.coalescer.add(change); }

  setVisible(visible: boolean): void { this.coalescer.setPaused(!visible); }

  refreshAll(): void {
    // Ids, not object identity, carry expansion state, so dropping the cache here is safe and keeps it bounded.
    this.nodes.clear();
    this.refreshCount++;
    this.emitter.fire(undefined);
  }

  /** Returns the cached node with this id, updated with `fresh`, so the same object identifies it across refreshes. */
  protected node(fresh: N): N {
    const existing = this.nodes.get(fresh.id);
    if (existing) {
      Object.assign(existing, fresh);
      return existing;
    }
    this.nodes.set(fresh.id, fresh);
    return fresh;
  }

  /** Refreshes these nodes (and what they list) now; for data that does not flow through the store. */
  protected refreshNodes(nodes: N[]): void {
    if (nodes.length === 0) return;
    this.refreshCount++;
    this.emitter.fire(nodes);
  }

  private refreshFor(change: ChangeSet): void {
    const ids = this.affected(change);
    if (ids === undefined || ids.size > MAX_TARGETED) return this.refreshAll();
    const targets: N[] = [];
    for (const id of ids) {
      const n = this.nodes.get(id);
      if (!n) return this.refreshAll(); // never rendered: its parent must list it
      targets.push(n);
    }
    if (targets.length === 0) return;
    this.refreshCount++;
    this.emitter.fire(targets);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.emitter.dispose();
  }
}
