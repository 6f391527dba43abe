// The Overview's view-model: connection health and queue counts, plain and serializable.
import type { ConnectionHealth } from '../model/connection';
import type { Queue } from '../model/entities';
import { queueKey } from '../model/keys';
import type { MonitorStore, RetentionReport } from '../store/monitor-store';
import type { ChangeSet } from '../store/change-set';

export interface QueueSummary {
  readonly key: string;
  readonly connectionId: string;
  readonly system: Queue['system'];
  readonly name: string;
  readonly counts: Queue['counts'];
  readonly paused: boolean;
  readonly version?: string;
}

export interface ConnectionSummary extends ConnectionHealth {
  readonly queueCount: number;
  readonly workersOnline: number;
}

export interface OverviewTotals {
  readonly queues: number;
  readonly workersOnline: number;
  /** Sum of each state over all queues, e.g. `{ waiting: 12, failed: 3 }`. */
  readonly byState: Readonly<Record<string, number>>;
}

export interface OverviewSnapshot {
  readonly connections: readonly ConnectionSummary[];
  readonly queues: readonly QueueSummary[];
  readonly totals: OverviewTotals;
  readonly retention: RetentionReport;
  readonly generatedAt: number;
}

export function toQueueSummary(q: Queue): QueueSummary {
  return { key: queueKey(q.connectionId, q.name), connectionId: q.connectionId, system: q.system, name: q.name, counts: q.counts, paused: q.paused ?? false, version: q.version };
}

export function buildOverviewSnapshot(store: MonitorStore, now: number): OverviewSnapshot {
  const queues = store.queues().map(toQueueSummary).sort((a, b) => a.connectionId.localeCompare(b.connectionId) || a.name.localeCompare(b.name));
  const workers = store.workers();
  const online = (w: { status: string }) => w.status !== 'offline' && w.status !== 'stale';
  const connections: ConnectionSummary[] = store.connections().map((c) => ({
    ...c,
    queueCount: queues.filter((q) => q.connectionId === c.id).length,
    workersOnline: workers.filter((w) => w.connectionId === c.id && online(w)).length,
  }));
  const byState: Record<string, number> = {};
  for (const q of queues) for (const [state, n] of Object.entries(q.counts)) byState[state] = (byState[state] ?? 0) + n;
  return {
    connections,
    queues,
    totals: { queues: queues.length, workersOnline: workers.filter(online).length, byState },
    retention: store.retention(),
    generatedAt: now,
  };
}

export interface OverviewDelta {
  readonly connections?: readonly ConnectionSummary[];
  readonly removedConnections?: readonly string[];
  readonly queues?: readonly QueueSummary[];
  readonly removedQueues?: readonly string[];
  readonly totals: OverviewTotals;
  readonly retention: RetentionReport;
  readonly generatedAt: number;
}

/** What changed for the Overview; `undefined` when nothing it shows changed. */
export function buildOverviewDelta(store: MonitorStore, change: ChangeSet, now: number): OverviewDelta | undefined {
  if (change.connections.size === 0 && change.queues.size === 0 && change.workers.size === 0) return undefined;
  // Totals and per-connection counters are cheap to recompute and keep the delta self-consistent.
  const snapshot = buildOverviewSnapshot(store, now);
  const touched = new Set<string>(change.connections);
  for (const key of [...change.queues, ...change.workers]) touched.add(key.split(':', 2)[1] ?? '');
  const connections = snapshot.connections.filter((c) => touched.has(c.id));
  const removedConnections = [...change.connections].filter((id) => !store.connection(id));
  const queues: QueueSummary[] = [];
  const removedQueues: string[] = [];
  for (const key of change.queues) {
    const q = store.queue(key);
    if (q) queues.push(toQueueSummary(q));
    else removedQueues.push(key);
  }
  return {
    ...(connections.length ? { connections } : {}),
    ...(removedConnections.length ? { removedConnections } : {}),
    ...(queues.length ? { queues } : {}),
    ...(removedQueues.length ? { removedQueues } : {}),
    totals: snapshot.totals,
    retention: snapshot.retention,
    generatedAt: now,
  };
}
