// rhailib over Redis, both key schemes (see rhailib-layout.ts): queues from the queue lists found by SCAN,
// counts by the scheme's own statuses, workers derived from the queue names with liveness from the age of
// their last task update, queue depth and processing rate as metric samples, and each task as a task.upsert.
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { Task, Worker } from '../../core/model/entities';
import { detailValue, type TaskDetail } from '../../core/model/task-detail';
import {
  classifyRhaiKey, countStatuses, isTerminal, parseRhaiRow, RHAI_MARKER_FIELDS, RHAI_ROW_FIELDS, RHAI_SCHEMES, rhaiKeyPatterns,
  rhaiMarker, type RhaiScheme, type RhaiTaskRow,
} from './rhailib-layout';
import { DEFAULT_POLL_INTERVAL_MS, defaultCreateClient, RedisPollingSource, type PollingOptions } from './redis-polling-source';
import { PollMarkerCache } from './poll-marker-cache';
import { clip, execPipeline, walkKeyspace } from './redis-values';

export interface RhailibSourceOptions extends PollingOptions {
  /** Most task hashes read per sync (the newest found by SCAN are not known in advance: SCAN order is arbitrary). */
  readonly maxTasks: number;
  /** Most queue lists of each scheme read per sync. */
  readonly maxQueues: number;
  /** Queue entries read per queue to place tasks whose hash names no worker. */
  readonly queuePeek: number;
  /** A worker with work waiting and no task update for this long is shown as stale. */
  readonly staleAfterMs: number;
  /** Window for the processing rate (tasks finished per minute). */
  readonly rateWindowMs: number;
}

const DEFAULTS: RhailibSourceOptions = {
  pollIntervalMs: DEFAULT_POLL_INTERVAL_MS, createClient: defaultCreateClient,
  maxTasks: 5_000, maxQueues: 10_000, queuePeek: 1_000, staleAfterMs: 60_000, rateWindowMs: 60_000,
};

interface QueueState {
  readonly name: string;
  readonly scheme: RhaiScheme;
  readonly worker?: string;
  depth: number;
  readonly rows: RhaiTaskRow[];
}

/** One task's validated row and the task last emitted for it (none yet when just read). */
interface RhaiRead {
  readonly row: RhaiTaskRow;
  readonly task?: Task;
}

export class RhailibSource extends RedisPollingSource {
  protected readonly clientName = 'taskscope:rhailib';
  private readonly opts: RhailibSourceOptions;
  private warnedPartial = false;
  /** Per task hash key: the row read under its marker fields (RHAI_MARKER_FIELDS) and the task emitted for it. */
  private readonly reads: PollMarkerCache<RhaiRead>;

  constructor(profile: ConnectionProfile, options: Partial<RhailibSourceOptions> = {}) {
    const opts = { ...DEFAULTS, ...options };
    super(profile, opts);
    this.opts = opts;
    this.reads = new PollMarkerCache(opts.maxTasks);
  }

  protected override forgetReads(): void { this.reads.clear(); }

  protected async sync(): Promise<void> {
    const client = this.requireClient();
    const taskKeys: { scheme: RhaiScheme; id: string; key: string }[] = [];
    const queues = new Map<string, QueueState>();
    let partial = false;
    // One SCAN walk for both schemes' hashes and lists.
    const walk = await walkKeyspace(client, rhaiKeyPatterns(this.opts.maxTasks, this.opts.maxQueues));
    for (const scan of Object.values(walk)) {
      partial ||= scan.partial;
      for (const key of scan.keys) {
        const k = classifyRhaiKey(key);
        if (k?.kind === 'task') {
          if (taskKeys.length < this.opts.maxTasks) taskKeys.push({ scheme: k.scheme, id: k.id, key });
          else partial = true;
        } else if (k?.kind === 'queue') {
          queues.set(key, { name: key, scheme: k.scheme, worker: k.worker, depth: 0, rows: [] });
        }
      }
    }
    if (partial && !this.warnedPartial) {
      this.warnedPartial = true;
      this.ctx?.log.info(`[${this.profile.id}] more than ${this.opts.maxTasks} rhailib tasks: counts cover the first ${this.opts.maxTasks} found`);
    }

    // One round trip: depth and the head of every queue, and the marker fields of every task hash.
    const pipeline = client.pipeline();
    const queueList = [...queues.values()];
    for (const q of queueList) pipeline.llen(q.name).lrange(q.name, 0, this.opts.queuePeek - 1);
    for (const t of taskKeys) pipeline.hmget(t.key, ...RHAI_MARKER_FIELDS);
    const replies = await execPipeline(pipeline);

    const queuedIn = new Map<string, string>(); // task id → queue that holds it
    queueList.forEach((q, i) => {
      const [lenErr, len] = replies[2 * i] ?? [null, 0];
      const [rangeErr, range] = replies[2 * i + 1] ?? [null, []];
      if (lenErr || rangeErr) {
        this.reject('rhailib-key-type', `${q.name}: ${(lenErr ?? rangeErr)!.message}`);
        queues.delete(q.name);
        return;
      }
      q.depth = Number(len) || 0;
      for (const id of range as string[]) if (!queuedIn.has(id)) queuedIn.set(id, q.name);
    });

    // Rows whose marker is unchanged come from the cache; the others are read in full in a second round trip.
    const base = 2 * queueList.length;
    const rows: (RhaiRead | undefined)[] = new Array<RhaiRead | undefined>(taskKeys.length);
    const markers: (string | undefined)[] = new Array<string | undefined>(taskKeys.length);
    const reread: number[] = [];
    this.reads.beginPoll();
    taskKeys.forEach((t, i) => {
      const [err, values] = replies[base + i] ?? [null, null];
      if (err) return this.reject('rhailib-key-type', `${t.key}: ${err.message}`);
      const marker = rhaiMarker(values as (string | null)[]);
      markers[i] = marker;
      const cached = marker === undefined ? undefined : this.reads.hit(t.key, marker);
      if (cached) rows[i] = cached;
      else reread.push(i);
    });
    const full = reread.length > 0 ? await execPipeline(reread.reduce((p, i) => p.hmget(taskKeys[i]!.key, ...RHAI_ROW_FIELDS), client.pipeline())) : [];
    reread.forEach((i, j) => {
      const t = taskKeys[i]!;
      const [err, values] = full[j] ?? [null, null];
      if (err) return this.reject('rhailib-key-type', `${t.key}: ${err.message}`);
      // A hash deleted since its marker was read has none of the fields: rejected like any hash without them.
      const parsed = parseRhaiRow(t.scheme, t.id, values as (string | null)[]);
      if (!parsed.ok) return this.reject('rhailib-task', `${t.key}: ${parsed.problem}`);
      rows[i] = { row: parsed.row };
    });

    const at = this.now();
    const tasks: Task[] = [];
    taskKeys.forEach((t, i) => {
      const read = rows[i];
      if (!read) return;
      const row = read.row;
      const queueName = row.worker ? (read.task?.queue ?? `${t.scheme.queuePrefix}${row.worker}`) : (queuedIn.get(t.id) ?? t.scheme.unassignedQueue);
      let q = queues.get(queueName);
      if (!q) {
        // The record names a worker whose queue list is empty (Redis deletes empty lists) or gone.
        const worker = queueName.slice(t.scheme.queuePrefix.length);
        q = { name: queueName, scheme: t.scheme, worker: queueName === t.scheme.unassignedQueue ? undefined : worker, depth: 0, rows: [] };
        queues.set(queueName, q);
      }
      q.rows.push(row);
      // Emitted when read anew, or when an unchanged row moved (a task without a worker placed by the queue lists).
      if (read.task !== undefined && read.task.queue === queueName) return;
      const task: Task = {
        connectionId: this.profile.id, system: 'rhailib', id: t.id, queue: queueName, status: row.status,
        worker: row.status === t.scheme.initial ? undefined : q.worker,
        name: row.caller ? `from ${clip(row.caller, 16)}` : undefined,
        createdAt: row.createdAt,
        finishedAt: isTerminal(row) ? row.updatedAt : undefined,
        attempts: row.retries, error: row.error ? clip(row.error, 500) : undefined,
        updatedAt: row.updatedAt ?? row.createdAt ?? at,
      };
      tasks.push(task);
      const marker = markers[i];
      if (marker !== undefined) this.reads.remember(t.key, marker, { row, task });
    });
    this.reads.endPoll();

    for (const q of queues.values()) {
      this.emit({ type: 'queue.upsert', queue: { connectionId: this.profile.id, system: 'rhailib', name: q.name, counts: countStatuses(q.scheme, q.rows), updatedAt: at } });
      const labels = { queue: q.name };
      this.emit({ type: 'metric', sample: { connectionId: this.profile.id, system: 'rhailib', name: 'rhailib_queue_depth', labels, timestamp: at, value: q.depth } });
      const finishedRecently = q.rows.filter((r) => isTerminal(r) && r.updatedAt !== undefined && at - r.updatedAt <= this.opts.rateWindowMs).length;
      this.emit({ type: 'metric', sample: { connectionId: this.profile.id, system: 'rhailib', name: 'rhailib_processed_per_minute', labels, timestamp: at, value: finishedRecently * 60_000 / this.opts.rateWindowMs } });
    }
    for (const task of tasks) this.emit({ type: 'task.upsert', task });

    const workers = [...queues.values()].filter((q) => q.worker !== undefined).map((q) => this.workerOf(q, at));
    for (const worker of workers) this.emit({ type: 'worker.upsert', worker });
    this.retire('queue', queues.keys());
    this.retire('worker', workers.map((w) => w.id));
  }

  /** rhailib workers keep no heartbeat: liveness comes from what their queue and tasks show. */
  private workerOf(q: QueueState, at: number): Worker {
    const running = q.rows.filter((r) => r.status === q.scheme.running);
    const touched = q.rows.filter((r) => r.status !== q.scheme.initial).map((r) => r.updatedAt ?? 0);
    const lastSeen = touched.length > 0 ? Math.max(...touched) || undefined : undefined;
    const waiting = q.depth;
    let status: Worker['status'];
    let detail: string;
    if (running.length > 0) {
      status = 'busy';
      detail = `${running.length} ${q.scheme.running}, ${waiting} waiting in ${q.name}`;
    } else if (waiting > 0 && (lastSeen === undefined || at - lastSeen > this.opts.staleAfterMs)) {
      status = 'stale';
      detail = `${waiting} waiting in ${q.name} and no task picked up ${lastSeen === undefined ? 'yet' : `for ${Math.round((at - lastSeen) / 1000)} s`}`;
    } else if (lastSeen !== undefined && at - lastSeen <= this.opts.staleAfterMs) {
      status = 'online';
      detail = `last task update ${Math.round((at - lastSeen) / 1000)} s ago`;
    } else {
      status = 'idle';
      detail = 'queue empty, no recent task';
    }
    const id = q.scheme.id === 'hero' ? `hero:${q.worker}` : q.worker!;
    return {
      connectionId: this.profile.id, system: 'rhailib', id, queue: q.name, status, lastSeen,
      currentTask: running[0]?.id, detail: `${q.scheme.id === 'hero' ? 'Hero dispatcher worker' : 'rhailib circle worker'} · ${detail}`, updatedAt: at,
    };
  }

  /** The full hash of one task (script, output, error, dependencies…), values cut to `maxValueBytes`. */
  async taskDetail(ref: { readonly queue?: string; readonly id: string }, maxValueBytes: number): Promise<TaskDetail | undefined> {
    const client = this.requireClient();
    const schemes = Object.values(RHAI_SCHEMES).sort((a) => (ref.queue?.startsWith(a.queuePrefix) ? -1 : 1));
    for (const scheme of schemes) {
      const key = `${scheme.taskPrefix}${ref.id}`;
      const type = await client.type(key);
      if (type === 'none') continue;
      if (type !== 'hash') {
        this.reject('rhailib-key-type', `${key}: a ${type}, expected a hash`);
        return undefined;
      }
      const hash = await client.hgetall(key);
      const parsed = parseRhaiRow(scheme, ref.id, RHAI_ROW_FIELDS.map((f) => hash[f] ?? null));
      if (!parsed.ok) {
        this.reject('rhailib-task', `${key}: ${parsed.problem}`);
        return undefined;
      }
      const row = parsed.row;
      const queue = row.worker ? `${scheme.queuePrefix}${row.worker}` : ref.queue;
      const values: Record<string, ReturnType<typeof detailValue>> = {};
      // Display order: what ran, what came out, then everything else the hash holds.
      for (const field of ['script', 'output', 'result', 'error', 'env_vars', 'prerequisites', 'dependents', 'dependencies']) {
        if (hash[field] !== undefined) values[field] = detailValue(hash[field], maxValueBytes);
      }
      const rest = Object.fromEntries(Object.entries(hash).filter(([k]) => !(k in values)));
      values['fields'] = detailValue(JSON.stringify(rest), maxValueBytes);
      const history = [
        ...(row.createdAt !== undefined ? [{ status: scheme.initial, at: row.createdAt }] : []),
        ...(row.updatedAt !== undefined && row.status !== scheme.initial ? [{ status: row.status, at: row.updatedAt }] : []),
      ];
      return {
        task: {
          connectionId: this.profile.id, system: 'rhailib', id: ref.id, queue, status: row.status, worker: row.worker,
          createdAt: row.createdAt, attempts: row.retries, error: row.error, updatedAt: row.updatedAt ?? row.createdAt ?? this.now(),
        },
        values, history,
      };
    }
    return undefined;
  }
}
