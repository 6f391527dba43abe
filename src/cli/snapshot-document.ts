// The JSON document `taskscope snapshot` prints: connections, queues, workers and workflows.
import type { MonitorStore } from '../core/store/monitor-store';

export interface SnapshotDocument {
  readonly connections: { id: string; kind: string; system: string; state: string; error?: string; notices?: Record<string, string> }[];
  readonly queues: { connection: string; system: string; name: string; counts: Record<string, number>; paused?: boolean }[];
  readonly workers: { connection: string; system: string; id: string; status: string; lastSeen?: string; queue?: string; currentTask?: string }[];
  readonly workflows: { connection: string; system: string; id: string; name?: string; status: string; done: number; total: number; stages?: { name: string; status: string }[] }[];
}

// Connection first, then name: one `localeCompare` over `conn\0name` would not group by connection, because
// collation ignores the NUL and punctuation (queues of `a` and `a-b` would interleave).
const byName = <T extends { readonly connectionId: string }>(key: (t: T) => string) => (a: T, b: T) =>
  a.connectionId.localeCompare(b.connectionId) || key(a).localeCompare(key(b));

export function buildSnapshotDocument(store: MonitorStore): SnapshotDocument {
  return {
    connections: store.connections().map((c) => ({
      id: c.id, kind: c.kind, system: c.system, state: c.state, ...(c.error && c.state !== 'connected' ? { error: c.error } : {}),
      // What the lists below leave out and why (e.g. idle BullMQ workers when CLIENT LIST is refused).
      ...(c.notices && Object.keys(c.notices).length > 0 ? { notices: { ...c.notices } } : {}),
    })),
    queues: store.queues().sort(byName((q) => q.name)).map((q) => ({
      connection: q.connectionId, system: q.system, name: q.name, counts: sortedCounts(q.counts), ...(q.paused !== undefined ? { paused: q.paused } : {}),
    })),
    workers: store.workers().sort(byName((w) => w.id)).map((w) => ({
      connection: w.connectionId, system: w.system, id: w.id, status: w.status,
      ...(w.lastSeen !== undefined ? { lastSeen: new Date(w.lastSeen).toISOString() } : {}),
      ...(w.queue !== undefined ? { queue: w.queue } : {}),
      ...(w.currentTask !== undefined ? { currentTask: w.currentTask } : {}),
    })),
    workflows: store.workflows().sort(byName((w) => w.id)).map((w) => ({
      connection: w.connectionId, system: w.system, id: w.id, ...(w.name !== undefined ? { name: w.name } : {}), status: w.status, done: w.done, total: w.total,
      ...(w.stages && w.stages.length > 0 ? { stages: w.stages.map((s) => ({ name: s.name, status: s.status })) } : {}),
    })),
  };
}

function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.keys(counts).sort().map((k) => [k, counts[k] ?? 0]));
}
