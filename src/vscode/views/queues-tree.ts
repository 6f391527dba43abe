// The Queues view: connection → queue (counts in the description, paused shown) → state groups.
import * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import { queueKey } from '../../core/model/keys';
import { countsSummary, formatCount } from '../../core/views/queue-labels';
import { listsTasksFromStore, statesInOrder } from '../../core/views/task-list';
import { CONTEXT_VALUES } from './context-values';
import { StoreTree, type TreeNode } from './store-tree';
import { connectionItem, messageItem } from './tree-items';
import type { Task } from '../../core/model/entities';
import { taskKey } from '../../core/model/keys';
import { moveWindow, stateIcon, TASK_PAGE_SIZE, taskItem, type RowWindow, type TaskPager } from './task-rows';
import type { TopicBrowser } from '../../core/topics/topic-browser';
import { MAX_TOPIC_CHILDREN, topicItem, topicsGroupItem } from './topic-items';

/** How often a visible Topics subtree checks its browser for news (topics do not flow through the store). */
const TOPICS_REFRESH_MS = 1_000;

export type QueuesNode =
  | (TreeNode & { kind: 'connection' })
  | (TreeNode & { kind: 'queue'; queue: string })
  | (TreeNode & { kind: 'state'; queue: string; state: string })
  | (TreeNode & { kind: 'message'; text: string; icon: string })
  | (TreeNode & { kind: 'topics' })
  | (TreeNode & { kind: 'topic'; path: string })
  | (TreeNode & { kind: 'task'; queue: string; state: string; taskId: string; task: Task })
  | (TreeNode & { kind: 'more'; queue: string; state: string; direction: 'more' | 'newer'; text: string });

/** Jobs in these states are listed under their group. */
const LISTED = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed']);
const CLEANABLE = new Set(['completed', 'waiting', 'paused', 'prioritized']);

const STATE_ICONS: Record<string, [string, string | undefined]> = {
  waiting: ['clock', undefined],
  active: ['play-circle', 'charts.blue'],
  delayed: ['watch', 'charts.yellow'],
  prioritized: ['arrow-up', undefined],
  'waiting-children': ['type-hierarchy-sub', undefined],
  paused: ['debug-pause', 'charts.yellow'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
};

export class QueuesTree extends StoreTree<QueuesNode> {
  private topicsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly topicVersions = new Map<string, number>();

  private readonly windows = new Map<string, RowWindow>();
  private readonly totals = new Map<string, number>();

  constructor(
    store: ConstructorParameters<typeof StoreTree<QueuesNode>>[0],
    private readonly pager?: TaskPager,
    private readonly topicsOf: (connectionId: string) => TopicBrowser | undefined = () => undefined,
  ) {
    super(store);
  }

  override setVisible(visible: boolean): void {
    super.setVisible(visible);
    if (visible && !this.topicsTimer) {
      this.topicsTimer = setInterval(() => this.refreshTopics(), TOPICS_REFRESH_MS);
    } else if (!visible && this.topicsTimer) {
      clearInterval(this.topicsTimer);
      this.topicsTimer = undefined;
    }
  }

  private refreshTopics(): void {
    const changed: QueuesNode[] = [];
    for (const c of this.store.connections()) {
      const browser = this.topicsOf(c.id);
      const node = this.nodes.get(`conn:${c.id}:topics`);
      if (!browser) continue;
      if (!node) {
        if (browser.topicCount > 0 && !this.topicVersions.has(c.id)) {
          this.topicVersions.set(c.id, browser.version);
          const conn = this.nodes.get(`conn:${c.id}`);
          if (conn) changed.push(conn);
        }
        continue;
      }
      if (this.topicVersions.get(c.id) !== browser.version) {
        this.topicVersions.set(c.id, browser.version);
        changed.push(node);
      }
    }
    this.refreshNodes(changed);
  }

  override dispose(): void {
    if (this.topicsTimer) clearInterval(this.topicsTimer);
    super.dispose();
  }

  getChildren(node?: QueuesNode): QueuesNode[] | Promise<QueuesNode[]> {
    if (node?.kind === 'state') return this.taskRows(node);
    if (node?.kind === 'topics' || node?.kind === 'topic') return this.topicChildren(node);
    if (node?.kind === 'connection') {
      const browser = this.topicsOf(node.connectionId);
      const rest = this.connectionChildren(node);
      if (!browser || browser.topicCount === 0) return rest;
      const topics = this.node({ kind: 'topics', id: `conn:${node.connectionId}:topics`, connectionId: node.connectionId });
      return this.store.queues(node.connectionId).length > 0 ? [...rest, topics] : [topics];
    }
    return this.connectionChildren(node);
  }

  private topicChildren(node: QueuesNode & { kind: 'topics' | 'topic' }): QueuesNode[] {
    const browser = this.topicsOf(node.connectionId);
    if (!browser) return [];
    const entries = browser.children(node.kind === 'topic' ? node.path : '', Date.now());
    const shown = entries.slice(0, MAX_TOPIC_CHILDREN).map((e) =>
      this.node({ kind: 'topic', id: `topic:${node.connectionId}:${e.path}`, connectionId: node.connectionId, path: e.path }));
    if (entries.length > MAX_TOPIC_CHILDREN) {
      shown.push(this.node({ kind: 'message', id: `${node.id}:more`, connectionId: node.connectionId, text: `${entries.length - MAX_TOPIC_CHILDREN} more topics not shown`, icon: 'ellipsis' }));
    }
    return shown;
  }

  private connectionChildren(node?: QueuesNode): QueuesNode[] {
    if (!node) {
      return this.store.connections().map((c) => this.node({ kind: 'connection', id: `conn:${c.id}`, connectionId: c.id }));
    }
    if (node.kind === 'connection') {
      const queues = this.store.queues(node.connectionId).sort((a, b) => a.name.localeCompare(b.name));
      if (queues.length > 0) {
        return queues.map((q) => this.node({ kind: 'queue', id: queueKey(q.connectionId, q.name), connectionId: q.connectionId, queue: q.name }));
      }
      return [this.message(node.connectionId, this.emptyText(node.connectionId))];
    }
    if (node.kind === 'queue') {
      const q = this.store.queue(node.id);
      if (!q) return [];
      return statesInOrder(q.system, q.counts).map((state) =>
        this.node({ kind: 'state', id: `${node.id}:state:${state}`, connectionId: node.connectionId, queue: node.queue, state }));
    }
    return [];
  }

  getTreeItem(node: QueuesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'topics':
      case 'topic': {
        const browser = this.topicsOf(node.connectionId);
        if (!browser) return messageItem('(no topics)');
        const item = node.kind === 'topics' ? topicsGroupItem(browser) : topicItem(browser.entry(node.path, Date.now()));
        item.id = node.id;
        return item;
      }
      case 'connection': {
        const c = this.store.connection(node.connectionId);
        if (!c) return messageItem('(removed)');
        const n = this.store.queues(c.id).length;
        const item = connectionItem(c, c.state === 'connected' ? `${n} queue${n === 1 ? '' : 's'}` : '', true);
        item.id = node.id;
        return item;
      }
      case 'queue': {
        const q = this.store.queue(node.id);
        const item = new vscode.TreeItem(node.queue, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        if (!q) return item;
        item.description = `${q.paused ? 'paused · ' : ''}${countsSummary(q.counts)}`;
        item.iconPath = q.paused ? new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow')) : new vscode.ThemeIcon('layers');
        const writable = q.system === 'bullmq' && this.pager?.canAct(q.connectionId) === true;
        item.contextValue = !writable ? CONTEXT_VALUES.queueReadOnly : q.paused ? CONTEXT_VALUES.queuePaused : CONTEXT_VALUES.queue;
        const lines = statesInOrder(q.system, q.counts).map((s) => `${s}: ${q.counts[s]}`);
        item.tooltip = `${q.name}${q.paused ? ' (paused)' : ''}\n${q.version ? `${q.version}\n` : ''}\n${lines.join('\n')}`;
        item.accessibilityInformation = { label: `Queue ${q.name}${q.paused ? ', paused' : ''}, ${countsSummary(q.counts, 8)}` };
        return item;
      }
      case 'state': {
        const q = this.store.queue(queueKey(node.connectionId, node.queue));
        const count = q?.counts[node.state] ?? 0;
        const listable = this.pager !== undefined && this.listed(q?.system, node.state) && count > 0;
        const item = new vscode.TreeItem(node.state, listable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = formatCount(count);
        const [icon, color] = STATE_ICONS[node.state] ?? stateIcon(node.state);
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        const writable = q?.system === 'bullmq' && this.pager?.canAct(node.connectionId) === true;
        item.contextValue = !writable ? CONTEXT_VALUES.state
          : node.state === 'failed' ? CONTEXT_VALUES.stateFailed
          : node.state === 'delayed' ? CONTEXT_VALUES.stateDelayed
          : CLEANABLE.has(node.state) ? CONTEXT_VALUES.stateCleanable : CONTEXT_VALUES.state;
        item.tooltip = `${count} ${q?.system === 'bullmq' ? 'job' : 'task'}(s) ${node.state} in ${node.queue}`;
        return item;
      }
      case 'message': {
        const item = messageItem(node.text, node.icon);
        item.id = node.id;
        return item;
      }
      case 'task': {
        // Read the store's copy: a pushed task's state and metrics change after its row was listed.
        const task = listsTasksFromStore(node.task.system) ? this.store.task(node.id) ?? node.task : node.task;
        const stoppable = this.pager?.canRun?.(node.connectionId, 'stopTask') === true;
        const item = taskItem(task, this.pager?.canAct(node.connectionId) === true, Date.now(), stoppable);
        item.id = node.id;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.direction === 'more' ? 'fold-down' : 'fold-up');
        item.contextValue = CONTEXT_VALUES.more;
        item.command = { command: 'taskscope.loadMoreTasks', title: node.text, arguments: [node] };
        return item;
      }
    }
  }

  /** The rows of a state group in its current window, read fresh (pipelined range + HMGET) each time it renders. */
  private async taskRows(node: QueuesNode & { kind: 'state' }): Promise<QueuesNode[]> {
    const system = this.store.queue(queueKey(node.connectionId, node.queue))?.system;
    if (!this.pager || !this.listed(system, node.state)) return [];
    const w = this.windows.get(node.id) ?? { start: 0, end: TASK_PAGE_SIZE };
    let page;
    try {
      page = await this.pager.taskPage(node.connectionId, { queue: node.queue, state: node.state, offset: w.start, limit: w.end - w.start });
    } catch (error) {
      return [this.node({ kind: 'message', id: `${node.id}:error`, connectionId: node.connectionId, text: `Could not list jobs: ${error instanceof Error ? error.message : String(error)}`, icon: 'warning' })];
    }
    if (!page) return [this.node({ kind: 'message', id: `${node.id}:none`, connectionId: node.connectionId, text: 'Jobs cannot be listed while disconnected', icon: 'info' })];
    this.totals.set(node.id, page.total);
    const rows: QueuesNode[] = [];
    const base = { connectionId: node.connectionId, queue: node.queue, state: node.state };
    if (w.start > 0) rows.push(this.node({ kind: 'more', id: `${node.id}:newer`, ...base, direction: 'newer', text: `Show newer… (${w.start} above)` }));
    for (const task of page.tasks) rows.push(this.node({ kind: 'task', id: taskKey(node.connectionId, node.queue, task.id), ...base, taskId: task.id, task }));
    if (page.total > w.end) rows.push(this.node({ kind: 'more', id: `${node.id}:more`, ...base, direction: 'more', text: `Load more… (${page.total - w.end} more)` }));
    if (rows.length === 0) rows.push(this.node({ kind: 'message', id: `${node.id}:empty`, connectionId: node.connectionId, text: 'No jobs', icon: 'info' }));
    return rows;
  }

  /** BullMQ lists the states it can page; push sources (Propeller) list every state from the store. */
  private listed(system: string | undefined, state: string): boolean {
    return LISTED.has(state) || listsTasksFromStore(system as Parameters<typeof listsTasksFromStore>[0]);
  }

  /** "Load more…" / "Show newer…": moves the window of that state and re-renders only it. */
  loadMore(node: QueuesNode): void {
    if (node.kind !== 'more') return;
    const stateId = `${queueKey(node.connectionId, node.queue)}:state:${node.state}`;
    const w = this.windows.get(stateId) ?? { start: 0, end: TASK_PAGE_SIZE };
    this.windows.set(stateId, moveWindow(w, node.direction, this.totals.get(stateId) ?? w.end));
    const stateNode = this.nodes.get(stateId);
    if (stateNode) this.refreshNodes([stateNode]);
    else this.refreshAll();
  }

  override getParent(node: QueuesNode): QueuesNode | undefined {
    if (node.kind === 'connection') return undefined;
    if (node.kind === 'task' || node.kind === 'more') return this.nodes.get(`${queueKey(node.connectionId, node.queue)}:state:${node.state}`);
    if (node.kind === 'state') return this.nodes.get(queueKey(node.connectionId, node.queue));
    if (node.kind === 'topic') {
      const slash = node.path.lastIndexOf('/');
      return slash < 0 ? this.nodes.get(`conn:${node.connectionId}:topics`) : this.nodes.get(`topic:${node.connectionId}:${node.path.slice(0, slash)}`);
    }
    return this.nodes.get(`conn:${node.connectionId}`);
  }

  /** Finds the node for a queue key so it can be revealed (e.g. from the Overview). */
  queueNode(key: string): QueuesNode | undefined {
    const q = this.store.queue(key);
    if (!q) return undefined;
    this.node({ kind: 'connection', id: `conn:${q.connectionId}`, connectionId: q.connectionId });
    return this.node({ kind: 'queue', id: key, connectionId: q.connectionId, queue: q.name });
  }

  protected affected(change: ChangeSet): Set<string> | undefined {
    const ids = new Set<string>();
    for (const id of change.connections) {
      if (!this.store.connection(id) || !this.nodes.has(`conn:${id}`)) return undefined; // added or removed
      ids.add(`conn:${id}`);
    }
    for (const key of change.queues) {
      if (this.nodes.has(key) && this.store.queue(key)) ids.add(key);
      else ids.add(`conn:${key.split(':', 2)[1] ?? ''}`); // a queue appeared or vanished: its connection lists it
    }
    // Pushed tasks change state and metrics without their queue's counts changing: refresh the rows shown.
    for (const key of change.tasks) {
      if (this.nodes.has(key)) ids.add(key);
      const task = this.store.task(key);
      if (task && listsTasksFromStore(task.system) && task.queue !== undefined) {
        const group = `${queueKey(task.connectionId, task.queue)}:state:${task.status}`;
        if (this.nodes.has(group)) ids.add(group);
      }
    }
    return ids;
  }

  private message(connectionId: string, text: string): QueuesNode {
    return this.node({ kind: 'message', id: `conn:${connectionId}:message`, connectionId, text, icon: 'info' });
  }

  private emptyText(connectionId: string): string {
    const c = this.store.connection(connectionId);
    if (!c) return '';
    switch (c.state) {
      case 'connected': return 'No queues found';
      case 'connecting': return 'Connecting…';
      case 'idle': return 'Not connected yet';
      default: return c.error ? `Not connected: ${c.error}` : 'Not connected';
    }
  }
}
