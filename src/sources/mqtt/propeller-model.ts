// Propeller's MQTT messages (absmach/propeller @ 102e676e) validated with zod and turned into MonitorEvents:
// proplets → workers (liveness from `alive`, an `offline` last-will marks them offline), tasks with their
// numeric states named, per-task process metrics and per-proplet CPU/memory → metric samples. No I/O here,
// so unit tests and the fuzzer drive it directly; `PropellerSource` feeds it from the broker.
import { z } from 'zod';
import type { MonitorEvent } from '../../core/model/events';
import type { Task, TaskUsage, WorkerStatus } from '../../core/model/entities';
import { detailValue, type DetailValue, type TaskDetail } from '../../core/model/task-detail';
import { toEpochMs } from '../../core/util/timestamps';
import { PROPELLER_FINAL_STATES, PROPELLER_TASK_STATES } from '../../core/views/task-list';

/** `pkg/task/task.go` State (uint8 on the wire). */
export const TASK_STATES = PROPELLER_TASK_STATES;
const FINAL_STATES = PROPELLER_FINAL_STATES;
/** What "Open Task JSON" can show of a task is kept this short (raw start command, results, last metrics). */
const KEPT_DETAIL_CHARS = 2_048;

export const PROPELLER_SUFFIXES = [
  'control/proplet/create', 'control/proplet/alive', 'control/proplet/results', 'control/proplet/invoke_results',
  'control/proplet/task_metrics', 'control/proplet/metrics', 'control/manager/start', 'control/manager/stop',
  'control/manager/invoke', 'metrics/proplet',
] as const;

const TOPIC_RE = /^m\/([^/]+)\/c\/([^/]+)\/(.+)$/;
const id = z.string().min(1).max(512);
const num = z.number().finite();
const optNum = num.nullish();

const discovery = z.looseObject({
  proplet_id: id,
  namespace: z.string().max(512).nullish(),
  metadata: z.looseObject({
    description: z.string().nullish(), location: z.string().nullish(), ip: z.string().nullish(), hostname: z.string().nullish(),
    environment: z.string().nullish(), os: z.string().nullish(), cpu_arch: z.string().nullish(),
    total_memory_bytes: optNum, proplet_version: z.string().nullish(), wasm_runtime: z.string().nullish(),
  }).nullish(),
});
const alive = z.looseObject({ proplet_id: id, status: z.string().max(64).nullish(), namespace: z.string().max(512).nullish() });
const result = z.looseObject({
  task_id: id, proplet_id: id.nullish(), invocation_id: id.nullish(),
  results: z.unknown().optional(), error: z.string().nullish(),
});
/** Both generations: current (`cpu_percent`, `memory_bytes`) and older (`cpu_usage_percent`, `memory_usage_bytes`). */
const processMetrics = z.looseObject({
  cpu_percent: optNum, cpu_usage_percent: optNum, memory_bytes: optNum, memory_usage_bytes: optNum,
  memory_percent: optNum, memory_usage_percent: optNum, disk_read_bytes: optNum, disk_write_bytes: optNum,
  network_rx_bytes: optNum, network_tx_bytes: optNum, uptime_seconds: optNum, thread_count: optNum,
  file_descriptor_count: optNum, timestamp: z.unknown().optional(),
});
const aggregated = z.looseObject({
  avg_cpu_usage: optNum, max_cpu_usage: optNum, avg_memory_usage: optNum, max_memory_usage: optNum,
  total_disk_read: optNum, total_disk_write: optNum, total_network_rx: optNum, total_network_tx: optNum, sample_count: optNum,
});
const taskMetrics = z.looseObject({
  task_id: id, proplet_id: id.nullish(), metrics: processMetrics, aggregated: aggregated.nullish(), timestamp: z.unknown().optional(),
});
const propletMetrics = z.looseObject({
  proplet_id: id, namespace: z.string().nullish(), timestamp: z.unknown().optional(),
  cpu_metrics: z.looseObject({ user_seconds: optNum, system_seconds: optNum, percent: optNum }).nullish(),
  memory_metrics: z.looseObject({
    rss_bytes: optNum, heap_alloc_bytes: optNum, heap_sys_bytes: optNum, heap_inuse_bytes: optNum,
    container_usage_bytes: optNum, container_limit_bytes: optNum, heap_free_bytes: optNum, heap_max_alloc_bytes: optNum,
  }).nullish(),
});
const start = z.looseObject({
  id, name: z.string().max(1024).nullish(), state: z.union([z.number().int().min(0).max(255), z.string().max(64)]).nullish(),
  proplet_id: id.nullish(), broadcast: z.boolean().nullish(), daemon: z.boolean().nullish(), image_url: z.string().nullish(),
});
const stop = z.looseObject({ id, broadcast: z.boolean().nullish(), proplet_id: id.nullish() });
const invoke = z.looseObject({ id, proplet_id: id.nullish(), invocation_id: id.nullish() });

export type PropellerDecodeResult =
  | { readonly ok: true; readonly events: MonitorEvent[] }
  | { readonly ok: false; readonly kind: string; readonly detail: string };

interface PropletState {
  status: WorkerStatus;
  lastAlive?: number;
  namespace?: string;
  detail?: string;
  currentTask?: string;
  domain: string;
  channel: string;
}

interface TaskState {
  task: Task;
  domain: string;
  channel: string;
  /** Raw pieces for "Open Task JSON", each cut to KEPT_DETAIL_CHARS. */
  raw?: { start?: string; results?: string; metrics?: unknown };
}

export interface PropellerModelOptions {
  readonly connectionId: string;
  readonly livenessTimeoutMs: number;
  /** Tasks remembered for state counts and "Stop task"; the oldest are forgotten beyond it. */
  readonly maxTasks?: number;
  readonly maxProplets?: number;
}

export const TASKS_QUEUE = 'tasks';

export class PropellerModel {
  private readonly proplets = new Map<string, PropletState>();
  private readonly tasks = new Map<string, TaskState>();
  private readonly counts = new Map<string, number>();
  private readonly maxTasks: number;
  private readonly maxProplets: number;

  constructor(private readonly options: PropellerModelOptions) {
    this.maxTasks = options.maxTasks ?? 10_000;
    this.maxProplets = options.maxProplets ?? 5_000;
  }

  /** Splits `m/<domain>/c/<channel>/<suffix>`; undefined for topics outside Propeller's layout. */
  static splitTopic(topic: string): { domain: string; channel: string; suffix: string } | undefined {
    const m = TOPIC_RE.exec(topic);
    return m ? { domain: m[1] ?? '', channel: m[2] ?? '', suffix: m[3] ?? '' } : undefined;
  }

  decode(topic: string, payload: unknown, now: number): PropellerDecodeResult {
    const parts = PropellerModel.splitTopic(topic);
    if (!parts) return { ok: false, kind: 'propeller-topic', detail: `unexpected topic ${topic.slice(0, 200)}` };
    const { domain, channel, suffix } = parts;
    const parse = <T>(schema: z.ZodType<T>): T | PropellerDecodeResult => {
      const r = schema.safeParse(payload);
      if (r.success) return r.data;
      const issue = r.error.issues[0];
      return { ok: false, kind: `propeller-${suffix.replace(/\//g, '-')}`, detail: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
    };
    const failed = (v: unknown): v is PropellerDecodeResult => typeof v === 'object' && v !== null && 'ok' in v && (v as { ok: unknown }).ok === false;
    const events: MonitorEvent[] = [];
    switch (suffix) {
      case 'control/proplet/create': {
        const m = parse(discovery); if (failed(m)) return m;
        const md = m.metadata ?? {};
        const detail = [md.hostname, md.os && md.cpu_arch ? `${md.os}/${md.cpu_arch}` : md.os, md.wasm_runtime, md.proplet_version ? `v${md.proplet_version}` : undefined, md.environment, m.namespace ? `ns ${m.namespace}` : undefined]
          .filter((x): x is string => typeof x === 'string' && x.length > 0).join(' · ');
        this.touchProplet(events, m.proplet_id, domain, channel, now, { status: 'online', lastAlive: now, detail: detail || undefined, namespace: m.namespace ?? undefined });
        break;
      }
      case 'control/proplet/alive': {
        const m = parse(alive); if (failed(m)) return m;
        // Propeller's own manager ignores `status`; an `offline` last-will must mark the proplet offline.
        const offline = (m.status ?? 'alive').toLowerCase() === 'offline';
        this.touchProplet(events, m.proplet_id, domain, channel, now, offline
          ? { status: 'offline', currentTask: undefined }
          : { status: 'online', lastAlive: now, namespace: m.namespace ?? undefined });
        break;
      }
      case 'control/proplet/results':
      case 'control/proplet/invoke_results': {
        const m = parse(result); if (failed(m)) return m;
        const failedRun = typeof m.error === 'string' && m.error.length > 0;
        this.upsertTask(events, domain, channel, {
          id: m.task_id, status: failedRun ? 'Failed' : 'Completed', worker: m.proplet_id ?? undefined,
          finishedAt: now, error: failedRun ? m.error!.slice(0, 2_000) : undefined,
        }, now);
        this.keepRaw(m.task_id, 'results', m);
        if (m.proplet_id) {
          const p = this.proplets.get(m.proplet_id);
          if (p?.currentTask === m.task_id) this.touchProplet(events, m.proplet_id, domain, channel, now, { currentTask: undefined });
        }
        break;
      }
      case 'control/proplet/task_metrics':
      case 'metrics/proplet': {
        const m = parse(taskMetrics); if (failed(m)) return m;
        const at = toEpochMs(m.timestamp ?? m.metrics.timestamp, now);
        const labels: Record<string, string> = { task_id: m.task_id, ...(m.proplet_id ? { proplet_id: m.proplet_id } : {}) };
        const pm = m.metrics;
        // Marked as the task's own series: the store keeps them in a budget of their own, newest tasks first.
        const task = { queue: TASKS_QUEUE, id: m.task_id };
        this.samples(events, 'propeller_task_', labels, at, {
          cpu_percent: pm.cpu_percent ?? pm.cpu_usage_percent,
          memory_bytes: pm.memory_bytes ?? pm.memory_usage_bytes,
          memory_percent: pm.memory_percent ?? pm.memory_usage_percent,
          disk_read_bytes: pm.disk_read_bytes, disk_write_bytes: pm.disk_write_bytes,
          network_rx_bytes: pm.network_rx_bytes, network_tx_bytes: pm.network_tx_bytes,
          uptime_seconds: pm.uptime_seconds, thread_count: pm.thread_count, file_descriptor_count: pm.file_descriptor_count,
        }, task);
        if (m.aggregated) {
          const a = m.aggregated;
          this.samples(events, 'propeller_task_', labels, at, {
            avg_cpu_usage: a.avg_cpu_usage, max_cpu_usage: a.max_cpu_usage, avg_memory_usage: a.avg_memory_usage,
            max_memory_usage: a.max_memory_usage, total_disk_read: a.total_disk_read, total_disk_write: a.total_disk_write,
            total_network_rx: a.total_network_rx, total_network_tx: a.total_network_tx, sample_count: a.sample_count,
          }, task);
        }
        // Metrics of a task mean it runs, unless a result already ended it.
        const known = this.tasks.get(m.task_id);
        const usage: TaskUsage = { cpuPercent: finite(pm.cpu_percent ?? pm.cpu_usage_percent), memoryBytes: finite(pm.memory_bytes ?? pm.memory_usage_bytes), memoryPercent: finite(pm.memory_percent ?? pm.memory_usage_percent), at };
        if (!known || !FINAL_STATES.has(known.task.status)) {
          this.upsertTask(events, domain, channel, { id: m.task_id, status: 'Running', worker: m.proplet_id ?? known?.task.worker, startedAt: known?.task.startedAt ?? now, usage }, now);
        }
        // Kept as the parsed object (small, replaced on every sample) and printed only when someone opens it.
        const kept = this.tasks.get(m.task_id);
        if (kept) (kept.raw ??= {}).metrics = m;
        if (m.proplet_id) this.touchProplet(events, m.proplet_id, domain, channel, now, { currentTask: m.task_id });
        break;
      }
      case 'control/proplet/metrics': {
        const m = parse(propletMetrics); if (failed(m)) return m;
        const at = toEpochMs(m.timestamp, now);
        const labels = { proplet_id: m.proplet_id };
        const cpu = m.cpu_metrics ?? {};
        const mem = m.memory_metrics ?? {};
        this.samples(events, 'propeller_proplet_', labels, at, {
          cpu_percent: cpu.percent, cpu_user_seconds: cpu.user_seconds, cpu_system_seconds: cpu.system_seconds,
          memory_rss_bytes: mem.rss_bytes, memory_heap_alloc_bytes: mem.heap_alloc_bytes, memory_heap_sys_bytes: mem.heap_sys_bytes,
          memory_heap_inuse_bytes: mem.heap_inuse_bytes, memory_heap_free_bytes: mem.heap_free_bytes, memory_heap_max_alloc_bytes: mem.heap_max_alloc_bytes,
          memory_container_usage_bytes: mem.container_usage_bytes, memory_container_limit_bytes: mem.container_limit_bytes,
        });
        break;
      }
      case 'control/manager/start': {
        const m = parse(start); if (failed(m)) return m;
        this.upsertTask(events, domain, channel, { id: m.id, name: m.name ?? undefined, status: stateName(m.state), worker: m.proplet_id ?? undefined }, now);
        // The wasm binary (`file`, base64) can be megabytes and says nothing to a reader.
        this.keepRaw(m.id, 'start', { ...m, ...('file' in m ? { file: '(omitted)' } : {}) });
        break;
      }
      case 'control/manager/stop': {
        const m = parse(stop); if (failed(m)) return m;
        const known = this.tasks.get(m.id);
        if (!known || !FINAL_STATES.has(known.task.status)) {
          this.upsertTask(events, domain, channel, { id: m.id, status: 'Interrupted', worker: m.proplet_id ?? known?.task.worker, finishedAt: now }, now);
        }
        break;
      }
      case 'control/manager/invoke': {
        const m = parse(invoke); if (failed(m)) return m;
        this.upsertTask(events, domain, channel, { id: m.id, status: 'Running', worker: m.proplet_id ?? undefined }, now);
        break;
      }
      default:
        return { ok: true, events: [] }; // the caller keeps it as a generic event
    }
    return { ok: true, events };
  }

  /** Proplets whose last `alive` is older than the liveness timeout become `stale`. */
  checkLiveness(now: number): MonitorEvent[] {
    const events: MonitorEvent[] = [];
    for (const [pid, p] of this.proplets) {
      if (p.status === 'online' || p.status === 'busy') {
        if (p.lastAlive === undefined || now - p.lastAlive > this.options.livenessTimeoutMs) {
          this.touchProplet(events, pid, p.domain, p.channel, now, { status: 'stale' });
        }
      }
    }
    return events;
  }

  /** Where a task was last seen, for publishing a stop command to the right domain and channel. */
  taskLocation(taskId: string): { domain: string; channel: string; proplet?: string } | undefined {
    const t = this.tasks.get(taskId);
    return t ? { domain: t.domain, channel: t.channel, proplet: t.task.worker } : undefined;
  }

  /** What is known of one task for "Open Task JSON": the task plus the last raw start, results and metrics. */
  taskDetail(taskId: string): TaskDetail | undefined {
    const t = this.tasks.get(taskId);
    if (!t) return undefined;
    const values: Record<string, DetailValue> = {};
    const raw = t.raw ?? {};
    if (raw.start !== undefined) values['start'] = detailValue(raw.start);
    if (raw.results !== undefined) values['results'] = detailValue(raw.results);
    if (raw.metrics !== undefined) values['lastMetrics'] = detailValue(cut(JSON.stringify(raw.metrics) ?? ''));
    return { task: t.task, values };
  }

  private keepRaw(taskId: string, part: 'start' | 'results', message: unknown): void {
    const t = this.tasks.get(taskId);
    if (t) (t.raw ??= {})[part] = cut(JSON.stringify(message) ?? '');
  }

  get propletCount(): number { return this.proplets.size; }
  get taskCount(): number { return this.tasks.size; }

  private touchProplet(events: MonitorEvent[], pid: string, domain: string, channel: string, now: number, patch: Partial<PropletState>): void {
    let p = this.proplets.get(pid);
    if (!p) {
      if (this.proplets.size >= this.maxProplets) return;
      p = { status: 'online', domain, channel };
      this.proplets.set(pid, p);
    }
    Object.assign(p, patch, { domain, channel });
    const status: WorkerStatus = p.status === 'online' && p.currentTask ? 'busy' : p.status;
    events.push({
      type: 'worker.upsert',
      worker: {
        connectionId: this.options.connectionId, system: 'propeller', id: pid, status, lastSeen: p.lastAlive,
        queue: `m/${domain}/c/${channel}`, currentTask: p.currentTask, detail: p.detail, updatedAt: now,
      },
    });
  }

  private upsertTask(events: MonitorEvent[], domain: string, channel: string, patch: Partial<Task> & { id: string; status: string }, now: number): void {
    const existing = this.tasks.get(patch.id);
    const merged: Task = {
      ...(existing?.task ?? { connectionId: this.options.connectionId, system: 'propeller', createdAt: now, queue: TASKS_QUEUE }),
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      id: patch.id, status: patch.status, updatedAt: now,
    } as Task;
    if (existing) {
      this.bump(existing.task.status, -1);
      this.tasks.delete(patch.id);
    } else if (this.tasks.size >= this.maxTasks) {
      const oldest = this.tasks.entries().next().value as [string, TaskState];
      this.tasks.delete(oldest[0]);
      this.bump(oldest[1].task.status, -1);
    }
    this.tasks.set(patch.id, { task: merged, domain, channel, raw: existing?.raw });
    this.bump(merged.status, 1);
    events.push({ type: 'task.upsert', task: merged });
    const counts: Record<string, number> = {};
    for (const s of TASK_STATES) counts[s] = this.counts.get(s) ?? 0;
    for (const [s, n] of this.counts) if (!(s in counts)) counts[s] = n;
    events.push({ type: 'queue.upsert', queue: { connectionId: this.options.connectionId, system: 'propeller', name: TASKS_QUEUE, counts, updatedAt: now } });
  }

  private bump(state: string, delta: number): void {
    this.counts.set(state, (this.counts.get(state) ?? 0) + delta);
  }

  private samples(events: MonitorEvent[], prefix: string, labels: Record<string, string>, at: number, values: Record<string, number | null | undefined>, task?: { queue: string; id: string }): void {
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      events.push({ type: 'metric', sample: { connectionId: this.options.connectionId, system: 'propeller', name: `${prefix}${name}`, labels, timestamp: at, value, ...(task ? { task } : {}) } });
    }
  }
}

function cut(text: string): string {
  return text.length > KEPT_DETAIL_CHARS ? `${text.slice(0, KEPT_DETAIL_CHARS)}… [cut: ${text.length} chars]` : text;
}

function finite(n: number | null | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Numeric state → name; names accepted as sent; anything else is `Unknown(n)`. */
export function stateName(state: number | string | null | undefined): string {
  if (state === null || state === undefined) return 'Pending';
  if (typeof state === 'string') return state;
  return TASK_STATES[state] ?? `Unknown(${state})`;
}
