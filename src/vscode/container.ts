// Composition root: constructs every service explicitly, wires store changes to the views, registers
// commands, and owns all disposables. Nothing connects until a Taskscope view or panel becomes visible.
import * as vscode from 'vscode';
import type { ChangeSet } from '../core/store/change-set';
import { MonitorSession } from '../sources/monitor-session';
import { readRetention, readSettings, removeProfileFromSettings, SECTION } from './config';
import { createLog } from './log';
import { ConnectionSecrets } from './secrets';
import { ConnectionStatusBar } from './status-bar';
import { QueuesTree, type QueuesNode } from './views/queues-tree';
import { WorkersTree } from './views/workers-tree';
import { WorkflowsTree } from './views/workflows-tree';
import type { StoreTree, TreeNode } from './views/store-tree';
import { OverviewPanel, OVERVIEW_VIEW_TYPE } from './panels/overview-panel';
import { TimelinePanel, TIMELINE_VIEW_TYPE } from './panels/timeline-panel';
import { LogSearchPanel, LOG_SEARCH_VIEW_TYPE } from './panels/log-search-panel';
import { openTask } from './panels/open-task';
import { logQueryForNode, timelineScopeForNode } from './panels/panel-targets';
import type { CommandId } from './commands/command-ids';
import { runAddConnectionWizard } from './commands/add-connection-wizard';
import { pickConnection } from './commands/pick-connection';
import { runStopTask } from './commands/stop-task';
import { DemoController } from './demo-controller';
import { Dashboards } from './panels/dashboards';
import { TaskCommands, type ActionNode } from './commands/task-commands';
import { searchTasks } from './commands/search-tasks';
import { TASK_SCHEME, TaskDocumentProvider, type TaskLocator } from './task-document';

export class Container implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log = createLog();
  private readonly secrets: ConnectionSecrets;
  readonly session: MonitorSession;
  private readonly queuesTree: QueuesTree;
  private readonly workersTree: WorkersTree;
  private readonly workflowsTree: WorkflowsTree;
  private readonly trees: StoreTree<TreeNode>[];
  private readonly visibleViews = new Set<string>();
  private readonly statusBar: ConnectionStatusBar;
  private readonly overview: OverviewPanel;
  private readonly timeline: TimelinePanel;
  private readonly logSearch: LogSearchPanel;
  private readonly demo: DemoController;
  private readonly dashboards: Dashboards;
  private readonly taskCommands: TaskCommands;
  private readonly taskDocuments: TaskDocumentProvider;
  private queuesView: vscode.TreeView<QueuesNode> | undefined;
  private settingsVersion = 0;
  private lastProblems = '';

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(this.log.channel);
    this.secrets = new ConnectionSecrets(context.secrets);
    this.session = new MonitorSession({ log: this.log.logger, retention: readRetention() });
    const store = this.session.store;
    this.taskCommands = new TaskCommands(this.session, () => this.queuesTree.refreshAll());
    this.taskDocuments = new TaskDocumentProvider(this.session);
    const taskActions = {
      canAct: (id: string) => this.taskCommands.canAct(id),
      canRun: (id: string, actionId: string) => this.session.actions(id).some((a) => a.id === actionId && a.disabledReason === undefined),
    };
    this.queuesTree = new QueuesTree(store, {
      taskPage: (id, request) => this.session.taskPage(id, request),
      ...taskActions,
      taskLogs: (id, request) => this.session.taskLogs(id, request),
      schedulers: (id, queue) => this.session.schedulers(id, queue),
    }, (id) => this.session.supervisor(id)?.source.topics?.());
    this.workersTree = new WorkersTree(store, Date.now, taskActions);
    this.workflowsTree = new WorkflowsTree(store);
    this.trees = [this.queuesTree, this.workersTree, this.workflowsTree] as StoreTree<TreeNode>[];
    this.statusBar = new ConnectionStatusBar(store);
    this.overview = new OverviewPanel(context.extensionUri, store, {
      revealQueue: (key) => void this.revealQueue(key),
      reconnect: (id) => this.session.reconnect(id),
    }, this.log.logger, () => this.onSomethingVisible());
    const showTask = (key: string): void => void openTask(store, key);
    this.timeline = new TimelinePanel(context.extensionUri, store, { openTask: showTask }, this.log.logger, () => this.onSomethingVisible());
    this.logSearch = new LogSearchPanel(context.extensionUri, store, {
      openTask: showTask,
      showOnTimeline: (at, key) => this.timeline.reveal(at, key),
    }, this.log.logger, () => this.onSomethingVisible());
    this.demo = new DemoController(context, this.log.logger);
    this.dashboards = new Dashboards(context.extensionUri, this.session, this.log.logger, () => this.onSomethingVisible());
    this.disposables.push(...this.trees, this.statusBar, this.overview, this.timeline, this.logSearch, this.demo, this.dashboards, this.taskDocuments);
  }

  /** Registers views, commands and listeners. Cheap: reads settings, opens no connection. */
  register(): void {
    this.queuesView = this.createView('taskscope.queues', this.queuesTree as StoreTree<TreeNode>) as vscode.TreeView<QueuesNode>;
    this.createView('taskscope.workers', this.workersTree as StoreTree<TreeNode>);
    this.createView('taskscope.workflows', this.workflowsTree as StoreTree<TreeNode>);
    const sub = this.session.onDidChange((change) => this.onStoreChange(change));
    this.disposables.push(
      { dispose: () => sub.dispose() },
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.retention`)) this.session.setRetention(readRetention());
        if (e.affectsConfiguration(SECTION)) void this.reloadSettings();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reloadSettings()),
      vscode.workspace.registerTextDocumentContentProvider(TASK_SCHEME, this.taskDocuments),
      this.secrets.onDidChange(() => void this.reloadSettings()),
      vscode.window.registerWebviewPanelSerializer(OVERVIEW_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.overview.restore(panel),
      }),
      ...this.dashboards.registerSerializers(),
      vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.timeline.restore(panel, state),
      }),
      vscode.window.registerWebviewPanelSerializer(LOG_SEARCH_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.logSearch.restore(panel, state),
      }),
    );
    this.registerCommands();
    void this.reloadSettings();
  }

  private createView(id: string, tree: StoreTree<TreeNode>): vscode.TreeView<TreeNode> {
    const view = vscode.window.createTreeView(id, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
    this.disposables.push(view, view.onDidChangeVisibility((e) => this.onViewVisibility(id, tree, e.visible)));
    if (view.visible) this.onViewVisibility(id, tree, true);
    return view;
  }

  private onViewVisibility(id: string, tree: StoreTree<TreeNode>, visible: boolean): void {
    tree.setVisible(visible);
    if (visible) {
      this.visibleViews.add(id);
      tree.refreshAll();
      this.onSomethingVisible();
    } else {
      this.visibleViews.delete(id);
    }
    this.session.setVisible(this.visibleViews.size > 0 || this.overview.visible || this.dashboards.anyVisible || this.timeline.visible || this.logSearch.visible);
  }

  /** The first visible view or panel starts the connections; polling follows visibility from then on. */
  private onSomethingVisible(): void {
    this.session.setVisible(true);
    if (!this.session.isStarted) {
      this.log.logger.info('a Taskscope view is visible: connecting');
      this.session.startAll();
    }
  }

  private onStoreChange(change: ChangeSet): void {
    for (const tree of this.trees) tree.onStoreChange(change);
    this.overview.onStoreChange(change);
    this.dashboards.onStoreChange(change);
    this.timeline.onStoreChange(change);
    this.logSearch.onStoreChange(change);
    if (change.connections.size > 0) this.statusBar.update();
  }

  private async reloadSettings(): Promise<void> {
    const version = ++this.settingsVersion;
    const settings = await readSettings(this.secrets);
    if (version !== this.settingsVersion) return; // a newer reload superseded this one
    const demoProfiles = this.demo.profiles();
    await this.session.setProfiles([...settings.profiles, ...demoProfiles]);
    void vscode.commands.executeCommand('setContext', 'taskscope.connectionCount', settings.profiles.length + demoProfiles.length);
    this.statusBar.update();
    const problems = settings.problems.join('\n');
    if (problems && problems !== this.lastProblems) {
      for (const p of settings.problems) this.log.logger.warn(`settings: ${p}`);
      const first = settings.problems[0] ?? '';
      const more = settings.problems.length > 1 ? ` (and ${settings.problems.length - 1} more; see the Taskscope log)` : '';
      void vscode.window.showWarningMessage(`Taskscope: ${first}${more}`, 'Open Settings', 'Show Log').then((choice) => {
        if (choice === 'Open Settings') void vscode.commands.executeCommand('taskscope.editConnections');
        if (choice === 'Show Log') this.log.channel.show();
      });
    }
    this.lastProblems = problems;
  }

  private async revealQueue(key: string): Promise<void> {
    const node = this.queuesTree.queueNode(key);
    if (!node || !this.queuesView) return;
    await this.queuesView.reveal(node, { select: true, focus: true, expand: true });
  }

  private registerCommands(): void {
    const store = this.session.store;
    const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
      'taskscope.addConnection': async () => {
        const id = await runAddConnectionWizard(this.secrets, new Set(store.connections().map((c) => c.id)));
        if (id) {
          this.onSomethingVisible();
          void vscode.window.showInformationMessage(`Taskscope: added connection "${id}".`);
        }
      },
      'taskscope.removeConnection': async (node) => {
        const id = await pickConnection(store, node, 'Remove which connection?');
        if (!id) return;
        if (this.demo.owns(id)) return this.demo.stop();
        const name = store.connection(id)?.name ?? id;
        const ok = await vscode.window.showWarningMessage(`Remove the connection "${name}" from your settings? Its stored password or token is deleted too.`, { modal: true }, 'Remove');
        if (ok !== 'Remove') return;
        const removed = await removeProfileFromSettings(id);
        await Promise.all([this.secrets.delete(id, 'password'), this.secrets.delete(id, 'token')]);
        if (!removed) void vscode.window.showWarningMessage(`Taskscope: "${name}" is not defined in user or workspace settings.`);
      },
      'taskscope.editConnections': () => vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'taskscope.connections' } }),
      'taskscope.setConnectionSecret': async (node) => {
        const id = await pickConnection(store, node, 'Set the password or token of which connection?');
        if (!id) return;
        const kind = store.connection(id)?.kind === 'websocket' ? 'token' : 'password';
        const value = await vscode.window.showInputBox({ title: `${kind === 'token' ? 'Token' : 'Password'} for ${store.connection(id)?.name ?? id}`, password: true, prompt: 'Stored in VS Code secret storage. Leave empty to delete it.', ignoreFocusOut: true });
        if (value === undefined) return;
        if (value) await this.secrets.set(id, kind, value);
        else await this.secrets.delete(id, kind);
      },
      'taskscope.reconnect': async (node) => {
        const id = await pickConnection(store, node, 'Reconnect which connection?');
        if (!id) return;
        if (!this.session.isStarted) this.onSomethingVisible();
        this.session.reconnect(id);
      },
      'taskscope.refresh': async (node) => {
        const id = typeof node === 'object' && node !== null ? (node as { connectionId?: string }).connectionId : undefined;
        await this.session.refresh(id);
        for (const tree of this.trees) tree.refreshAll();
      },
      'taskscope.openOverview': () => this.overview.show(),
      'taskscope.openMetrics': () => this.dashboards.openMetrics(),
      'taskscope.openTaskDetail': (...args: unknown[]) => this.dashboards.openTaskDetail(...args),
      'taskscope.openWorkflowGraph': (node) => this.dashboards.openWorkflowGraph(node),
      'taskscope.openTimeline': (node) => this.timeline.show(timelineScopeForNode(store, node)),
      'taskscope.openLogSearch': (node) => this.logSearch.show(logQueryForNode(node)),
      'taskscope.showLog': () => this.log.channel.show(),
      'taskscope.startDemo': async () => {
        if (await this.demo.start()) {
          await this.reloadSettings();
          this.onSomethingVisible();
          await vscode.commands.executeCommand('workbench.view.extension.taskscope');
        }
      },
      'taskscope.stopDemo': async () => {
        await this.demo.stop();
        await this.reloadSettings();
      },
      'taskscope.stopTask': (node, nodes) => runStopTask(this.session, node, nodes),
      'taskscope.copyName': async (node) => {
        const n = node as { queue?: string; workerId?: string; workflowId?: string; taskId?: string } | undefined;
        const text = n?.taskId ?? n?.queue ?? n?.workerId ?? n?.workflowId;
        if (text) await vscode.env.clipboard.writeText(text);
      },
      'taskscope.openTaskJson': async (node) => {
        const t = taskLocator(node);
        if (t) await this.taskDocuments.open(t);
        else await searchTasks(this.session, (l) => this.taskDocuments.open(l));
      },
      'taskscope.loadMoreTasks': (node) => this.queuesTree.loadMore(node as QueuesNode),
      'taskscope.retryTask': (node, nodes) => this.taskCommands.onTasks('retry', node as ActionNode, nodes as ActionNode[]),
      'taskscope.promoteTask': (node, nodes) => this.taskCommands.onTasks('promote', node as ActionNode, nodes as ActionNode[]),
      'taskscope.removeTask': (node, nodes) => this.taskCommands.onTasks('remove', node as ActionNode, nodes as ActionNode[]),
      'taskscope.removeScheduler': (node, nodes) => this.taskCommands.onSchedulers('removeScheduler', node as ActionNode, nodes as ActionNode[]),
      'taskscope.retryAllFailed': (node) => this.taskCommands.onQueue('retryAllFailed', node as ActionNode),
      'taskscope.promoteAllDelayed': (node) => this.taskCommands.onQueue('promoteAllDelayed', node as ActionNode),
      'taskscope.cleanQueue': (node) => this.taskCommands.onQueue('clean', node as ActionNode),
      'taskscope.pauseQueue': (node) => this.taskCommands.onQueue('pause', node as ActionNode),
      'taskscope.resumeQueue': (node) => this.taskCommands.onQueue('resume', node as ActionNode),
      'taskscope.drainQueue': (node) => this.taskCommands.onQueue('drain', node as ActionNode),
      'taskscope.obliterateQueue': (node) => this.taskCommands.onQueue('obliterate', node as ActionNode),
      'taskscope.searchTasks': () => searchTasks(this.session, (l) => this.taskDocuments.open(l)),
    };
    for (const [id, handler] of Object.entries(handlers)) {
      this.disposables.push(vscode.commands.registerCommand(id, handler));
    }
  }

  dispose(): void {
    void this.session.dispose();
    for (const d of this.disposables.reverse()) d.dispose();
  }
}

/** A task from a tree node, a Workflows node (its parent job) or a command argument `{connectionId, queue, taskId}`. */
function taskLocator(node: unknown): TaskLocator | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as { connectionId?: string; queue?: string; taskId?: string; workflowId?: string };
  if (!n.connectionId) return undefined;
  if (n.taskId) return { connectionId: n.connectionId, queue: n.queue, id: n.taskId };
  if (n.workflowId) {
    const i = n.workflowId.indexOf(':');
    return i > 0 ? { connectionId: n.connectionId, queue: n.workflowId.slice(0, i), id: n.workflowId.slice(i + 1) } : undefined;
  }
  return undefined;
}
