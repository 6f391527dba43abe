// What Taskscope knows about one Mahavishnu server, built from its events and status replies: pools (as
// queues, with queue size and workers by status), their workers, workflows with stage progress, and tasks
// assigned to workers. Kept across reconnects so a resubscription updates entities instead of duplicating
// them; bounded in every dimension.
import type { Queue, Task, Worker, WorkerStatus, Workflow, WorkflowStage } from '../../core/model/entities';
import type { MonitorEvent } from '../../core/model/events';
import type { z } from 'zod';
import {
  poolData, poolStatusData, stageCompletedData, taskAssignedData, workerMembershipData, workerStatusData,
  workersFromReply, workflowEndedData, workflowStartedData, workflowStatusReply, poolStatusReply,
  type MahavishnuFrame,
} from './mahavishnu-protocol';
import { finiteNumber, workerStatus } from './ws-values';

const MAX_POOLS = 1_000;
const MAX_WORKERS_PER_POOL = 10_000;
const MAX_WORKFLOWS = 5_000;
const MAX_STAGES = 1_000;

interface WorkerState { status: WorkerStatus; raw: string; currentTask?: string; lastSeen: number }
interface PoolState { readonly id: string; status: Record<string, unknown>; workers: Map<string, WorkerState>; updatedAt: number }
interface WorkflowState {
  readonly id: string;
  name?: string;
  status: string;
  done: string[];
  planned?: string[];
  total?: number;
  error?: string;
  updatedAt: number;
}

export type ApplyResult = 'applied' | 'unknown' | { readonly reject: string; readonly detail: string };

export class MahavishnuModel {
  private readonly pools = new Map<string, PoolState>();
  private readonly workflows = new Map<string, WorkflowState>();

  constructor(private readonly connectionId: string, private readonly push: (event: MonitorEvent) => void) {}

  /** An event frame (`type: "event"` or the `event_type` shape). */
  applyEvent(frame: MahavishnuFrame, now: number): ApplyResult {
    const at = frame.at ?? now;
    const data = frame.data;
    const roomId = (prefix: string): string | undefined => (frame.room?.startsWith(prefix) ? frame.room.slice(prefix.length) : undefined);
    switch (frame.event) {
      case 'workflow.started': return this.with(workflowStartedData, data, (d) => {
        const wf = this.workflow(d.workflow_id, at);
        // A (re)started run begins from its first stage.
        wf.status = 'running';
        wf.done = [];
        wf.error = undefined;
        wf.name = d.name ?? wf.name;
        if (d.stages) wf.planned = d.stages.slice(0, MAX_STAGES);
        wf.total = d.total_stages ?? d.stages?.length ?? wf.total;
        this.emitWorkflow(wf);
      });
      case 'workflow.stage_completed': return this.with(stageCompletedData, data, (d) => {
        const wf = this.workflow(d.workflow_id, at);
        if (wf.status === 'pending' || wf.status === 'unknown') wf.status = 'running';
        if (!wf.done.includes(d.stage_name) && wf.done.length < MAX_STAGES) wf.done.push(d.stage_name);
        this.emitWorkflow(wf);
      });
      case 'workflow.completed': return this.with(workflowEndedData, data, (d) => {
        const wf = this.workflow(d.workflow_id, at);
        wf.status = 'completed';
        this.emitWorkflow(wf);
      });
      case 'workflow.failed': return this.with(workflowEndedData, data, (d) => {
        const wf = this.workflow(d.workflow_id, at);
        wf.status = 'failed';
        wf.error = d.error === undefined || d.error === null ? undefined : (typeof d.error === 'string' ? d.error : JSON.stringify(d.error)).slice(0, 2_000);
        this.emitWorkflow(wf);
      });
      case 'worker.status_changed': return this.with(workerStatusData, data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        this.setWorker(pool, d.worker_id, d.status, at);
        this.emitPool(pool, at);
      });
      case 'worker.added': return this.with(workerMembershipData, data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        if (!pool.workers.has(d.worker_id)) this.setWorker(pool, d.worker_id, 'idle', at);
        this.emitPool(pool, at);
      });
      case 'worker.removed': return this.with(workerMembershipData, data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        if (pool.workers.delete(d.worker_id)) this.push({ type: 'worker.removed', connectionId: this.connectionId, id: workerId(pool.id, d.worker_id), at });
        this.emitPool(pool, at);
      });
      case 'pool.status_changed': return this.with(poolStatusData, data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        pool.status = { ...pool.status, ...d.status };
        this.emitPool(pool, at);
      });
      case 'pool.spawned':
      case 'pool.scaled': return this.with(poolData, data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        if (d.worker_count !== undefined) pool.status = { ...pool.status, worker_count: d.worker_count };
        if (frame.event === 'pool.spawned') pool.status = { ...pool.status, state: 'running' };
        this.emitPool(pool, at);
      });
      case 'pool.closed': return this.with(poolData, data, (d) => {
        const id = d.pool_id ?? roomId('pool:') ?? 'default';
        this.removePool(id, at);
      });
      case 'task.assigned': return this.with(taskAssignedData, data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        const task = d.task && typeof d.task === 'object' ? (d.task as Record<string, unknown>) : {};
        const taskId = idOf(task['task_id'] ?? task['id']);
        this.setWorker(pool, d.worker_id, 'busy', at, taskId);
        if (taskId) this.emitTask(pool.id, taskId, 'running', d.worker_id, at, typeof task['name'] === 'string' ? task['name'] : undefined);
        this.emitPool(pool, at);
      });
      case 'task.completed': return this.with(taskAssignedData.omit({ task: true }).extend({ result: taskAssignedData.shape.task }), data, (d) => {
        const pool = this.pool(d.pool_id ?? roomId('pool:') ?? 'default', at);
        const result = d.result && typeof d.result === 'object' ? (d.result as Record<string, unknown>) : {};
        const taskId = idOf(result['task_id'] ?? result['id']) ?? pool.workers.get(d.worker_id)?.currentTask;
        this.setWorker(pool, d.worker_id, 'idle', at);
        const failed = result['status'] === 'failed' || (result['error'] !== undefined && result['error'] !== null);
        if (taskId) this.emitTask(pool.id, taskId, failed ? 'failed' : 'completed', d.worker_id, at);
        pool.status = { ...pool.status, tasks_completed: (finiteNumber(pool.status['tasks_completed']) ?? 0) + 1 };
        this.emitPool(pool, at);
      });
      default: return 'unknown';
    }
  }

  /** get_pool_status reply; workers not in a full list are removed (they left while we were away). */
  applyPoolStatus(requestedId: string, data: Readonly<Record<string, unknown>>, now: number): ApplyResult | { readonly notice: string } {
    const r = poolStatusReply.safeParse(data);
    if (!r.success) return { reject: 'mahavishnu-pool-status', detail: r.error.issues[0]?.message ?? 'invalid' };
    const d = r.data;
    const id = d.pool_id ?? requestedId;
    if (d.status === 'not_found') {
      this.removePool(id, now);
      return { notice: `pool "${id}" was not found on the server` };
    }
    if (d.status === 'error') return { notice: `pool "${id}" status could not be read: ${String(d.error ?? 'unknown error')}` };
    const pool = this.pool(id, now);
    if (typeof d.status === 'string') pool.status = { ...pool.status, state: d.status };
    else if (d.status) pool.status = { ...pool.status, ...d.status };
    const workers = workersFromReply(d.workers);
    if (workers) {
      const listed = new Set(workers.map((w) => w.id));
      for (const old of [...pool.workers.keys()]) {
        if (!listed.has(old)) {
          pool.workers.delete(old);
          this.push({ type: 'worker.removed', connectionId: this.connectionId, id: workerId(pool.id, old), at: now });
        }
      }
      for (const w of workers) this.setWorker(pool, w.id, w.status ?? pool.workers.get(w.id)?.raw ?? 'online', now, w.currentTask);
    } else if (typeof d.workers === 'number') {
      pool.status = { ...pool.status, worker_count: d.workers };
    }
    this.emitPool(pool, now);
    return 'applied';
  }

  /**
   * get_workflow_status reply: the server's answer wins (it is how a reconnect learns what it missed), except
   * Mahavishnu 0.11's hard-coded placeholder (running, 0 of 10), which carries no information.
   */
  applyWorkflowStatus(data: Readonly<Record<string, unknown>>, now: number): ApplyResult {
    const r = workflowStatusReply.safeParse(data);
    if (!r.success) return { reject: 'mahavishnu-workflow-status', detail: r.error.issues[0]?.message ?? 'invalid' };
    const d = r.data;
    if (isPlaceholderStatus(d)) {
      if (!this.workflows.has(d.workflow_id)) this.emitWorkflow(this.workflow(d.workflow_id, now));
      return 'applied';
    }
    const wf = this.workflow(d.workflow_id, now);
    if (d.status) wf.status = d.status;
    if (d.total_stages !== undefined) wf.total = d.total_stages;
    if (d.stages_completed !== undefined) {
      const n = Math.min(d.stages_completed, MAX_STAGES);
      if (n < wf.done.length) wf.done = wf.done.slice(0, n);
      for (let i = wf.done.length; i < n; i++) wf.done.push(wf.planned?.[i] ?? `stage ${i + 1}`);
    }
    this.emitWorkflow(wf);
    return 'applied';
  }

  poolIds(): string[] { return [...this.pools.keys()]; }
  workflowIds(): string[] { return [...this.workflows.keys()]; }

  private with<S extends z.ZodType>(schema: S, data: unknown, apply: (d: z.infer<S>) => void): ApplyResult {
    const r = schema.safeParse(data);
    if (!r.success) return { reject: 'mahavishnu-event-data', detail: r.error.issues.slice(0, 2).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    apply(r.data);
    return 'applied';
  }

  private pool(id: string, at: number): PoolState {
    let pool = this.pools.get(id);
    if (!pool) {
      if (this.pools.size >= MAX_POOLS) this.removePool(this.pools.keys().next().value as string, at);
      pool = { id, status: {}, workers: new Map(), updatedAt: at };
      this.pools.set(id, pool);
    }
    pool.updatedAt = at;
    return pool;
  }

  private removePool(id: string, at: number): void {
    const pool = this.pools.get(id);
    if (!pool) return;
    this.pools.delete(id);
    for (const w of pool.workers.keys()) this.push({ type: 'worker.removed', connectionId: this.connectionId, id: workerId(id, w), at });
    this.push({ type: 'queue.removed', connectionId: this.connectionId, name: id, at });
  }

  private setWorker(pool: PoolState, id: string, raw: string, at: number, currentTask?: string): void {
    if (!pool.workers.has(id) && pool.workers.size >= MAX_WORKERS_PER_POOL) return;
    const status = workerStatus(raw);
    const state: WorkerState = { status, raw, currentTask: status === 'busy' ? (currentTask ?? pool.workers.get(id)?.currentTask) : undefined, lastSeen: at };
    pool.workers.set(id, state);
    const worker: Worker = {
      connectionId: this.connectionId, system: 'mahavishnu', id: workerId(pool.id, id), status, lastSeen: at, queue: pool.id,
      currentTask: state.currentTask, detail: `pool ${pool.id}${raw !== status ? ` · reported "${raw}"` : ''}`, updatedAt: at,
    };
    this.push({ type: 'worker.upsert', worker });
  }

  private emitPool(pool: PoolState, at: number): void {
    const byStatus: Record<string, number> = {};
    for (const w of pool.workers.values()) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
    const s = pool.status;
    const counts: Record<string, number> = {};
    const queueSize = finiteNumber(s['queue_size'] ?? s['pending_tasks'] ?? s['queued']);
    if (queueSize !== undefined) counts['queued'] = queueSize;
    if (pool.workers.size > 0) {
      for (const k of ['busy', 'idle', 'error', 'offline', 'online', 'unknown'] as const) if (byStatus[k]) counts[k] = byStatus[k];
    } else {
      const active = finiteNumber(s['active_workers']);
      const idle = finiteNumber(s['idle_workers']);
      if (active !== undefined) counts['busy'] = active;
      if (idle !== undefined) counts['idle'] = idle;
    }
    const completed = finiteNumber(s['tasks_completed']);
    if (completed !== undefined) counts['completed'] = completed;
    const state = typeof s['state'] === 'string' ? s['state'] : undefined;
    const queue: Queue = {
      connectionId: this.connectionId, system: 'mahavishnu', name: pool.id, counts,
      paused: state === 'paused' || state === 'stopped' ? true : undefined, updatedAt: at,
    };
    this.push({ type: 'queue.upsert', queue });
    const metric = (name: string, value: number, labels: Record<string, string>): void =>
      this.push({ type: 'metric', sample: { connectionId: this.connectionId, system: 'mahavishnu', name, labels, timestamp: at, value } });
    if (queueSize !== undefined) metric('mahavishnu_pool_queue_size', queueSize, { pool: pool.id });
    for (const k of ['busy', 'idle', 'error', 'offline'] as const) {
      if (pool.workers.size > 0) metric('mahavishnu_pool_workers', byStatus[k] ?? 0, { pool: pool.id, status: k });
    }
  }

  private workflow(id: string, at: number): WorkflowState {
    let wf = this.workflows.get(id);
    if (wf) this.workflows.delete(id); // re-insert: insertion order is recency
    else {
      if (this.workflows.size >= MAX_WORKFLOWS) this.workflows.delete(this.workflows.keys().next().value as string);
      wf = { id, status: 'unknown', done: [], updatedAt: at };
    }
    wf.updatedAt = at;
    this.workflows.set(id, wf);
    return wf;
  }

  private emitWorkflow(wf: WorkflowState): void {
    const stages: WorkflowStage[] = wf.done.map((name) => ({ name, status: 'completed' }));
    const remaining = (wf.planned ?? []).filter((n) => !wf.done.includes(n));
    remaining.forEach((name, i) => {
      const status = wf.status === 'completed' ? 'completed'
        : i === 0 && wf.status === 'failed' ? 'failed'
          : i === 0 && wf.status === 'running' ? 'running' : 'pending';
      stages.push({ name, status });
    });
    const known = Math.max(wf.total ?? 0, wf.planned?.length ?? 0, wf.done.length);
    // Without a plan, a running workflow has at least one more stage than it has finished.
    const total = wf.total === undefined && wf.planned === undefined && wf.status === 'running' ? wf.done.length + 1 : known;
    const done = wf.status === 'completed' ? total : wf.done.length;
    const workflow: Workflow = {
      connectionId: this.connectionId, system: 'mahavishnu', id: wf.id, name: wf.name, status: wf.status, done, total,
      stages, blockedReason: wf.status === 'failed' ? (wf.error ?? 'workflow failed') : undefined, updatedAt: wf.updatedAt,
    };
    this.push({ type: 'workflow.upsert', workflow });
    this.push({ type: 'metric', sample: { connectionId: this.connectionId, system: 'mahavishnu', name: 'mahavishnu_workflow_stages_done', labels: { workflow: wf.id }, timestamp: wf.updatedAt, value: done } });
  }

  private emitTask(pool: string, id: string, status: string, worker: string, at: number, name?: string): void {
    const task: Task = {
      connectionId: this.connectionId, system: 'mahavishnu', id, queue: pool, name, status, worker: workerId(pool, worker),
      startedAt: status === 'running' ? at : undefined, finishedAt: status === 'running' ? undefined : at, updatedAt: at,
    };
    this.push({ type: 'task.upsert', task });
  }
}

/** Worker ids are only unique within a pool. */
export function workerId(pool: string, worker: string): string { return `${pool}/${worker}`; }

/** mahavishnu/websocket/server.py at bc81118b answers every get_workflow_status with these constants. */
function isPlaceholderStatus(d: { status?: string; stages_completed?: number; total_stages?: number }): boolean {
  return d.status === 'running' && d.stages_completed === 0 && d.total_stages === 10;
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v.slice(0, 512);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
