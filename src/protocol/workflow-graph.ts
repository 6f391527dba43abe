// The Workflow graph panel: the graph view-model (nodes, edges, statuses); a new graph replaces the old one
// in a delta, and the webview re-runs the layout only when `structureKey` changed.
import type { GraphEdge, GraphNode, GraphTaskRef, WorkflowGraph } from '../core/views/workflow-graph';
import { command, notification } from './ipc';

export type { GraphEdge, GraphNode, GraphTaskRef, WorkflowGraph };

export interface GraphTarget {
  readonly connectionId: string;
  /** Workflow id, or a root task id (a BullMQ flow). */
  readonly rootId: string;
}

export interface WorkflowGraphSnapshot {
  readonly target: GraphTarget;
  /** Undefined when the store holds neither a workflow nor a task with that id. */
  readonly graph?: WorkflowGraph;
  readonly generatedAt: number;
}

export type WorkflowGraphDelta = WorkflowGraphSnapshot;

export const DidSnapshotNotification = notification<WorkflowGraphSnapshot>('workflowGraph/didSnapshot');
export const DidChangeNotification = notification<WorkflowGraphDelta>('workflowGraph/didChange');
/** A task node was activated: the host opens its task detail. */
export const OpenTaskCommand = command<GraphTaskRef>('workflowGraph/openTask');

export const WORKFLOW_GRAPH_INBOUND_METHODS = ['ready', OpenTaskCommand.method] as const;
