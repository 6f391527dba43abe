// The workflow graph's view-model: stages (Workflow.stages, chained in order) and the tasks of a workflow
// linked parent → child (Task.parentId), for BullMQ flows, pynenc workflows, Nexus task groups and phases
// and Mahavishnu stages. Plain and serializable; layout happens in the webview.
import type { Task, Workflow } from '../model/entities';
import { taskKey, workflowKey } from '../model/keys';
import type { MonitorStore } from '../store/monitor-store';

export interface GraphTaskRef {
  readonly connectionId: string;
  readonly queue?: string;
  readonly id: string;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: 'workflow' | 'stage' | 'task';
  readonly label: string;
  readonly status: string;
  /** Secondary line: queue, worker, error summary. */
  readonly detail?: string;
  /** Set on task nodes: what a click opens in the task detail panel. */
  readonly task?: GraphTaskRef;
}

export interface GraphEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: 'parent' | 'sequence' | 'contains';
}

export interface WorkflowGraph {
  readonly connectionId: string;
  /** The workflow id, or the root task id for a flow that has no workflow record. */
  readonly rootId: string;
  readonly title: string;
  readonly status?: string;
  readonly done?: number;
  readonly total?: number;
  readonly blockedReason?: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Tasks left out to stay within the node cap. */
  readonly omitted: number;
  /** Nodes and edges without statuses: unchanged means the layout can be reused. */
  readonly structureKey: string;
}

export const MAX_GRAPH_NODES = 1_500;
const MAX_LABEL = 120;

const cut = (s: string, n = MAX_LABEL): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function buildWorkflowGraph(store: MonitorStore, connectionId: string, rootId: string, maxNodes = MAX_GRAPH_NODES): WorkflowGraph | undefined {
  const workflow: Workflow | undefined = store.workflow(workflowKey(connectionId, rootId));
  const tasks = store.tasks(connectionId);
  const byId = new Map<string, Task>();
  const children = new Map<string, Task[]>();
  for (const t of tasks) {
    byId.set(t.id, t);
    if (t.parentId !== undefined) {
      let list = children.get(t.parentId);
      if (!list) children.set(t.parentId, (list = []));
      list.push(t);
    }
  }
  // Members: tasks that name the workflow, the task whose id is the root (a BullMQ flow's parent), and
  // everything below them through parentId.
  const members = new Map<string, Task>();
  const queue: Task[] = [];
  const add = (t: Task): void => {
    const key = taskKey(t.connectionId, t.queue, t.id);
    if (members.has(key)) return;
    members.set(key, t);
    queue.push(t);
  };
  for (const t of tasks) if (t.workflowId === rootId) add(t);
  const rootTask = byId.get(rootId);
  if (rootTask) add(rootTask);
  let omitted = 0;
  for (let i = 0; i < queue.length; i++) for (const c of children.get(queue[i]!.id) ?? []) add(c);
  if (!workflow && members.size === 0) return undefined;

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const rootNodeId = `wf:${rootId}`;
  if (workflow) {
    nodes.push({ id: rootNodeId, kind: 'workflow', label: cut(workflow.name ?? workflow.id), status: workflow.status, detail: `${workflow.done}/${workflow.total} done` });
    let previous = rootNodeId;
    (workflow.stages ?? []).forEach((stage, i) => {
      const id = `stage:${i}`;
      nodes.push({ id, kind: 'stage', label: cut(stage.name), status: stage.status });
      edges.push({ id: `${previous}->${id}`, from: previous, to: id, kind: i === 0 ? 'contains' : 'sequence' });
      previous = id;
    });
  }
  const budget = Math.max(0, maxNodes - nodes.length);
  const kept = [...members.values()].slice(0, budget);
  omitted = members.size - kept.length;
  const nodeIdOfTask = new Map<string, string>();
  for (const t of kept) nodeIdOfTask.set(t.id, `task:${taskKey(t.connectionId, t.queue, t.id)}`);
  for (const t of kept) {
    const id = nodeIdOfTask.get(t.id)!;
    const detail = [t.queue, t.worker, t.error ? cut(t.error.split('\n', 1)[0] ?? '', 80) : undefined].filter(Boolean).join(' · ');
    nodes.push({ id, kind: 'task', label: cut(t.name ?? t.id), status: t.status, detail: detail || undefined, task: { connectionId: t.connectionId, queue: t.queue, id: t.id } });
    const parent = t.parentId !== undefined ? nodeIdOfTask.get(t.parentId) : undefined;
    if (parent) edges.push({ id: `${parent}->${id}`, from: parent, to: id, kind: 'parent' });
    else if (workflow) edges.push({ id: `${rootNodeId}->${id}`, from: rootNodeId, to: id, kind: 'contains' });
  }
  const structureKey = `${nodes.map((n) => n.id).join('|')}#${edges.map((e) => e.id).join('|')}`;
  return {
    connectionId, rootId,
    title: workflow?.name ?? rootTask?.name ?? rootId,
    status: workflow?.status ?? rootTask?.status,
    done: workflow?.done, total: workflow?.total, blockedReason: workflow?.blockedReason,
    nodes, edges, omitted, structureKey,
  };
}
