// Lays out a workflow graph with elkjs (layered, top to bottom) in the webview: ELK's bundled build runs
// in-page without eval or workers, so the extension host never spends CPU on geometry.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { WorkflowGraph } from '../../src/protocol/workflow-graph';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 48;

export interface Placed { readonly x: number; readonly y: number }
export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, Placed>;
  readonly edges: readonly { readonly id: string; readonly points: readonly Placed[] }[];
  readonly width: number;
  readonly height: number;
}

let elk: InstanceType<typeof ELK> | undefined;

export async function layoutGraph(graph: WorkflowGraph): Promise<GraphLayout> {
  elk ??= new ELK();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40', 'elk.spacing.nodeNode': '24',
    },
    children: graph.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const out = await elk.layout(root);
  const nodes = new Map<string, Placed>();
  for (const c of out.children ?? []) nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  const edges = (out.edges ?? []).map((e) => {
    const points: Placed[] = [];
    for (const s of e.sections ?? []) {
      points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    }
    return { id: e.id, points };
  });
  return { nodes, edges, width: out.width ?? 0, height: out.height ?? 0 };
}
