// What a panel opened from a tree item should show: the timeline's scope and the log search's query for a
// connection, queue, worker or workflow node. No vscode import, so it is unit-tested directly.
import type { MonitorStore } from '../../core/store/monitor-store';
import type { TimelineScope } from '../../protocol/timeline';

interface NodeLike { readonly kind?: unknown; readonly connectionId?: unknown; readonly queue?: unknown; readonly workerId?: unknown; readonly workflowId?: unknown }

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function timelineScopeForNode(store: MonitorStore, node: unknown): TimelineScope | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as NodeLike;
  const connectionId = str(n.connectionId);
  if (connectionId === undefined) return undefined;
  const on = `on ${store.connection(connectionId)?.name ?? connectionId}`;
  const queue = str(n.queue);
  const worker = str(n.workerId);
  const workflowId = str(n.workflowId);
  if (n.kind === 'queue' && queue !== undefined) return { connectionId, queue, label: `queue ${queue} ${on}` };
  if (n.kind === 'worker' && worker !== undefined) return { connectionId, worker, label: `worker ${worker} ${on}` };
  if (n.kind === 'workflow' && workflowId !== undefined) {
    const name = store.workflows(connectionId).find((w) => w.id === workflowId)?.name;
    return { connectionId, workflowId, label: `workflow ${name ?? workflowId} ${on}` };
  }
  return { connectionId, label: `connection ${store.connection(connectionId)?.name ?? connectionId}` };
}

const quote = (v: string): string => (/[\s"]/.test(v) ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : v);

/** A query that selects the node's lines, or undefined to keep the current query. */
export function logQueryForNode(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as NodeLike;
  const worker = str(n.workerId);
  if (n.kind === 'worker' && worker !== undefined) return `worker:${quote(worker)}`;
  const connectionId = str(n.connectionId);
  return connectionId === undefined ? undefined : `conn:${quote(connectionId)}`;
}

/** `task:<connection>:<queue>:<id>` (see `taskKey`) → its parts; the id may itself contain colons. */
export function parseTaskKey(key: string): { connectionId: string; queue?: string; taskId: string } | undefined {
  const m = /^task:([^:]*):([^:]*):([\s\S]+)$/.exec(key);
  if (!m) return undefined;
  return { connectionId: m[1]!, ...(m[2] ? { queue: m[2] } : {}), taskId: m[3]! };
}
