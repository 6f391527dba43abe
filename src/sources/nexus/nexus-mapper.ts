// Nexus Agents events → the model, for every transport (Redis pub/sub and the /ws/monitor WebSocket): workers
// (started/heartbeat/stopped, busy while on a task, stale when heartbeats stop), tasks with their status and
// priority list, priority queues with their depth, research tasks (parents) as workflows with phases as stages
// and progress from task counts, log records for messages and errors, metric samples for the dashboard cards
// (workers online, queue depth by priority, task counts by status, phase activity, task duration), and event
// types it has no shape for kept as generic events. Bounded in every dimension.
import type { LogLevel, Task, Workflow, WorkflowStage, Worker, WorkerStatus } from '../../core/model/entities';
import type { MonitorEvent } from '../../core/model/events';
import { taskKey, workerKey, workflowKey } from '../../core/model/keys';
import { DedupSet } from '../../core/util/dedup-set';
import { DEFAULT_PREVIEW_CHARS, previewLine } from '../../core/util/preview';
import { collectInto, type EventSink, type PendingEntities } from '../latest-event-buffer';
import { LatestSamples, type SeriesFamily } from '../latest-samples';
import { MAX_EVENT_CHARS, NEXUS_TASK_STATUSES, parseNexusFrame, queueName, type NexusEvent, type NexusParse } from './nexus-events';
import { StringInterner } from '../../core/util/string-interner';
import { EventClock } from './event-clock';
import { ScannedFrameReader } from './nexus-scanned-frame';
import { NexusTaskTimes, type RememberedTask } from './task-times';

/** A parsed frame's event is this mapper's own: its fields may be swapped for shared copies. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** MONITORING_HEARTBEAT_TTL_SEC default: a worker silent for longer is stale. */
export const NEXUS_HEARTBEAT_TTL_MS = 30_000;
const MAX_WORKERS = 10_000;
const MAX_PHASES = 100;
const MAX_TASK_QUEUES = 50_000;
const MAX_TEXT = 2_000;
/** Tasks or workers aggregated in one tick before they are pushed on regardless (bounded like LatestEventBuffer). */
const MAX_PENDING = 10_000;

export interface NexusMapperOptions {
  readonly connectionId: string;
  readonly system: 'nexus';
  readonly now: () => number;
  /** De-duplication by event_id; pass one to share it (nexus-deployment.ts). Default: own, `dedupCapacity` ids. */
  readonly dedup?: DedupSet;
  readonly dedupCapacity?: number;
  /** Research tasks (workflows) remembered for their phases. */
  readonly maxParents?: number;
  /** Frames longer than this are rejected (default MAX_EVENT_CHARS; the WS source relies on its frame cap). */
  readonly maxEventChars?: number;
  /**
   * Whether queue depths in stats events become `queue.upsert` rows (`{pending: depth}`). The WebSocket source has
   * nothing else; the Redis source reads the lists' TaskStatus counts itself and takes only the metric.
   */
  readonly queuesFromStats?: boolean;
  /** Display budget of a generic event's payload preview. */
  readonly previewChars?: number;
}

/** Mutable, one per worker: updated in place per event; `pending` while a change waits for the next drain. */
interface WorkerState { status: WorkerStatus; currentTask: string | undefined; lastSeen: number; detail: string | undefined; pending: boolean }

interface ParentState {
  readonly id: string;
  projectId?: string;
  readonly stages: Map<string, string>;
  /** Earliest event time per phase: stages are listed in the order they ran, not the order their events arrived. */
  readonly stageAt: Map<string, number>;
  /** Latest event time applied per phase, so a late copy of an older event is recognized. */
  readonly stageChangedAt: Map<string, number>;
  /** From per-parent stats (or the Redis task group); without them progress counts phases. */
  progress?: { done: number; total: number; failed: number };
  updatedAt: number;
  /** Changed since the last drain (its upsert goes out then, built once). */
  pending: boolean;
}

const EVENT_STATUS: Readonly<Record<string, string>> = {
  task_enqueued: 'pending', task_started: 'processing', task_retry: 'retrying', task_completed: 'completed', task_failed: 'failed', task_stalled: 'stalled',
};
const LOG_LEVEL: Readonly<Record<string, LogLevel>> = { task_failed: 'error', task_retry: 'warn', task_stalled: 'warn', worker_stopped: 'warn' };

/**
 * Turns Nexus events into MonitorEvents; keeps phases per research task and what each worker is running.
 *
 * Tasks, workers, workflows and metric samples are aggregated here, per tick: `accept` updates their state and
 * marks them pending, and the sink drains the latest state of each once (`drainInto`), so a burst of events on a
 * few entities costs a few events downstream and none of the objects or keys of the states a later event
 * replaced. Everything else (logs, queues, generic events) is pushed into the sink as it comes.
 */
export class NexusEventMapper implements PendingEntities {
  readonly dedup: DedupSet;
  private readonly workers = new Map<string, WorkerState>();
  /** Tasks shown without a queue (their queue not known yet), so the row can be replaced once it is. */
  private readonly queueless = new Set<string>();
  private readonly parents = new Map<string, ParentState>();
  /** Created/start times of tasks, for the events that do not repeat them. */
  private readonly taskTimes = new NexusTaskTimes(MAX_TASK_QUEUES);
  private readonly connectionId: string;
  /** Tasks with an upsert since the last drain (their entries in `taskTimes`, each holding its latest `pending` task). */
  private pendingTasks: RememberedTask[] = [];
  /** Task types, statuses, parent and worker ids of parsed frames: kept by every task, equal from event to event. */
  private readonly strings = new StringInterner();
  /** Workers changed since the last drain (their state is in `workers`). */
  private pendingWorkers: string[] = [];
  /** Research tasks changed since the last drain (their state is in `parents`, or was until evicted). */
  private pendingParents: ParentState[] = [];
  private readonly samples: LatestSamples;
  /** The metrics the mapper makes (declared once: a sample is a lookup by its label values). */
  private readonly phaseActive: SeriesFamily;
  private readonly taskDuration: SeriesFamily;
  private readonly taskDurationByType: SeriesFamily;
  private readonly queueDepth: SeriesFamily;
  private readonly workersOnline: SeriesFamily;
  private readonly taskCounts: SeriesFamily;
  private readonly taskCountsByParent: SeriesFamily;

  constructor(private readonly opts: NexusMapperOptions) {
    this.dedup = opts.dedup ?? new DedupSet(opts.dedupCapacity ?? 10_000);
    this.connectionId = opts.connectionId;
    this.samples = new LatestSamples(opts.connectionId, opts.system);
    this.phaseActive = this.samples.family('nexus_phase_active', 'phase');
    this.taskDuration = this.samples.family('nexus_task_duration_ms', 'status');
    this.taskDurationByType = this.samples.family('nexus_task_duration_ms', 'status', 'task_type');
    this.queueDepth = this.samples.family('nexus_queue_depth', 'queue');
    this.workersOnline = this.samples.family('nexus_workers_online');
    this.taskCounts = this.samples.family('nexus_tasks', 'status');
    this.taskCountsByParent = this.samples.family('nexus_tasks', 'status', 'parent_task_id');
  }

  /** Event times: the last one is remembered, so a burst's times are read cheaply. */
  private readonly clock = new EventClock();

  /**
   * JSON text → validated event, `duplicate`, `control` (keepalive) or `invalid` (with its reject kind). The strings a
   * task keeps are swapped for their interned copies here, where JSON.parse made them fresh (a scanned frame's come
   * from its reader's table already).
   */
  parse(text: string, checkLeadingId = true): NexusParse {
    const parsed = parseNexusFrame(text, this.dedup, this.opts.maxEventChars ?? MAX_EVENT_CHARS, checkLeadingId);
    if (parsed.kind === 'event') this.shareStrings(parsed.event as Mutable<NexusEvent>);
    return parsed;
  }

  /** The event's kept strings (status, parent, type, a string worker id) as their interned copies. */
  private shareStrings(e: Mutable<NexusEvent>): void {
    const strings = this.strings;
    if (typeof e.status === 'string') e.status = strings.intern(e.status);
    if (typeof e.parent_task_id === 'string') e.parent_task_id = strings.intern(e.parent_task_id);
    if (typeof e.task_type === 'string') e.task_type = strings.intern(e.task_type);
    if (typeof e.worker_id === 'string') e.worker_id = strings.intern(e.worker_id);
  }

  /** `parse` of the frame `bytes[start, end)` from its scan record (nexus-scanned-frame.ts). */
  parseScanned(bytes: Buffer, start: number, end: number, records: Int32Array, at: number): NexusParse {
    this.scannedFrames ??= new ScannedFrameReader();
    return this.scannedFrames.parse(bytes, start, end, records, at, this.dedup, this.opts.maxEventChars ?? MAX_EVENT_CHARS);
  }

  /** Made for the first scanned frame (a transport that does not scan has no use for its table of strings). */
  private scannedFrames: ScannedFrameReader | undefined;

  /**
   * Remembers a task's priority list. Returns true when a row without a queue was emitted for it before (its
   * events arrived ahead of the enqueue, e.g. reordered by a Redis Cluster): the caller removes that row.
   */
  rememberQueue(taskId: string, queue: string): boolean {
    const known = this.taskTimes.setQueue(taskId, queue);
    // A queue-less upsert still pending would recreate the row the caller removes: it goes out with the queue.
    const pending = known.pending;
    if (pending !== undefined && pending.queue === undefined) known.pending = { ...pending, queue };
    return this.queueless.delete(taskId);
  }

  queueOf(taskId: string): string | undefined { return this.taskTimes.queueOf(taskId); }
  currentTask(workerId: string): string | undefined { return this.workers.get(workerId)?.currentTask; }

  /** One event → its model events, at once (tests, one-off mapping); sources use `accept` with a LatestEventBuffer. */
  map(e: NexusEvent, text?: string): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    this.accept(e, text, collectInto(out));
    return out;
  }

  /**
   * One event into `sink`. `text` (the frame) is the payload preview of an event type without a shape.
   * Hot path (every message): no closures or object spreads per call.
   */
  accept(e: NexusEvent, text: string | undefined, out: EventSink): void {
    const at = this.clock.ms(e.ts) ?? this.opts.now();
    // A number's string comes from V8's number-string cache; a string id was shared when the frame was read.
    const workerId = e.worker_id === null || e.worker_id === undefined ? undefined : typeof e.worker_id === 'string' ? e.worker_id : String(e.worker_id);
    const detail = e.message ? e.message.slice(0, MAX_TEXT) : undefined;

    switch (e.event_type) {
      case 'worker_started':
      case 'worker_heartbeat': {
        if (workerId === undefined) break;
        const current = this.workers.get(workerId);
        // A late copy of a start older than the stop already applied (Redis Cluster forwards messages published
        // through different nodes in no common order): the worker stays offline. A stop at the same instant wins.
        if (current?.status === 'offline' && current.lastSeen >= at) break;
        const busy = current?.status === 'busy' ? current.currentTask : undefined;
        this.setWorker(out, workerId, busy ? 'busy' : 'online', at, busy, detail);
        break;
      }
      case 'worker_stopped': {
        if (workerId === undefined) break;
        const current = this.workers.get(workerId);
        if (current && current.status !== 'offline' && current.lastSeen > at) break; // started again since
        this.setWorker(out, workerId, 'offline', at, undefined, detail);
        break;
      }
      case 'task_enqueued':
      case 'task_started':
      case 'task_retry':
      case 'task_completed':
      case 'task_failed':
      case 'task_stalled':
        this.task(out, e, workerId, at, detail);
        break;
      case 'phase_started':
      case 'phase_completed': {
        if (!e.phase) break;
        const phase = e.phase.slice(0, 200);
        const running = e.event_type === 'phase_started';
        this.phaseActive.set(out, running ? 1 : 0, at, phase);
        if (!e.parent_task_id) break;
        const p = this.parent(e.parent_task_id, e.project_id, at);
        // An event older than the phase's last change is a late copy (Redis Cluster forwards messages published
        // through different nodes in no common order): it does not reopen or close the phase. A start and a
        // completion in the same instant leave it completed.
        const changed = p.stageChangedAt.get(phase);
        const late = changed !== undefined && (running ? at <= changed && p.stages.get(phase) === 'completed' : at < changed);
        if ((p.stages.has(phase) || p.stages.size < MAX_PHASES) && !late) {
          p.stages.set(phase, running ? 'running' : 'completed');
          p.stageChangedAt.set(phase, Math.max(changed ?? at, at));
          p.stageAt.set(phase, Math.min(p.stageAt.get(phase) ?? at, at));
        }
        this.workflowChanged(out, p);
        break;
      }
      case 'stats_snapshot':
      case 'queue_depth_update':
        this.stats(out, e, at);
        break;
      default:
        out.push({ type: 'generic', connectionId: this.connectionId, name: e.event_type, summary: previewLine(text ?? JSON.stringify(e), this.opts.previewChars ?? DEFAULT_PREVIEW_CHARS), at });
        return;
    }
    const logText = e.error ?? e.message;
    if (logText) {
      out.push({
        type: 'log',
        record: {
          connectionId: this.connectionId, system: 'nexus', timestamp: at, level: LOG_LEVEL[e.event_type] ?? 'info',
          message: `${e.event_type}${e.phase ? ` ${e.phase.slice(0, 200)}` : ''}: ${logText.slice(0, DEFAULT_PREVIEW_CHARS)}`, worker: workerId, task: e.task_id?.slice(0, 512) ?? undefined,
        },
      });
    }
  }

  /** Hands on the latest state of every task, worker, research task and metric series changed since the last drain. */
  drainInto(sink: EventSink): void {
    if (this.pendingTasks.length > 0) {
      const tasks = this.pendingTasks;
      this.pendingTasks = [];
      for (let i = 0; i < tasks.length; i++) {
        const known = tasks[i] as RememberedTask;
        const task = known.pending as Task;
        known.pending = undefined;
        sink.pushAggregated({ type: 'task.upsert', task }, this.taskKeyOf(known, task.queue));
      }
    }
    if (this.pendingWorkers.length > 0) {
      const ids = this.pendingWorkers;
      this.pendingWorkers = [];
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as string;
        const w = this.workers.get(id);
        if (w === undefined || !w.pending) continue;
        w.pending = false;
        sink.pushAggregated({ type: 'worker.upsert', worker: this.workerOf(id, w) }, workerKey(this.connectionId, id));
      }
    }
    if (this.pendingParents.length > 0) {
      const parents = this.pendingParents;
      this.pendingParents = [];
      for (let i = 0; i < parents.length; i++) {
        const p = parents[i] as ParentState;
        p.pending = false;
        sink.pushAggregated({ type: 'workflow.upsert', workflow: this.workflow(p) }, workflowKey(this.connectionId, p.id));
      }
    }
    this.samples.drainInto(sink);
  }

  /** A task's store key under `queue`, built once per task and queue (the key a poll's task upsert builds too). */
  private taskKeyOf(known: RememberedTask, queue: string | undefined): string {
    if (known.key === undefined || known.keyQueue !== queue) {
      known.key = taskKey(this.connectionId, queue, known.id);
      known.keyQueue = queue;
    }
    return known.key;
  }

  /** Workers whose heartbeat stopped longer than the TTL ago are marked stale (returned, to be emitted). */
  markStale(now: number, ttlMs = NEXUS_HEARTBEAT_TTL_MS): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    const sink = collectInto(out);
    for (const [id, w] of this.workers) {
      if ((w.status === 'online' || w.status === 'busy') && now - w.lastSeen > ttlMs) this.setWorker(sink, id, 'stale', w.lastSeen, w.currentTask, w.detail);
    }
    return out;
  }

  /** Progress of a task group read from Redis state (`nexus:task_group:{parent}`), merged with its phases. */
  groupProgress(parentId: string, done: number, total: number, failed: number, at: number, projectId?: string): Workflow {
    const p = this.parent(parentId, projectId, at);
    p.progress = { done, total, failed };
    return this.workflow(p);
  }

  private task(out: EventSink, e: NexusEvent, workerId: string | undefined, at: number, detail: string | undefined): void {
    const taskId = e.task_id?.slice(0, 512);
    const status = e.status?.slice(0, 64) ?? EVENT_STATUS[e.event_type] ?? e.event_type;
    // A retry ends this attempt: its span stops here, and the next task_started opens a new one.
    const finished = e.event_type === 'task_completed' || e.event_type === 'task_failed' || e.event_type === 'task_retry';
    if (taskId) {
      const metaQueue = queueName(e.meta);
      if (metaQueue && this.queueless.delete(taskId)) out.push({ type: 'task.removed', connectionId: this.connectionId, id: taskId, at });
      // Only task_enqueued carries the list and the created time, task_started the start: remembered for the
      // later events (one map for all three).
      const known = this.taskTimes.update(taskId, e.event_type, at, { queue: metaQueue, durationMs: e.duration_ms });
      const parent = e.parent_task_id?.slice(0, 512) ?? undefined;
      const queue = known.queue;
      if (queue === undefined) {
        this.queueless.add(known.id);
        if (this.queueless.size > MAX_TASK_QUEUES) this.queueless.delete(this.queueless.values().next().value as string);
      }
      const task: Task = {
        connectionId: this.connectionId, system: 'nexus', id: known.id, queue,
        name: e.task_type?.slice(0, 200) ?? undefined,
        status, worker: workerId, workflowId: parent, parentId: parent,
        attempts: e.retry_count ?? undefined, error: e.error?.slice(0, MAX_TEXT) ?? undefined,
        createdAt: known.createdAt,
        startedAt: known.startedAt,
        finishedAt: finished ? at : undefined,
        updatedAt: at,
      };
      if (known.pending === undefined) this.pendingTasks.push(known);
      known.pending = task;
      if (this.pendingTasks.length >= MAX_PENDING) this.drainInto(out);
      else out.defer(this);
    }
    if (workerId !== undefined) {
      if (e.event_type === 'task_started') this.setWorker(out, workerId, 'busy', at, taskId, detail);
      else if (e.event_type !== 'task_enqueued') {
        // Free again, unless it has since started another task (a late copy of an older event).
        const w = this.workers.get(workerId);
        if (!(w?.status === 'busy' && w.currentTask !== taskId && w.lastSeen > at)) this.setWorker(out, workerId, 'online', at, undefined, detail);
      }
    }
    if (finished && e.duration_ms !== null && e.duration_ms !== undefined) {
      if (e.task_type) this.taskDurationByType.set(out, e.duration_ms, at, status, e.task_type.slice(0, 100));
      else this.taskDuration.set(out, e.duration_ms, at, status);
    }
  }

  private stats(out: EventSink, e: NexusEvent, at: number): void {
    if (e.queue) {
      for (const name in e.queue) {
        if (name === 'total') continue;
        const queue = name.slice(0, 200);
        const depth = e.queue[name]!;
        if (this.opts.queuesFromStats) out.push({ type: 'queue.upsert', queue: { connectionId: this.connectionId, system: 'nexus', name: queue, counts: { pending: depth }, updatedAt: at } });
        this.queueDepth.set(out, depth, at, queue);
      }
    }
    const online = e.meta?.['workers_online'];
    if (typeof online === 'number' && Number.isFinite(online)) this.workersOnline.set(out, online, at);
    if (e.counts) {
      const parent = e.parent_task_id?.slice(0, 200);
      for (const status in e.counts) {
        if (parent) this.taskCountsByParent.set(out, e.counts[status]!, at, status.slice(0, 100), parent);
        else this.taskCounts.set(out, e.counts[status]!, at, status.slice(0, 100));
      }
      if (e.parent_task_id) {
        const p = this.parent(e.parent_task_id, e.project_id, at);
        const c = e.counts;
        const failed = c['failed'] ?? 0;
        let total = 0;
        for (const s of NEXUS_TASK_STATUSES) total += c[s] ?? 0;
        p.progress = { done: (c['completed'] ?? 0) + failed, total, failed };
        this.workflowChanged(out, p);
      }
    }
  }

  /** Updates a worker's state in place and marks it pending (its upsert goes out at the drain). */
  private setWorker(out: EventSink, id: string, status: WorkerStatus, at: number, currentTask: string | undefined, detail: string | undefined): void {
    let w = this.workers.get(id);
    if (w === undefined) {
      if (this.workers.size >= MAX_WORKERS) return;
      w = { status, currentTask, lastSeen: at, detail, pending: false };
      this.workers.set(id, w);
    } else {
      w.status = status;
      w.currentTask = currentTask;
      w.lastSeen = at;
      if (detail !== undefined) w.detail = detail;
    }
    if (!w.pending) {
      w.pending = true;
      this.pendingWorkers.push(id);
    }
    if (this.pendingWorkers.length >= MAX_PENDING) this.drainInto(out);
    else out.defer(this);
  }

  private workerOf(id: string, w: WorkerState): Worker {
    return { connectionId: this.connectionId, system: 'nexus', id, status: w.status, lastSeen: w.lastSeen, currentTask: w.currentTask, detail: w.detail, updatedAt: w.lastSeen };
  }

  /** Marks a research task pending: its workflow row is built once at the drain, however many events changed it. */
  private workflowChanged(out: EventSink, p: ParentState): void {
    if (!p.pending) {
      p.pending = true;
      this.pendingParents.push(p);
    }
    if (this.pendingParents.length >= MAX_PENDING) this.drainInto(out);
    else out.defer(this);
  }

  /** Least recently updated research tasks are forgotten first. */
  private parent(rawId: string, projectId: string | null | undefined, at: number): ParentState {
    const id = rawId.slice(0, 512);
    let p = this.parents.get(id);
    if (p) this.parents.delete(id);
    else {
      if (this.parents.size >= (this.opts.maxParents ?? 5_000)) this.parents.delete(this.parents.keys().next().value as string);
      p = { id, stages: new Map(), stageAt: new Map(), stageChangedAt: new Map(), updatedAt: at, pending: false };
    }
    this.parents.set(id, p);
    if (projectId) p.projectId = projectId.slice(0, 200);
    p.updatedAt = Math.max(p.updatedAt, at);
    return p;
  }

  /**
   * A running phase means the research task runs; otherwise counts decide (all done → completed, with failures
   * said); without counts, its phases do.
   */
  private workflow(p: ParentState): Workflow {
    const stages: WorkflowStage[] = [];
    let done = 0;
    let running = false;
    const byStart = [...p.stages].sort(([a], [b]) => (p.stageAt.get(a) ?? 0) - (p.stageAt.get(b) ?? 0));
    for (const [name, status] of byStart) {
      stages.push({ name, status });
      if (status === 'running') running = true;
      else done++;
    }
    const progress = p.progress ?? { done, total: stages.length, failed: 0 };
    const finished = progress.total > 0 ? progress.done >= progress.total : !running;
    const status = running || !finished ? 'running' : progress.failed > 0 ? 'completed with failures' : 'completed';
    return {
      connectionId: this.connectionId, system: 'nexus', id: p.id,
      name: p.projectId ? `${p.projectId} · ${p.id}` : p.id, status, done: progress.done, total: progress.total, stages,
      updatedAt: p.updatedAt,
    };
  }
}
