// Workflow graph panels, one per workflow (or flow root task): the graph view-model, replaced in a delta when
// the workflow's tasks change; a click on a task opens its detail.
import type * as vscode from 'vscode';
import { z } from 'zod';
import type { SourceLogger } from '../../core/source/source';
import type { ChangeSet } from '../../core/store/change-set';
import type { MonitorStore } from '../../core/store/monitor-store';
import { buildWorkflowGraph } from '../../core/views/workflow-graph';
import { DidChangeNotification, DidSnapshotNotification, OpenTaskCommand, type GraphTarget, type WorkflowGraphDelta, type WorkflowGraphSnapshot } from '../../protocol/workflow-graph';
import type { TaskTarget } from '../../protocol/task-detail';
import { createDashboardWebview, DashboardPanel, type DashboardSpec } from './dashboard-panel';

export const WORKFLOW_GRAPH_SPEC: DashboardSpec = { viewType: 'taskscope.workflowGraph', bundle: 'workflow-graph', rootElement: 'taskscope-workflow-graph' };

export const graphTargetSchema = z.object({ connectionId: z.string().min(1).max(200), rootId: z.string().min(1).max(1000) });

const keyOf = (t: GraphTarget): string => `${t.connectionId}\u0000${t.rootId}`;

export class WorkflowGraphPanels implements vscode.Disposable {
  private readonly open = new Map<string, DashboardPanel<WorkflowGraphSnapshot, WorkflowGraphDelta>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: MonitorStore,
    private readonly openTask: (target: TaskTarget) => void,
    private readonly log: SourceLogger,
    private readonly onShown: () => void,
  ) {}

  get anyVisible(): boolean { return [...this.open.values()].some((p) => p.visible); }

  show(target: GraphTarget): void {
    const existing = this.open.get(keyOf(target));
    if (existing) return existing.reveal();
    this.attach(createDashboardWebview(this.extensionUri, WORKFLOW_GRAPH_SPEC, this.title(target)), target);
  }

  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = z.object({ target: graphTargetSchema }).safeParse(state);
    if (!parsed.success || this.open.has(keyOf(parsed.data.target))) { panel.dispose(); return; }
    this.attach(panel, parsed.data.target);
  }

  onStoreChange(change: ChangeSet): void { for (const p of this.open.values()) p.onStoreChange(change); }

  private title(t: GraphTarget): string {
    return `Graph ${this.store.workflow(`workflow:${t.connectionId}:${t.rootId}`)?.name ?? t.rootId}`.slice(0, 80);
  }

  private attach(webview: vscode.WebviewPanel, target: GraphTarget): void {
    const key = keyOf(target);
    let lastSent = '';
    const build = (): WorkflowGraphSnapshot => ({ target, graph: buildWorkflowGraph(this.store, target.connectionId, target.rootId), generatedAt: Date.now() });
    const panel: DashboardPanel<WorkflowGraphSnapshot, WorkflowGraphDelta> = new DashboardPanel<WorkflowGraphSnapshot, WorkflowGraphDelta>(webview, this.extensionUri, WORKFLOW_GRAPH_SPEC, this.title(target), {
      snapshot: DidSnapshotNotification,
      delta: DidChangeNotification,
      buildSnapshot: () => { const s = build(); lastSent = signature(s); return s; },
      buildDelta: (change) => {
        const touches = [...change.tasks, ...change.workflows, ...change.connections].some((k) => k === target.connectionId || k.split(':', 2)[1] === target.connectionId);
        if (!touches) return undefined;
        const next = build();
        const sig = signature(next);
        if (sig === lastSent) return undefined;
        lastSent = sig;
        return next;
      },
      commands: {
        [OpenTaskCommand.method]: {
          schema: z.object({ connectionId: z.string().min(1).max(200), queue: z.string().max(1000).optional(), id: z.string().min(1).max(1000) }),
          handle: (p) => {
            const ref = p as { connectionId: string; queue?: string; id: string };
            if (ref.connectionId !== target.connectionId) return this.log.warn('workflow graph: refused to open a task of another connection');
            this.openTask({ connectionId: ref.connectionId, queue: ref.queue, taskId: ref.id });
          },
        },
      },
    }, this.log, () => { if (this.open.get(key) === panel) this.open.delete(key); });
    this.open.set(key, panel);
    this.onShown();
  }

  dispose(): void { for (const p of [...this.open.values()]) p.dispose(); }
}

/** Structure plus statuses and details: what a redraw depends on. */
function signature(s: WorkflowGraphSnapshot): string {
  const g = s.graph;
  if (!g) return 'none';
  return `${g.structureKey}#${g.nodes.map((n) => `${n.status}|${n.detail ?? ''}|${n.label}`).join(',')}#${g.status}|${g.done}|${g.total}|${g.blockedReason ?? ''}|${g.omitted}`;
}
