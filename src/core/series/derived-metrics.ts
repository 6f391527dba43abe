// Metric series Taskscope derives from what sources report, so every system gets throughput, failure,
// latency, depth and worker charts even without a metrics endpoint of its own:
//   taskscope_tasks_completed_total{queue}   counter of tasks seen reaching `completed`
//   taskscope_tasks_failed_total{queue}      counter of tasks seen reaching `failed`
//   taskscope_task_wait_seconds{queue,quantile}        p50/p95/p99 of created → started, per flush
//   taskscope_task_processing_seconds{queue,quantile}  p50/p95/p99 of started → finished, per flush
//   taskscope_queue_jobs{queue,state}        queue depth by state (gauge)
//   taskscope_workers_online                 workers not offline/stale (gauge)
// Pure: `observe` is called for every event (cheap: one map lookup), `flush` turns what was seen into samples.
import type { MetricSample } from '../model/entities';
import type { MonitorEvent } from '../model/events';
import { queueKey, taskKey } from '../model/keys';
import type { MonitorStore } from '../store/monitor-store';
import type { SystemId } from '../model/connection';
import { quantile } from './series-math';

export const DERIVED_PREFIX = 'taskscope_';
const QUANTILES = [0.5, 0.95, 0.99] as const;
/** Durations kept per queue between flushes; enough for stable percentiles, bounded under any load. */
const MAX_DURATIONS = 2_000;
/**
 * Gauges (queue depth, workers online) are sampled when they change and, unchanged, at least this often, so a
 * chart of a quiet queue is a line rather than one dot (sources push only changes).
 */
export const GAUGE_RESAMPLE_MS = 5_000;
/** Task statuses remembered to detect transitions; the least recently updated are forgotten first. */
const MAX_TRACKED_TASKS = 50_000;

interface QueueAcc {
  readonly connectionId: string;
  readonly system: SystemId;
  readonly queue: string;
  completed: number;
  failed: number;
  dirtyCounters: boolean;
  wait: number[];
  processing: number[];
}

export class DerivedMetrics {
  private readonly statuses = new Map<string, string>();
  private readonly queues = new Map<string, QueueAcc>();
  private readonly changedQueues = new Set<string>();
  private readonly changedWorkerConnections = new Set<string>();
  private lastGaugeSample = -Infinity;

  observe(event: MonitorEvent): void {
    switch (event.type) {
      case 'task.upsert': return this.observeTask(event.task);
      case 'queue.upsert': this.changedQueues.add(`${event.queue.connectionId}\u0000${event.queue.name}`); return;
      case 'worker.upsert': this.changedWorkerConnections.add(event.worker.connectionId); return;
      case 'worker.removed': this.changedWorkerConnections.add(event.connectionId); return;
      default: return;
    }
  }

  private observeTask(task: Extract<MonitorEvent, { type: 'task.upsert' }>['task']): void {
    const key = taskKey(task.connectionId, task.queue, task.id);
    const previous = this.statuses.get(key);
    // Polling sources repeat every task each poll: a repeat changes nothing here. Re-inserting it would churn this
    // big Map (its rehashes allocate tables straight in the old generation).
    if (previous === task.status) return;
    if (previous !== undefined) this.statuses.delete(key);
    this.statuses.set(key, task.status);
    if (this.statuses.size > MAX_TRACKED_TASKS) this.statuses.delete(this.statuses.keys().next().value as string);
    if (task.status !== 'completed' && task.status !== 'failed') return;
    const queue = task.queue ?? '';
    const accKey = `${task.connectionId}\u0000${queue}`;
    let acc = this.queues.get(accKey);
    if (!acc) this.queues.set(accKey, (acc = { connectionId: task.connectionId, system: task.system, queue, completed: 0, failed: 0, dirtyCounters: false, wait: [], processing: [] }));
    if (task.status === 'completed') acc.completed++; else acc.failed++;
    acc.dirtyCounters = true;
    if (task.createdAt !== undefined && task.startedAt !== undefined && acc.wait.length < MAX_DURATIONS) acc.wait.push(Math.max(0, task.startedAt - task.createdAt) / 1000);
    if (task.startedAt !== undefined && task.finishedAt !== undefined && acc.processing.length < MAX_DURATIONS) acc.processing.push(Math.max(0, task.finishedAt - task.startedAt) / 1000);
  }

  /** Samples for everything observed since the last flush, stamped `now`. */
  flush(store: MonitorStore, now: number): MetricSample[] {
    const out: MetricSample[] = [];
    const sample = (connectionId: string, system: SystemId, name: string, labels: Record<string, string>, value: number): void => {
      out.push({ connectionId, system, name: DERIVED_PREFIX + name, labels, timestamp: now, value });
    };
    for (const acc of this.queues.values()) {
      if (acc.dirtyCounters) {
        sample(acc.connectionId, acc.system, 'tasks_completed_total', { queue: acc.queue }, acc.completed);
        sample(acc.connectionId, acc.system, 'tasks_failed_total', { queue: acc.queue }, acc.failed);
        acc.dirtyCounters = false;
      }
      for (const [name, values] of [['task_wait_seconds', acc.wait], ['task_processing_seconds', acc.processing]] as const) {
        if (values.length === 0) continue;
        for (const q of QUANTILES) sample(acc.connectionId, acc.system, name, { queue: acc.queue, quantile: String(q) }, quantile(values, q));
        values.length = 0;
      }
    }
    if (now - this.lastGaugeSample >= GAUGE_RESAMPLE_MS) {
      this.lastGaugeSample = now;
      for (const q of store.queues()) this.changedQueues.add(`${q.connectionId}\u0000${q.name}`);
      for (const c of store.connections()) if (store.workers(c.id).length > 0) this.changedWorkerConnections.add(c.id);
    }
    for (const key of this.changedQueues) {
      const [connectionId, name] = key.split('\u0000') as [string, string];
      const q = store.queue(queueKey(connectionId, name));
      if (!q) continue;
      for (const [state, n] of Object.entries(q.counts)) sample(connectionId, q.system, 'queue_jobs', { queue: name, state }, n);
    }
    this.changedQueues.clear();
    for (const connectionId of this.changedWorkerConnections) {
      const workers = store.workers(connectionId);
      const system = store.connection(connectionId)?.system ?? workers[0]?.system;
      if (!system) continue;
      sample(connectionId, system, 'workers_online', {}, workers.filter((w) => w.status !== 'offline' && w.status !== 'stale').length);
    }
    this.changedWorkerConnections.clear();
    return out;
  }

  /** Forgets a removed connection's counters. */
  forgetConnection(connectionId: string): void {
    for (const [k, acc] of this.queues) if (acc.connectionId === connectionId) this.queues.delete(k);
  }
}
