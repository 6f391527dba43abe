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
import type { SchedulerView, TaskLogLine } from '../../core/source/task-query';
import { seriesKey } from '../../core/store/monitor-store';
import { bullmqPerMinuteSeries, schedulerDescription, schedulerDetails, throughputLines } from '../../core/views/scheduler-labels';

/** A log line's label is one line of at most this many characters; the tooltip shows more. */
const LOG_LABEL_MAX = 200;
const LOG_TOOLTIP_MAX = 4_000;

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
  | (TreeNode & { kind: 'more'; queue: string; state: string; direction: 'more' | 'newer'; text: string })
  | (TreeNode & { kind: 'logs'; queue: string; state: string; taskId: string; total: number })
  | (TreeNode & { kind: 'logLine'; queue: string; state: string; taskId: string; line: TaskLogLine })
  | (TreeNode & { kind: 'logsMore'; queue: string; state: string; taskId: string; direction: 'more' | 'newer'; text: string })
  | (TreeNode & { kind: 'schedulers'; queue: string; total: number })
  | (TreeNode & { kind: 'scheduler'; queue: string; schedulerId: string; view: SchedulerView });

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
    if (node?.kind === 'task') return this.taskChildren(node);
    if (node?.kind === 'logs') return this.logRows(node);
    if (node?.kind === 'schedulers') return this.schedulerRows(node);
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
      const states: QueuesNode[] = statesInOrder(q.system, q.counts).map((state) =>
        this.node({ kind: 'state', id: `${node.id}:state:${state}`, connectionId: node.connectionId, queue: node.queue, state }));
      if (q.schedulers && this.pager?.schedulers) {
        states.push(this.node({ kind: 'schedulers', id: `${node.id}:schedulers`, connectionId: node.connectionId, queue: node.queue, total: q.schedulers }));
      }
      return states;
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
        const summary = this.renderedSummary(c.id);
        const item = connectionItem(c, c.state === 'connected' ? summary : '', true);
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
        if (q.schedulers) lines.push(`schedulers: ${q.schedulers}`);
        const throughput = this.throughput(q.connectionId, q.name);
        item.tooltip = `${q.name}${q.paused ? ' (paused)' : ''}\n${q.version ? `${q.version}\n` : ''}\n${lines.join('\n')}${throughput ? `\n\n${throughput.join('\n')}` : ''}`;
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
        const item = taskItem(task, this.pager?.canAct(node.connectionId) === true, Date.now(), stoppable, false, this.hasLogs(task));
        item.id = node.id;
        return item;
      }
      case 'logs': {
        const item = new vscode.TreeItem(`Logs (${formatCount(node.total)})`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('output');
        item.contextValue = CONTEXT_VALUES.logs;
        item.tooltip = `${node.total} line(s) written with job.log() by job #${node.taskId}, oldest first`;
        return item;
      }
      case 'logLine': {
        const l = node.line;
        const firstLine = l.text.split(/\r?\n/, 1)[0] ?? '';
        const label = firstLine.length > LOG_LABEL_MAX ? `${firstLine.slice(0, LOG_LABEL_MAX)}…` : firstLine;
        const item = new vscode.TreeItem(label || '(empty line)', vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = [`${l.index + 1}`, l.truncated ? `cut, ${l.bytes} bytes` : undefined, label !== l.text ? 'more in tooltip' : undefined].filter(Boolean).join(' · ');
        item.contextValue = CONTEXT_VALUES.logLine;
        const tip = new vscode.MarkdownString(undefined, false);
        tip.isTrusted = false;
        tip.appendCodeblock(l.text.length > LOG_TOOLTIP_MAX ? `${l.text.slice(0, LOG_TOOLTIP_MAX)}…` : l.text, 'text');
        if (l.truncated) tip.appendMarkdown(`\n\nLine cut: ${l.bytes} bytes in full. The whole log is in the task detail (Logs tab).`);
        item.tooltip = tip;
        item.accessibilityInformation = { label: `Log line ${l.index + 1}: ${label}${l.truncated ? ', cut' : ''}` };
        return item;
      }
      case 'schedulers': {
        const item = new vscode.TreeItem('Schedulers', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = formatCount(this.store.queue(queueKey(node.connectionId, node.queue))?.schedulers ?? node.total);
        item.iconPath = new vscode.ThemeIcon('calendar');
        item.contextValue = CONTEXT_VALUES.schedulers;
        item.tooltip = `Job schedulers and repeatable jobs of ${node.queue} (read-only; "Remove Scheduler" on a row)`;
        return item;
      }
      case 'scheduler': {
        const v = node.view;
        const item = new vscode.TreeItem(v.id, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = schedulerDescription(v, Date.now());
        item.iconPath = new vscode.ThemeIcon(v.kind === 'legacy' ? 'history' : 'calendar');
        item.contextValue = this.pager?.canAct(node.connectionId) === true ? CONTEXT_VALUES.schedulerRemovable : CONTEXT_VALUES.scheduler;
        item.tooltip = schedulerDetails(v).join('\n');
        item.accessibilityInformation = { label: `Scheduler ${v.id}, ${item.description}` };
        return item;
      }
      case 'more':
      case 'logsMore': { // "Load more…" / "Show earlier…" of tasks and of log lines: one command pages both
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


  private hasLogs(task: Task): boolean { return (task.logCount ?? 0) > 0 && this.pager?.taskLogs !== undefined; }

  /** A task row's children: its "Logs (N)" node when it has log lines. */
  private taskChildren(node: QueuesNode & { kind: 'task' }): QueuesNode[] {
    if (!this.hasLogs(node.task)) return [];
    return [this.node({ kind: 'logs', id: `${node.id}:logs`, connectionId: node.connectionId, queue: node.queue, state: node.state, taskId: node.taskId, total: node.task.logCount ?? 0 })];
  }

  /** A window of a job's log lines (50 per page, at most 200), read when the node renders. */
  private async logRows(node: QueuesNode & { kind: 'logs' }): Promise<QueuesNode[]> {
    if (!this.pager?.taskLogs) return [];
    const w = this.windows.get(node.id) ?? { start: 0, end: TASK_PAGE_SIZE };
    let page;
    try {
      page = await this.pager.taskLogs(node.connectionId, { queue: node.queue, id: node.taskId, offset: w.start, limit: w.end - w.start });
    } catch (error) {
      return [this.node({ kind: 'message', id: `${node.id}:error`, connectionId: node.connectionId, text: `Could not read the log: ${error instanceof Error ? error.message : String(error)}`, icon: 'warning' })];
    }
    if (!page) return [this.node({ kind: 'message', id: `${node.id}:none`, connectionId: node.connectionId, text: 'Logs cannot be read while disconnected', icon: 'info' })];
    this.totals.set(node.id, page.total);
    const base = { connectionId: node.connectionId, queue: node.queue, state: node.state, taskId: node.taskId };
    const rows: QueuesNode[] = [];
    if (page.offset > 0) rows.push(this.node({ kind: 'logsMore', id: `${node.id}:newer`, ...base, direction: 'newer', text: `Show earlier… (${page.offset} above)` }));
    for (const line of page.lines) rows.push(this.node({ kind: 'logLine', id: `${node.id}:line:${line.index}`, ...base, line }));
    const end = page.offset + page.lines.length;
    if (page.total > end) rows.push(this.node({ kind: 'logsMore', id: `${node.id}:more`, ...base, direction: 'more', text: `Load more… (${page.total - end} more)` }));
    if (rows.length === 0) rows.push(this.node({ kind: 'message', id: `${node.id}:empty`, connectionId: node.connectionId, text: 'No log lines (trimmed or removed)', icon: 'info' }));
    return rows;
  }

  /** A queue's schedulers, soonest first, read when the node renders. */
  private async schedulerRows(node: QueuesNode & { kind: 'schedulers' }): Promise<QueuesNode[]> {
    if (!this.pager?.schedulers) return [];
    let list;
    try {
      list = await this.pager.schedulers(node.connectionId, node.queue);
    } catch (error) {
      return [this.node({ kind: 'message', id: `${node.id}:error`, connectionId: node.connectionId, text: `Could not list schedulers: ${error instanceof Error ? error.message : String(error)}`, icon: 'warning' })];
    }
    if (!list) return [this.node({ kind: 'message', id: `${node.id}:none`, connectionId: node.connectionId, text: 'Schedulers cannot be listed while disconnected', icon: 'info' })];
    const rows: QueuesNode[] = list.schedulers.map((view) =>
      this.node({ kind: 'scheduler', id: `${node.id}:${view.id}`, connectionId: node.connectionId, queue: node.queue, schedulerId: view.id, view }));
    if (list.total > list.schedulers.length) rows.push(this.node({ kind: 'message', id: `${node.id}:rest`, connectionId: node.connectionId, text: `${list.total - list.schedulers.length} more schedulers not shown (soonest first)`, icon: 'ellipsis' }));
    if (rows.length === 0) rows.push(this.node({ kind: 'message', id: `${node.id}:empty`, connectionId: node.connectionId, text: 'No schedulers', icon: 'info' }));
    return rows;
  }

  /** Tooltip lines from BullMQ's per-minute metrics series, when workers write them. */
  private throughput(connectionId: string, queue: string): string[] | undefined {
    const points = (type: 'completed' | 'failed'): (readonly [number, number])[] =>
      this.store.seriesAt(seriesKey({ connectionId, name: bullmqPerMinuteSeries(type), labels: { queue } }))?.samples.toArray() ?? [];
    return throughputLines(points('completed'), points('failed'));
  }

  /** "Load more…" / "Show newer…": moves the window of that state (or log) and re-renders only it. */
  loadMore(node: QueuesNode): void {
    if (node.kind === 'logsMore') {
      const logsId = `${taskKey(node.connectionId, node.queue, node.taskId)}:logs`;
      const w = this.windows.get(logsId) ?? { start: 0, end: TASK_PAGE_SIZE };
      this.windows.set(logsId, moveWindow(w, node.direction, this.totals.get(logsId) ?? w.end));
      const logsNode = this.nodes.get(logsId);
      if (logsNode) this.refreshNodes([logsNode]);
      else this.refreshAll();
      return;
    }
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
    if (node.kind === 'logs') return this.nodes.get(taskKey(node.connectionId, node.queue, node.taskId));
    if (node.kind === 'logLine' || node.kind === 'logsMore') return this.nodes.get(`${taskKey(node.connectionId, node.queue, node.taskId)}:logs`);
    if (node.kind === 'schedulers') return this.nodes.get(queueKey(node.connectionId, node.queue));
    if (node.kind === 'scheduler') return this.nodes.get(`${queueKey(node.connectionId, node.queue)}:schedulers`);
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
    const touched = new Set<string>();
    for (const key of change.queues) {
      const connectionId = key.split(':', 2)[1] ?? '';
      touched.add(connectionId);
      if (this.nodes.has(key) && this.store.queue(key)) ids.add(key);
      else ids.add(`conn:${connectionId}`); // a queue appeared or vanished: its connection lists it
    }
    this.addStaleConnectionRows(ids, touched);
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

  protected override connectionSummary(connectionId: string): string {
    const n = this.store.queues(connectionId).length;
    return `${n} queue${n === 1 ? '' : 's'}`;
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
