// The in-memory model: `apply(event)` is the only way state changes; it returns what changed.
// Everything retained is bounded (tasks, logs, events, metric series), and what was dropped is counted.
import type { ConnectionHealth } from '../model/connection';
import type { LogRecord, MetricSample, Queue, Task, Worker, Workflow } from '../model/entities';
import type { MonitorEvent } from '../model/events';
import { queueKey, taskKey, workerKey, workflowKey } from '../model/keys';
import { MutableChangeSet, type ChangeSet } from './change-set';
import { RingBuffer } from './ring-buffer';
import { SampleRing } from './sample-ring';
import { LogStore } from './log-store';
import { TaskSeriesLru } from './task-series-lru';

export interface RetentionLimits {
  readonly maxTasks: number;
  readonly maxLogs: number;
  readonly maxEvents: number;
  readonly maxSeries: number;
  readonly maxSamplesPerSeries: number;
  /** Series of samples that name their task: a budget of their own (never counted in maxSeries), LRU-evicted by task. */
  readonly maxTaskSeries?: number;
}

export const DEFAULT_RETENTION: RetentionLimits = {
  maxTasks: 20_000,
  maxLogs: 100_000,
  maxEvents: 5_000,
  maxSeries: 2_000,
  maxSamplesPerSeries: 1_440,
  maxTaskSeries: 1_000,
};

export interface RetentionReport {
  readonly tasksEvicted: number;
  readonly logsOverwritten: number;
  readonly eventsOverwritten: number;
  readonly seriesRefused: number;
  /** Per-task series evicted to make room for newer tasks' (present once it happened), and their budget. */
  readonly taskSeriesEvicted?: number;
  readonly taskSeriesBudget?: number;
}

export interface MetricSeries {
  readonly key: string;
  readonly connectionId: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: SampleRing;
}

export function seriesKey(sample: Pick<MetricSample, 'connectionId' | 'name' | 'labels'>): string {
  // Runs for every metric sample (twice on push sources: aggregation and the store): no closures, no arrays
  // beyond the key list, and no sort for the common zero or one label.
  const labels = sample.labels;
  if (hasNoLabels(labels)) return `${sample.connectionId}|${sample.name}{}`;
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  let text = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    text += i === 0 ? `${k}=${labels[k]}` : `,${k}=${labels[k]}`;
  }
  return `${sample.connectionId}|${sample.name}{${text}}`;
}

/** Whether `labels` has no own enumerable property, without the array `Object.keys` would allocate. */
function hasNoLabels(labels: Readonly<Record<string, string>>): boolean {
  for (const k in labels) if (Object.prototype.hasOwnProperty.call(labels, k)) return false;
  return true;
}

/**
 * The key an entity event is stored under (the store's map key), or undefined for events without an entity (logs,
 * generic events, connection changes). Metric samples are keyed by their series: a series key starts with the
 * connection id and '|', which no entity key (`queue:`, `task:`, …) can, since connection ids hold neither ':' nor '|'.
 * Aggregation (LatestEventBuffer) computes it once and hands it on with the event, so the store does not again.
 */
export function eventEntityKey(event: MonitorEvent): string | undefined {
  switch (event.type) {
    case 'queue.upsert': return queueKey(event.queue.connectionId, event.queue.name);
    case 'queue.removed': return queueKey(event.connectionId, event.name);
    case 'worker.upsert': return workerKey(event.worker.connectionId, event.worker.id);
    case 'worker.removed': return workerKey(event.connectionId, event.id);
    case 'workflow.upsert': return workflowKey(event.workflow.connectionId, event.workflow.id);
    case 'task.upsert': return taskKey(event.task.connectionId, event.task.queue, event.task.id);
    case 'task.removed': return taskKey(event.connectionId, event.queue, event.id);
    case 'metric': return seriesKey(event.sample);
    default: return undefined;
  }
}

export class MonitorStore {
  private readonly connectionsById = new Map<string, ConnectionHealth>();
  private readonly queuesByKey = new Map<string, Queue>();
  private readonly workersByKey = new Map<string, Worker>();
  private readonly workflowsByKey = new Map<string, Workflow>();
  /** Insertion order doubles as recency: an upsert moves the task to the end, eviction takes from the front. */
  private readonly tasksByKey = new Map<string, Task>();
  private readonly logRing: LogStore;
  private readonly eventRing: RingBuffer<MonitorEvent>;
  private readonly seriesByKey = new Map<string, MetricSeries>();
  /**
   * Series without labels by connection and name: a second index into `seriesByKey`. MQTT metrics are often one
   * label-less series per topic, and with thousands of topics most samples are refused at the series cap; through
   * this index a sample finds its series (or is refused) with the name's cached hash, without building its key.
   */
  private readonly unlabelledSeries = new Map<string, Map<string, MetricSeries>>();
  private tasksEvicted = 0;
  private taskEvictionCursor: MapIterator<string> | undefined;
  private seriesRefused = 0;
  private readonly taskSeries: TaskSeriesLru;
  private taskSeriesEvicted = 0;

  private retentionLimits: RetentionLimits;

  constructor(limits: RetentionLimits = DEFAULT_RETENTION) {
    this.retentionLimits = limits;
    this.logRing = new LogStore(limits.maxLogs);
    this.eventRing = new RingBuffer(limits.maxEvents);
    this.taskSeries = new TaskSeriesLru(limits.maxTaskSeries ?? DEFAULT_RETENTION.maxTaskSeries ?? 1_000);
  }

  get limits(): RetentionLimits { return this.retentionLimits; }

  /**
   * New bounds (the `taskscope.retention.*` settings changed), in force at once: what no longer fits goes the way it
   * would have gone on arrival (least recently updated tasks, oldest events and log lines, whole tasks' series) and is
   * counted in the retention report as then. Series that name no task beyond a lower cap go oldest first; a series'
   * sample ring keeps its length until the series is made again.
   */
  setLimits(limits: RetentionLimits, change: MutableChangeSet): void {
    this.retentionLimits = limits;
    this.evictTasksOverLimit(change);
    if (this.eventRing.capacity !== limits.maxEvents) {
      this.eventRing.resize(limits.maxEvents);
      change.events++;
    }
    if (this.logRing.capacity !== limits.maxLogs) {
      this.logRing.setCapacity(limits.maxLogs);
      change.logs++;
    }
    const taskSeriesBudget = limits.maxTaskSeries ?? DEFAULT_RETENTION.maxTaskSeries ?? 1_000;
    if (this.taskSeries.budget !== taskSeriesBudget) {
      const evicted = this.taskSeries.setBudget(taskSeriesBudget);
      this.taskSeriesEvicted += evicted.length;
      this.dropSeries(evicted, change);
    }
    let untasked = this.seriesByKey.size - this.taskSeries.size;
    if (untasked > limits.maxSeries) {
      const owned = this.taskSeries.ownedKeys();
      const dropped: string[] = [];
      for (const key of this.seriesByKey.keys()) {
        if (untasked <= limits.maxSeries) break;
        if (owned.has(key)) continue;
        dropped.push(key);
        untasked--;
      }
      this.dropSeries(dropped, change);
    }
  }

  apply(event: MonitorEvent): ChangeSet {
    const change = new MutableChangeSet();
    this.applyInto(event, change);
    return change;
  }

  applyAll(events: Iterable<MonitorEvent>): ChangeSet {
    const change = new MutableChangeSet();
    for (const e of events) this.applyInto(e, change);
    return change;
  }

  /**
   * Applies one event, adding what it changed to `change` (no change set of its own): the batched path for
   * callers that coalesce many events into one notification, such as MonitorSession. `entityKey`, when given,
   * is the event's entity key already built by the caller (per-tick aggregation keys events by it).
   */
  applyInto(event: MonitorEvent, change: MutableChangeSet, entityKey?: string): void {
    // Polling sources repeat unchanged queues and workers every few seconds; those repeats are not events a
    // person wants in the stream (and would push the real ones out of the ring), so only changes are recorded
    // (decided in their cases below, where the stored copy is looked up anyway). Metrics and logs have stores
    // of their own. `entityKey`, when given, is `eventEntityKey(event)` computed by the caller.
    switch (event.type) {
      case 'metric':
        if (this.addSample(event.sample, entityKey)) change.metrics++;
        return;
      case 'log':
        this.logRing.push(event.record);
        change.logs++;
        return;
      case 'queue.upsert': {
        const key = entityKey ?? queueKey(event.queue.connectionId, event.queue.name);
        const previous = this.queuesByKey.get(key);
        this.queuesByKey.set(key, event.queue);
        if (previous === undefined || !sameQueueContent(previous, event.queue)) {
          this.record(event, change);
          change.queues.add(key);
        }
        return;
      }
      case 'worker.upsert': {
        const key = entityKey ?? workerKey(event.worker.connectionId, event.worker.id);
        const previous = this.workersByKey.get(key);
        this.workersByKey.set(key, event.worker);
        if (previous === undefined || !sameWorkerContent(previous, event.worker)) {
          this.record(event, change);
          change.workers.add(key);
        }
        return;
      }
      case 'task.upsert': {
        // Polling sources (rhailib, Nexus, pynenc, Rustvello) re-send up to 2 000 unchanged tasks every poll. A
        // repeat keeps the stored object and its recency: no event, no change set entry (no tree refresh), and no
        // fresh copy that outlives a scavenge only to die in the old generation (measured: most of the host's churn).
        const key = entityKey ?? taskKey(event.task.connectionId, event.task.queue, event.task.id);
        const previous = this.tasksByKey.get(key);
        if (previous !== undefined && sameTaskContent(previous, event.task)) return;
        this.record(event, change);
        this.applyEntity(event, change, key, previous !== undefined);
        return;
      }
      default:
        this.record(event, change);
        this.applyEntity(event, change, entityKey);
    }
  }

  private record(event: MonitorEvent, change: MutableChangeSet): void {
    this.eventRing.push(event);
    change.events++;
  }

  /** `previous`: for a task upsert, whether the store holds the task already (the caller looked it up). */
  private applyEntity(event: Exclude<MonitorEvent, { type: 'metric' | 'log' | 'queue.upsert' | 'worker.upsert' }>, change: MutableChangeSet, entityKey: string | undefined, previous = true): void {
    switch (event.type) {
      case 'connection.added': {
        this.connectionsById.set(event.connectionId, {
          id: event.connectionId, name: event.name, kind: event.kind, system: event.system,
          readOnly: event.readOnly, state: 'idle', since: event.at, rejectedFrames: 0,
        });
        change.connections.add(event.connectionId);
        return;
      }
      case 'connection.removed':
        this.removeConnection(event.connectionId, change);
        return;
      case 'connection.state': {
        const current = this.connectionsById.get(event.connectionId);
        if (!current) return;
        const next: ConnectionHealth = {
          ...current,
          state: event.state,
          error: event.state === 'connected' ? undefined : (event.error ?? current.error),
          retryInMs: event.retryInMs,
          attempt: event.attempt,
          since: current.state === event.state ? current.since : event.at,
        };
        this.connectionsById.set(event.connectionId, next);
        change.connections.add(event.connectionId);
        return;
      }
      case 'connection.notice': {
        const current = this.connectionsById.get(event.connectionId);
        if (!current || current.notices?.[event.topic] === event.text) return;
        const notices = { ...current.notices };
        if (event.text === undefined) delete notices[event.topic];
        else notices[event.topic] = event.text.slice(0, 500);
        this.connectionsById.set(event.connectionId, { ...current, notices });
        change.connections.add(event.connectionId);
        return;
      }
      case 'connection.rejected': {
        const current = this.connectionsById.get(event.connectionId);
        if (!current) return;
        this.connectionsById.set(event.connectionId, { ...current, rejectedFrames: current.rejectedFrames + 1 });
        change.connections.add(event.connectionId);
        return;
      }
      case 'queue.removed': {
        const key = entityKey ?? queueKey(event.connectionId, event.name);
        if (this.queuesByKey.delete(key)) change.queues.add(key);
        return;
      }
      case 'worker.removed': {
        const key = entityKey ?? workerKey(event.connectionId, event.id);
        if (this.workersByKey.delete(key)) change.workers.add(key);
        return;
      }
      case 'workflow.upsert': {
        const key = entityKey ?? workflowKey(event.workflow.connectionId, event.workflow.id);
        this.workflowsByKey.set(key, event.workflow);
        change.workflows.add(key);
        return;
      }
      case 'task.upsert': {
        const key = entityKey ?? taskKey(event.task.connectionId, event.task.queue, event.task.id);
        // A new task (the common case on push sources) has no slot to delete: it goes straight to the end.
        if (previous) this.tasksByKey.delete(key);
        this.tasksByKey.set(key, event.task);
        change.tasks.add(key);
        if (event.task.finishedAt !== undefined) this.taskSeries.finished(key);
        this.evictTasksOverLimit(change);
        return;
      }
      case 'task.removed': {
        const key = entityKey ?? taskKey(event.connectionId, event.queue, event.id);
        if (this.tasksByKey.delete(key)) change.tasks.add(key);
        this.dropSeries(this.taskSeries.remove(key), change);
        return;
      }
      case 'generic':
        return;
    }
  }

  /** Drops the least recently updated tasks (and their series) until the store holds at most `maxTasks`. */
  private evictTasksOverLimit(change: MutableChangeSet): void {
    while (this.tasksByKey.size > this.retentionLimits.maxTasks) {
      const oldest = this.oldestTaskKey();
      this.tasksByKey.delete(oldest);
      this.dropSeries(this.taskSeries.remove(oldest), change);
      change.tasks.add(oldest); // views showing it must drop it too
      this.tasksEvicted++;
    }
  }

  /**
   * The least recently updated task key. `keys().next()` on a fresh iterator walks over every slot deleted at the
   * front of the Map (V8 compacts lazily), which made eviction quadratic under steady churn; a live iterator
   * kept across calls resumes where it stopped and still sees re-inserted keys at the end, in recency order.
   */
  private oldestTaskKey(): string {
    let next = this.taskEvictionCursor?.next();
    if (!next || next.done) {
      this.taskEvictionCursor = this.tasksByKey.keys();
      next = this.taskEvictionCursor.next();
    }
    return next.value as string;
  }

  private addSample(sample: MetricSample, knownKey: string | undefined): boolean {
    const owner = sample.task ? taskKey(sample.connectionId, sample.task.queue, sample.task.id) : undefined;
    let series: MetricSeries | undefined;
    if (knownKey === undefined && hasNoLabels(sample.labels)) {
      series = this.unlabelledSeries.get(sample.connectionId)?.get(sample.name);
      // Refused without a key: the cap is full and this series is not held (O(1), nothing allocated).
      if (series === undefined && owner === undefined && this.untaskedSeriesFull()) {
        this.seriesRefused++;
        return false;
      }
    }
    const key = series?.key ?? knownKey ?? seriesKey(sample);
    series ??= this.seriesByKey.get(key);
    if (series) {
      if (owner !== undefined) this.taskSeries.touch(owner);
    } else if (owner !== undefined) {
      const evicted = this.taskSeries.admit(owner, sample.connectionId, key);
      if (!evicted) {
        this.seriesRefused++;
        return false;
      }
      for (const k of evicted) this.deleteSeries(k);
      this.taskSeriesEvicted += evicted.length;
      series = this.addSeries(key, sample);
    } else {
      if (this.untaskedSeriesFull()) {
        this.seriesRefused++;
        return false;
      }
      series = this.addSeries(key, sample);
    }
    series.samples.push(sample.timestamp, sample.value);
    return true;
  }

  /** No room for another series that names no task (those have the per-task budget). */
  private untaskedSeriesFull(): boolean {
    return this.seriesByKey.size - this.taskSeries.size >= this.retentionLimits.maxSeries;
  }

  private addSeries(key: string, sample: MetricSample): MetricSeries {
    const series: MetricSeries = { key, connectionId: sample.connectionId, name: sample.name, labels: sample.labels, samples: new SampleRing(this.retentionLimits.maxSamplesPerSeries) };
    this.seriesByKey.set(key, series);
    if (hasNoLabels(sample.labels)) {
      let byName = this.unlabelledSeries.get(sample.connectionId);
      if (byName === undefined) this.unlabelledSeries.set(sample.connectionId, (byName = new Map()));
      byName.set(sample.name, series);
    }
    return series;
  }

  /** Removes a series from both indexes. */
  private deleteSeries(key: string): void {
    const series = this.seriesByKey.get(key);
    if (series === undefined) return;
    this.seriesByKey.delete(key);
    const byName = this.unlabelledSeries.get(series.connectionId);
    if (byName?.get(series.name) === series) {
      byName.delete(series.name);
      if (byName.size === 0) this.unlabelledSeries.delete(series.connectionId);
    }
  }

  /** Series of tasks that left the store: their charts go with them. */
  private dropSeries(keys: readonly string[], change: MutableChangeSet): void {
    if (keys.length === 0) return;
    for (const k of keys) this.deleteSeries(k);
    change.metrics++;
  }

  private removeConnection(connectionId: string, change: MutableChangeSet): void {
    if (this.connectionsById.delete(connectionId)) change.connections.add(connectionId);
    const prefixOf = (key: string) => key.split(':', 2)[1] === connectionId;
    for (const [map, target] of [
      [this.queuesByKey, change.queues], [this.workersByKey, change.workers],
      [this.workflowsByKey, change.workflows], [this.tasksByKey, change.tasks],
    ] as const) {
      for (const key of [...map.keys()]) {
        if (prefixOf(key)) { map.delete(key); target.add(key); }
      }
    }
    this.taskSeries.removeConnection(connectionId);
    for (const [key, series] of [...this.seriesByKey]) {
      if (series.connectionId === connectionId) this.seriesByKey.delete(key);
    }
    this.unlabelledSeries.delete(connectionId);
  }

  // ---- selectors (read-only views; callers never get a mutable reference into the store) ----

  connections(): ConnectionHealth[] { return [...this.connectionsById.values()]; }
  connection(id: string): ConnectionHealth | undefined { return this.connectionsById.get(id); }
  queue(key: string): Queue | undefined { return this.queuesByKey.get(key); }
  worker(key: string): Worker | undefined { return this.workersByKey.get(key); }
  workflow(key: string): Workflow | undefined { return this.workflowsByKey.get(key); }
  task(key: string): Task | undefined { return this.tasksByKey.get(key); }

  queues(connectionId?: string): Queue[] { return filterByConnection(this.queuesByKey.values(), connectionId); }
  workers(connectionId?: string): Worker[] { return filterByConnection(this.workersByKey.values(), connectionId); }
  workflows(connectionId?: string): Workflow[] { return filterByConnection(this.workflowsByKey.values(), connectionId); }
  tasks(connectionId?: string, queue?: string): Task[] {
    return filterByConnection(this.tasksByKey.values(), connectionId).filter((t) => queue === undefined || t.queue === queue);
  }
  logs(): LogRecord[] { return this.logRing.toArray(); }
  /** The compact log store itself, for searches that must not materialize every record. */
  logStore(): LogStore { return this.logRing; }
  recentEvents(limit: number): MonitorEvent[] { return this.eventRing.newest(limit); }
  /** Events applied since the store was created (retained or not): numbers the event stream's rows. */
  eventCount(): number { return this.eventRing.overwritten + this.eventRing.size; }
  series(): MetricSeries[] { return [...this.seriesByKey.values()]; }
  /** One series by its `seriesKey`, e.g. for a tooltip. */
  seriesAt(key: string): MetricSeries | undefined { return this.seriesByKey.get(key); }

  retention(): RetentionReport {
    return {
      tasksEvicted: this.tasksEvicted,
      logsOverwritten: this.logRing.overwritten,
      eventsOverwritten: this.eventRing.overwritten,
      seriesRefused: this.seriesRefused,
      ...(this.taskSeriesEvicted > 0 ? { taskSeriesEvicted: this.taskSeriesEvicted, taskSeriesBudget: this.taskSeries.budget } : {}),
    };
  }
}

function filterByConnection<T extends { readonly connectionId: string }>(items: Iterable<T>, connectionId?: string): T[] {
  const out: T[] = [];
  for (const item of items) if (connectionId === undefined || item.connectionId === connectionId) out.push(item);
  return out;
}

function sameQueueContent(a: Queue, b: Queue): boolean {
  if (a.paused !== b.paused || a.version !== b.version || a.schedulers !== b.schedulers) return false;
  const ak = Object.keys(a.counts);
  if (ak.length !== Object.keys(b.counts).length) return false;
  for (const k of ak) if (a.counts[k] !== b.counts[k]) return false;
  return true;
}

/** Everything a task row, detail or ordering reads; a repeat equal in all of it is not a change. */
function sameTaskContent(a: Task, b: Task): boolean {
  return a.status === b.status && a.updatedAt === b.updatedAt && a.name === b.name && a.worker === b.worker &&
    a.workflowId === b.workflowId && a.parentId === b.parentId && a.createdAt === b.createdAt &&
    a.startedAt === b.startedAt && a.finishedAt === b.finishedAt && a.attempts === b.attempts && a.error === b.error &&
    a.logCount === b.logCount && a.system === b.system && sameUsage(a.usage, b.usage);
}

function sameUsage(a: Task['usage'], b: Task['usage']): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.at === b.at && a.cpuPercent === b.cpuPercent && a.memoryBytes === b.memoryBytes && a.memoryPercent === b.memoryPercent;
}

function sameWorkerContent(a: Worker, b: Worker): boolean {
  return a.status === b.status && a.queue === b.queue && a.currentTask === b.currentTask && a.detail === b.detail;
}
