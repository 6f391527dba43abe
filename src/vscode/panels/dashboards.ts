// The dashboards beside the Overview: Metric charts, Task detail and Workflow graph panels, their serializers,
// the `taskscope-value:` documents, and the derived metric series that feed the charts. The container builds
// one, forwards store changes and routes three commands here.
import * as vscode from 'vscode';
import { z } from 'zod';
import { DerivedMetrics } from '../../core/series/derived-metrics';
import type { SourceLogger } from '../../core/source/source';
import type { ChangeSet } from '../../core/store/change-set';
import type { MonitorSession } from '../../sources/monitor-session';
import type { TaskTarget } from '../../protocol/task-detail';
import { pickConnection } from '../commands/pick-connection';
import { typedTaskIdPicks } from './task-id-picks';
import { METRICS_SPEC, MetricsPanel } from './metrics-panel';
import { TASK_DETAIL_SPEC, TaskDetailPanels } from './task-detail-panel';
import { ValueDocuments } from './value-documents';
import { WORKFLOW_GRAPH_SPEC, WorkflowGraphPanels } from './workflow-graph-panel';

/** How often derived series (throughput, latency, depth, workers) are sampled. */
export const DERIVED_SAMPLE_MS = 1_000;

const taskArgs = z.object({
  connectionId: z.string().min(1),
  queue: z.string().optional(),
  taskId: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
});

export class Dashboards implements vscode.Disposable {
  readonly metrics: MetricsPanel;
  readonly taskDetail: TaskDetailPanels;
  readonly workflowGraph: WorkflowGraphPanels;
  private readonly values: ValueDocuments;
  private readonly derived = new DerivedMetrics();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, private readonly session: MonitorSession, log: SourceLogger, onShown: () => void) {
    const store = session.store;
    this.values = new ValueDocuments(session);
    this.metrics = new MetricsPanel(extensionUri, store, log, onShown);
    this.taskDetail = new TaskDetailPanels(extensionUri, session, {
      isReadOnly: (id) => (session.profile(id)?.readOnly ?? true) || vscode.workspace.getConfiguration('taskscope').get<boolean>('readOnly', false),
      isTrusted: () => vscode.workspace.isTrusted,
      openValue: (target, name) => this.values.open(target, name),
    }, log, onShown);
    this.workflowGraph = new WorkflowGraphPanels(extensionUri, store, (t) => this.taskDetail.show(t), log, onShown);
    const events = session.onEvent((e) => this.derived.observe(e));
    const timer = setInterval(() => {
      for (const sample of this.derived.flush(store, Date.now())) session.apply({ type: 'metric', sample });
    }, DERIVED_SAMPLE_MS);
    timer.unref?.();
    this.disposables.push(this.values, this.metrics, this.taskDetail, this.workflowGraph, { dispose: () => { events.dispose(); clearInterval(timer); } });
  }

  get anyVisible(): boolean { return this.metrics.visible || this.taskDetail.anyVisible || this.workflowGraph.anyVisible; }

  /** Serializers so the panels come back after a reload, with the target named in their saved UI state. */
  registerSerializers(): vscode.Disposable[] {
    return [
      vscode.window.registerWebviewPanelSerializer(METRICS_SPEC.viewType, { deserializeWebviewPanel: async (panel) => this.metrics.restore(panel) }),
      vscode.window.registerWebviewPanelSerializer(TASK_DETAIL_SPEC.viewType, { deserializeWebviewPanel: async (panel, state) => this.taskDetail.restore(panel, state) }),
      vscode.window.registerWebviewPanelSerializer(WORKFLOW_GRAPH_SPEC.viewType, { deserializeWebviewPanel: async (panel, state) => this.workflowGraph.restore(panel, state) }),
    ];
  }

  onStoreChange(change: ChangeSet): void {
    this.metrics.onStoreChange(change);
    this.taskDetail.onStoreChange(change);
    this.workflowGraph.onStoreChange(change);
  }

  openMetrics(): void { this.metrics.show(); }

  /**
   * `taskscope.openTaskDetail`: args `(connectionId, queue?, taskId)`, or one object with those fields (a tree
   * row, another panel); from the palette, a pick of the tasks in the store.
   */
  async openTaskDetail(...args: unknown[]): Promise<void> {
    let target: TaskTarget | undefined;
    if (typeof args[0] === 'string' && typeof args[2] === 'string') {
      target = { connectionId: args[0], queue: typeof args[1] === 'string' ? args[1] : undefined, taskId: args[2] };
    } else {
      const parsed = taskArgs.safeParse(args[0]);
      if (parsed.success && (parsed.data.taskId ?? parsed.data.id)) target = { connectionId: parsed.data.connectionId, queue: parsed.data.queue, taskId: (parsed.data.taskId ?? parsed.data.id)! };
    }
    target ??= await this.pickTask(args[0]);
    if (target) this.taskDetail.show(target);
  }

  /** `taskscope.openWorkflowGraph`: a Workflows tree node, or a pick of the workflows in the store. */
  async openWorkflowGraph(node?: unknown): Promise<void> {
    const n = node as { connectionId?: unknown; workflowId?: unknown } | undefined;
    if (typeof n?.connectionId === 'string' && typeof n.workflowId === 'string') return this.workflowGraph.show({ connectionId: n.connectionId, rootId: n.workflowId });
    const store = this.session.store;
    const connectionId = await pickConnection(store, node, 'Show the workflow graph of which connection?');
    if (!connectionId) return;
    const flows = store.workflows(connectionId).sort((a, b) => b.updatedAt - a.updatedAt).slice(0, 500);
    const roots = store.tasks(connectionId).filter((t) => t.parentId === undefined && t.workflowId === undefined).slice(-200);
    const picks = [
      ...flows.map((w) => ({ label: w.name ?? w.id, description: `${w.status} · ${w.done}/${w.total}`, rootId: w.id })),
      ...roots.filter((t) => store.tasks(connectionId).some((c) => c.parentId === t.id)).map((t) => ({ label: t.name ?? t.id, description: `flow · ${t.status}`, rootId: t.id })),
    ];
    if (picks.length === 0) { void vscode.window.showInformationMessage('Taskscope: this connection has reported no workflows or flows yet.'); return; }
    const pick = await vscode.window.showQuickPick(picks, { title: 'Workflow graph', placeHolder: 'Workflow or flow', matchOnDescription: true });
    if (pick) this.workflowGraph.show({ connectionId, rootId: pick.rootId });
  }

  private async pickTask(node: unknown): Promise<TaskTarget | undefined> {
    const store = this.session.store;
    const connectionId = await pickConnection(store, node, 'Open a task of which connection?');
    if (!connectionId) return undefined;
    const tasks = store.tasks(connectionId).slice(-1000).reverse();
    type Pick = vscode.QuickPickItem & { target?: TaskTarget };
    const qp = vscode.window.createQuickPick<Pick>();
    qp.title = 'Open Task Detail';
    qp.placeholder = 'Pick a recent task or type a task id';
    qp.matchOnDescription = true;
    const items: Pick[] = tasks.map((t) => ({ label: t.name ? `${t.name} ${t.id}` : t.id, description: [t.queue, t.status].filter(Boolean).join(' · '), target: { connectionId, queue: t.queue, taskId: t.id } }));
    qp.items = items;
    qp.onDidChangeValue((v) => { qp.items = [...typedTaskIdPicks(v, connectionId, store.queues(connectionId).map((q) => q.name)), ...items]; });
    return new Promise<TaskTarget | undefined>((resolve) => {
      qp.onDidAccept(() => { resolve(qp.selectedItems[0]?.target); qp.hide(); });
      qp.onDidHide(() => { resolve(undefined); qp.dispose(); });
      qp.show();
    });
  }

  dispose(): void { for (const d of this.disposables.reverse()) d.dispose(); }
}

