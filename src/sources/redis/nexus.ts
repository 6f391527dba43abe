// Nexus Agents over Redis (shared/reference/protocols.md §2): live events from pub/sub (`nexus:events`,
// `nexus:events:stats`, `nexus:events:project:*`; names overridable like the system's env vars), de-duplicated
// by event_id, plus its Redis state read while visible: the priority lists `nexus:tasks:*` (full Task JSON),
// `nexus:task:{id}:status|data|result|error`, task groups `nexus:task_group:{parent}` and worker liveness from
// `nexus:worker:heartbeat:{id}` (SET "active" EX 30 on every heartbeat).
import type Redis from 'ioredis';
import { z } from 'zod';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { Task, Worker } from '../../core/model/entities';
import { detailValue, type DetailValue, type TaskDetail } from '../../core/model/task-detail';
import type { KeyPattern } from '../../core/redis/key-walk';
import type { SourceContext } from '../../core/source/source';
import { NEXUS_PRIORITY_QUEUES, NEXUS_TASK_STATUSES, PRIORITY_QUEUE } from '../nexus/nexus-events';
import { joinNexusDeployment, nexusDeploymentDedup, nexusDeploymentName, type NexusDeploymentMembership } from '../nexus/nexus-deployment';
import type { NexusEvent, NexusParse } from '../nexus/nexus-events';
import { leadingIdFingerprint, NexusFrameScanner, RECORD_EVENT_TYPE, SCAN_RECORD_INTS } from '../nexus/nexus-frame-scan';
import { NexusEventMapper } from '../nexus/nexus-mapper';
import { LatestEventBuffer } from '../latest-event-buffer';
import { redisTopologyOptions } from '../../core/config/redis-options';
import { escapeGlob, connectWatched } from './redis-client';
import { PollMarkerCache } from './poll-marker-cache';
import { ReaderThreadError, ThreadedSubscriber } from './pubsub-thread';
import { DEFAULT_POLL_INTERVAL_MS, defaultCreateClient, RedisPollingSource, type PollingOptions } from './redis-polling-source';
import { clip, execPipeline, parseJson, parseTimestamp, walkKeyspace, type PipelineReply } from './redis-values';

export interface NexusSourceOptions extends PollingOptions {
  readonly maxTasks: number;
  /** Entries read from the head of each priority list. */
  readonly queuePeek: number;
  readonly maxGroups: number;
  /** MONITORING_HEARTBEAT_TTL_SEC: how long a heartbeat key lives, to date the last heartbeat from its TTL. */
  readonly heartbeatTtlSec: number;
  /**
   * Events read by a worker thread (pubsub-thread.ts) rather than on the host's thread. Default: yes, except for a
   * Redis Cluster (whose subscriber socket cannot be paused for backpressure) and an injected client factory.
   */
  readonly subscriberThread?: boolean;
}

const DEFAULTS: NexusSourceOptions = {
  pollIntervalMs: DEFAULT_POLL_INTERVAL_MS, createClient: defaultCreateClient,
  maxTasks: 2_000, queuePeek: 500, maxGroups: 200, heartbeatTtlSec: 30,
};

/** The Task JSON of the coordinator (list elements and `nexus:task:{id}:data`). */
const taskSchema = z.looseObject({
  id: z.string().min(1).max(512),
  type: z.string().max(200).nullish(),
  priority: z.number().int().nullish(),
  status: z.string().max(64).nullish(),
  created_at: z.union([z.string(), z.number()]).nullish(),
  started_at: z.union([z.string(), z.number()]).nullish(),
  completed_at: z.union([z.string(), z.number()]).nullish(),
  error: z.string().nullish(),
  retry_count: z.number().int().nullish(),
  parent_task_id: z.string().max(512).nullish(),
});
type NexusTask = z.infer<typeof taskSchema>;

/** What a poll keeps of one task's status and data: the task emitted, and the queue its data's priority names. */
interface NexusRead {
  readonly task: Task;
  readonly priorityQueue: string | undefined;
}

export class NexusRedisSource extends RedisPollingSource {
  protected readonly clientName = 'taskscope:nexus';
  private readonly opts: NexusSourceOptions;
  private readonly channels: { events: string; stats: string; projectPrefix: string };
  /** The event subscription: on the host's thread, or read by a worker thread (`subscriberThread`). */
  private subscriber: Redis | undefined;
  private threadedSubscriber: ThreadedSubscriber | undefined;
  private mapper: NexusEventMapper | undefined;
  /** Pushed events are aggregated per entity and applied once per tick, as on the WebSocket sources. */
  private buffer: LatestEventBuffer | undefined;
  /** With the profile option `nexusDeployment`: shared de-dup and one owner of the entities (nexus-deployment.ts). */
  private deployment: NexusDeploymentMembership | undefined;
  private readonly knownWorkers = new Map<string, number | undefined>();
  /** Per task id: the task emitted for its status and data, kept under its marker (see `marker`). */
  private readonly reads: PollMarkerCache<NexusRead>;
  private warnedNoExpireTime = false;
  /** Messages read on the host's thread are scanned here, one at a time, into one record. */
  private readonly hostScanner = new NexusFrameScanner();
  private readonly hostRecord = new Int32Array(SCAN_RECORD_INTS);
  private readonly hostLeadingId = new Int32Array(2);

  constructor(profile: ConnectionProfile, options: Partial<NexusSourceOptions> = {}) {
    const opts = { ...DEFAULTS, ...options };
    super(profile, opts);
    this.opts = opts;
    this.reads = new PollMarkerCache(opts.maxTasks);
    const o = profile.options;
    const text = (v: unknown, d: string) => (typeof v === 'string' && v.length > 0 ? v : d);
    this.channels = {
      events: text(o['eventsChannel'], 'nexus:events'),
      stats: text(o['statsChannel'], 'nexus:events:stats'),
      projectPrefix: text(o['projectChannelPrefix'], 'nexus:events:project:'),
    };
  }

  /** Events seen twice and dropped (the global and the project/stats copy of one event). */
  get duplicatesDropped(): number { return (this.mapper?.dedup.duplicates ?? 0) + (this.threadedSubscriber?.copies ?? 0); }

  protected override async afterConnect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    // Queue rows come from the lists (TaskStatus counts) in sync(); stats events add only the depth metric.
    const deployment = nexusDeploymentName(this.profile.options);
    this.mapper = new NexusEventMapper({
      connectionId: this.profile.id, system: 'nexus', now: () => ctx.now(), queuesFromStats: false,
      dedup: deployment === undefined ? undefined : nexusDeploymentDedup(deployment),
    });
    this.buffer = new LatestEventBuffer((event, key) => ctx.emit(event, key));
    if (deployment !== undefined) this.deployment = joinNexusDeployment(deployment, { connectionId: this.profile.id, rank: 0, deliver: (e, text) => this.deliver(e, text) });
    const connectionName = 'taskscope:nexus-events';
    const channels = [this.channels.events, this.channels.stats];
    const patterns = [`${escapeGlob(this.channels.projectPrefix)}*`];
    const useThread = this.opts.subscriberThread ?? (this.options.createClient === defaultCreateClient && redisTopologyOptions(this.profile.options).cluster === undefined);
    if (useThread) {
      try {
        this.threadedSubscriber = await ThreadedSubscriber.start(this.profile, {
          connectionName, channels, patterns, copies: 'leading-event-id', scan: 'nexus-event',
        }, {
          onMessage: (text) => this.ingest(text),
          onScannedMessage: (bytes, start, end, records, at) => this.ingestScanned(bytes, start, end, records, at),
          onLost,
        });
        return;
      } catch (error) {
        // A thread that cannot run (not a Redis failure, which is reported as usual) costs speed, not events.
        if (!(error instanceof ReaderThreadError)) throw error;
        ctx.log.warn(`[${this.profile.id}] Nexus events are read on the extension host's thread: ${error.message}`);
      }
    }
    const sub = this.options.createClient(this.profile, connectionName);
    this.subscriber = sub;
    const established = await connectWatched(sub, { onLost, closedMessage: 'Nexus event subscription closed' });
    // As bytes: neither the channel name nor a repeat is decoded.
    sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.ingestBytes(message));
    sub.on('pmessageBuffer', (_pattern: string, _channel: Buffer, message: Buffer) => this.ingestBytes(message));
    await sub.subscribe(...channels);
    await sub.psubscribe(...patterns);
    established();
  }

  protected override async beforeDisconnect(): Promise<void> {
    // The subscription first, so that nothing arrives after the last flush.
    const threaded = this.threadedSubscriber;
    this.threadedSubscriber = undefined;
    await threaded?.close();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) {
      sub.removeAllListeners('end');
      sub.disconnect();
    }
    this.deployment?.leave();
    this.deployment = undefined;
    this.buffer?.flush();
    this.buffer = undefined;
  }

  /**
   * One pub/sub message as received on the host's thread: a repeat recognized by its leading event_id is counted and
   * dropped undecoded; the rest are scanned here (nexus-frame-scan.ts), as the reader thread scans its messages.
   */
  ingestBytes(message: Buffer): void {
    const mapper = this.mapper;
    if (!mapper) return;
    const id = this.hostLeadingId;
    if (leadingIdFingerprint(message, 0, message.length, id, 0) && mapper.dedup.repeatFingerprint(id[0]!, id[1]!)) return;
    if (this.hostScanner.scan(message, 0, message.length, this.hostRecord, 0)) this.hostScanner.readEventTime(message, 0, this.hostRecord, 0);
    this.ingestScanned(message, 0, message.length, this.hostRecord, 0);
  }

  /**
   * One pub/sub message, `bytes[start, end)`, with its scan record: the event built from it (or the message parsed in
   * full when the record says so), de-duplicated, mapped. Never throws. Its leading event_id was looked up already (by
   * `ingestBytes`, or by the reader thread among the messages just before it).
   */
  ingestScanned(bytes: Buffer, start: number, end: number, records: Int32Array, at: number): void {
    const mapper = this.mapper;
    if (!mapper) return;
    const parsed = mapper.parseScanned(bytes, start, end, records, at);
    // The text is the payload preview of an event type the mapper has no shape for; others are not decoded.
    if (parsed.kind === 'event') this.handleParsed(parsed, records[at + RECORD_EVENT_TYPE]! >= 0 ? undefined : bytes.toString('utf8', start, end));
    else this.handleParsed(parsed, undefined);
  }

  /** One pub/sub message's text (a reader that does not scan): validated, de-duplicated, mapped. Never throws. */
  ingest(message: string): void {
    const mapper = this.mapper;
    if (!mapper) return;
    this.handleParsed(mapper.parse(message, false), message);
  }

  private handleParsed(parsed: NexusParse, text: string | undefined): void {
    if (parsed.kind === 'invalid') return this.reject(parsed.reject, parsed.problem);
    if (parsed.kind !== 'event') return;
    if (!this.deployment?.route(parsed.event, text)) this.deliver(parsed.event, text);
  }

  private deliver(event: NexusEvent, text: string | undefined): void {
    const mapper = this.mapper;
    if (!mapper) return;
    if (this.buffer) mapper.accept(event, text, this.buffer);
    else for (const e of mapper.map(event, text)) this.emit(e);
  }

  protected async sync(): Promise<void> {
    const client = this.requireClient();
    const mapper = this.mapper!;
    const at = this.now();
    const lists = NEXUS_PRIORITY_QUEUES.map((q) => ({ queue: q as string, key: `nexus:tasks:${q}` }));
    // One SCAN walk for the three kinds of keys a read starts from.
    const { statusScan, groupScan, hbScan } = await walkKeyspace(client, nexusKeyPatterns(this.opts.maxTasks, this.opts.maxGroups));
    const taskIds = statusScan.keys.map((k) => k.slice('nexus:task:'.length, -':status'.length)).filter(Boolean);

    const p = client.pipeline();
    for (const l of lists) p.llen(l.key).lrange(l.key, 0, this.opts.queuePeek - 1);
    for (const id of taskIds) p.get(`nexus:task:${id}:status`).pexpiretime(`nexus:task:${id}:data`);
    for (const key of groupScan.keys) p.smembers(key).hget(`nexus:task_meta:${key.slice('nexus:task_group:'.length)}`, 'project_id');
    for (const key of hbScan.keys) p.get(key).ttl(key);
    const r = await execPipeline(p);
    let i = 0;

    // `built`: the task already made for a status key read this poll; `unchanged`: nothing to emit for it.
    const statusById = new Map<string, { status: string; queue?: string; task?: NexusTask; built?: Task; unchanged?: true }>();
    const depth = new Map<string, number>();
    for (const l of lists) {
      const len = this.value(r[i++], l.key);
      const range = this.value(r[i++], l.key);
      depth.set(l.queue, Number(len) || 0);
      let read = 0;
      for (const item of Array.isArray(range) ? (range as string[]) : []) {
        const t = this.parseTask(item, l.key);
        read++;
        if (!t) continue;
        if (mapper.rememberQueue(t.id, l.queue)) this.emit({ type: 'task.removed', connectionId: this.profile.id, id: t.id, at });
        statusById.set(t.id, { status: t.status ?? 'pending', queue: l.queue, task: t });
      }
      // Beyond the peeked head, everything still in the list waits.
      depth.set(`${l.queue}:unread`, Math.max(0, (Number(len) || 0) - read));
    }
    // Each task's status and data expiry time (its marker); the data of new tasks and of changed ones is read below.
    this.reads.beginPoll();
    const changed: { id: string; status: string; marker: string | undefined }[] = [];
    for (const id of taskIds) {
      const statusKey = `nexus:task:${id}:status`;
      const status = this.value(r[i++], statusKey);
      const marker = this.marker(status, r[i++]);
      if (typeof status !== 'string') continue; // expired between SCAN and GET
      const cached = marker === undefined ? undefined : this.reads.hit(id, marker);
      if (!cached) { changed.push({ id, status, marker }); continue; }
      const queue = cached.priorityQueue ?? mapper.queueOf(id);
      if (queue && mapper.rememberQueue(id, queue)) this.emit({ type: 'task.removed', connectionId: this.profile.id, id, at });
      if (queue === cached.task.queue) {
        statusById.set(id, { status: cached.task.status, queue, unchanged: true });
      } else {
        // A task without data placed in a queue by a later event: the same task in its queue.
        const built = { ...cached.task, queue };
        this.reads.remember(id, marker!, { ...cached, task: built });
        statusById.set(id, { status: built.status, queue, built });
      }
    }
    const data = changed.length > 0 ? await execPipeline(changed.reduce((pp, c) => pp.get(`nexus:task:${c.id}:data`), client.pipeline())) : [];
    changed.forEach(({ id, status, marker }, j) => {
      const dataKey = `nexus:task:${id}:data`;
      const reply = data[j];
      const text = this.value(reply, dataKey);
      const t = typeof text === 'string' ? this.parseTask(text, dataKey) : undefined;
      const priorityQueue = t?.priority !== undefined && t?.priority !== null ? PRIORITY_QUEUE[t.priority] : undefined;
      const queue = priorityQueue ?? mapper.queueOf(id);
      if (queue && mapper.rememberQueue(id, queue)) this.emit({ type: 'task.removed', connectionId: this.profile.id, id, at });
      const task = this.task(id, clip(status, 64), queue, t, at);
      statusById.set(id, { status: task.status, queue, built: task });
      // Data that could not be read or validated is not kept: it is read (and rejected) again next poll, as before.
      const unreadable = reply?.[0] || (typeof text === 'string' && t === undefined);
      if (marker !== undefined && !unreadable) this.reads.remember(id, marker, { task, priorityQueue });
    });
    this.reads.endPoll();
    const groups = groupScan.keys.map((key) => {
      const parent = key.slice('nexus:task_group:'.length);
      const members = this.value(r[i++], key);
      // protocols.md: "hash or cache holding project_id"; a non-hash is not an error, it just names no project.
      const project = r[i++]?.[1];
      return { parent, members, project: typeof project === 'string' ? project : undefined };
    });
    const heartbeats = hbScan.keys.map((key) => ({ id: key.slice('nexus:worker:heartbeat:'.length), value: this.value(r[i++], key), ttl: this.value(r[i++], key) }));

    // Queues: counts by TaskStatus over every task known to be in (or from) each priority list.
    const counts = new Map<string, Record<string, number>>();
    for (const q of NEXUS_PRIORITY_QUEUES) counts.set(q, Object.fromEntries(NEXUS_TASK_STATUSES.map((s) => [s, 0])));
    for (const { status, queue } of statusById.values()) {
      const c = counts.get(queue ?? 'unknown_priority') ?? {};
      counts.set(queue ?? 'unknown_priority', c);
      c[status] = (c[status] ?? 0) + 1;
    }
    for (const q of NEXUS_PRIORITY_QUEUES) {
      const c = counts.get(q)!;
      c['pending'] = (c['pending'] ?? 0) + (depth.get(`${q}:unread`) ?? 0);
      this.emit({ type: 'metric', sample: { connectionId: this.profile.id, system: 'nexus', name: 'nexus_queue_depth', labels: { queue: q }, timestamp: at, value: depth.get(q) ?? 0 } });
    }
    for (const [name, c] of counts) this.emit({ type: 'queue.upsert', queue: { connectionId: this.profile.id, system: 'nexus', name, counts: c, updatedAt: at } });
    this.retire('queue', counts.keys());

    for (const [id, s] of statusById) {
      if (!s.unchanged) this.emit({ type: 'task.upsert', task: s.built ?? this.task(id, s.status, s.queue, s.task, at) });
    }

    for (const g of groups) {
      if (!Array.isArray(g.members)) continue;
      const members = g.members as string[];
      const missing = members.filter((m) => !statusById.has(m));
      const extra = missing.length > 0 ? await execPipeline(missing.reduce((pp, m) => pp.get(`nexus:task:${m}:status`), client.pipeline())) : [];
      const statusOf = (m: string) => statusById.get(m)?.status ?? (extra[missing.indexOf(m)]?.[1] as string | null | undefined) ?? undefined;
      const statuses = members.map(statusOf);
      const failed = statuses.filter((s) => s === 'failed').length;
      const done = statuses.filter((s) => s === 'completed').length + failed;
      this.emit({ type: 'workflow.upsert', workflow: mapper.groupProgress(g.parent, done, members.length, failed, at, g.project) });
    }

    const seen = new Set<string>();
    for (const hb of heartbeats) {
      if (typeof hb.value !== 'string') continue;
      const ttl = Number(hb.ttl);
      const lastSeen = ttl > 0 && ttl <= this.opts.heartbeatTtlSec ? at - (this.opts.heartbeatTtlSec - ttl) * 1000 : undefined;
      seen.add(hb.id);
      this.knownWorkers.set(hb.id, lastSeen);
      const current = mapper.currentTask(hb.id);
      this.emit({ type: 'worker.upsert', worker: this.worker(hb.id, current ? 'busy' : 'online', lastSeen, current, `heartbeat key "${clip(hb.value, 20)}"${ttl > 0 ? `, expires in ${ttl} s` : ''}`, at) });
    }
    // A heartbeat key that expired means the worker stopped beating: offline, not forgotten.
    for (const [id, lastSeen] of this.knownWorkers) {
      if (!seen.has(id)) this.emit({ type: 'worker.upsert', worker: this.worker(id, 'offline', lastSeen, undefined, 'heartbeat key expired', at) });
    }
  }

  protected override forgetReads(): void { this.reads.clear(); }

  /**
   * A task's marker: its status and the absolute expiry time of its `:data` key. The coordinator writes status and
   * data as two SETs, each with EX (protocols.md §2), so every write of the data moves its expiry, even one that
   * keeps the status (e.g. the data SET landing just after a poll read the new status): the status alone would miss
   * that. Accepted: a data key written without a TTL (expiry -1) or with KEEPTTL is re-read only when the status
   * changes. Redis before 7.0 has no PEXPIRETIME: no marker then, and every task is read in full as before.
   */
  private marker(status: unknown, expireTime: PipelineReply | undefined): string | undefined {
    if (typeof status !== 'string' || !expireTime) return undefined;
    const [err, at] = expireTime;
    if (err) {
      if (!this.warnedNoExpireTime) {
        this.warnedNoExpireTime = true;
        this.ctx?.log.info(`[${this.profile.id}] PEXPIRETIME failed (${err.message}; Redis before 7.0?): every Nexus task is read in full on each poll`);
      }
      return undefined;
    }
    return `${status}\u0000${String(at)}`;
  }

  private worker(id: string, status: Worker['status'], lastSeen: number | undefined, currentTask: string | undefined, detail: string, at: number): Worker {
    return { connectionId: this.profile.id, system: 'nexus', id, status, lastSeen, currentTask, detail, updatedAt: at };
  }

  private task(id: string, status: string, queue: string | undefined, t: NexusTask | undefined, at: number): Task {
    return {
      connectionId: this.profile.id, system: 'nexus', id, queue, status, name: t?.type ?? undefined,
      parentId: t?.parent_task_id ?? undefined, workflowId: t?.parent_task_id ?? undefined,
      createdAt: parseTimestamp(t?.created_at), startedAt: parseTimestamp(t?.started_at), finishedAt: parseTimestamp(t?.completed_at),
      attempts: t?.retry_count ?? undefined, error: t?.error ? clip(t.error, 500) : undefined,
      updatedAt: parseTimestamp(t?.completed_at) ?? parseTimestamp(t?.started_at) ?? parseTimestamp(t?.created_at) ?? at,
    };
  }

  private parseTask(text: string, key: string): NexusTask | undefined {
    const j = parseJson(text);
    if (!j.ok) { this.reject('nexus-task', `${key}: not JSON: ${clip(text, 60)}`); return undefined; }
    const t = taskSchema.safeParse(j.value);
    if (!t.success) { this.reject('nexus-task', `${key}: ${t.error.issues.map((x) => `${x.path.join('.') || 'task'}: ${x.message}`).join('; ')}`); return undefined; }
    return t.data;
  }

  private value(reply: PipelineReply | undefined, key: string): unknown {
    if (!reply) return undefined;
    if (reply[0]) { this.reject('nexus-key-type', `${key}: ${reply[0].message}`); return undefined; }
    return reply[1] ?? undefined;
  }

  async taskDetail(ref: { readonly queue?: string; readonly id: string }, maxValueBytes: number): Promise<TaskDetail | undefined> {
    const client = this.requireClient();
    const k = (s: string) => `nexus:task:${ref.id}:${s}`;
    const r = await execPipeline(client.pipeline().get(k('status')).get(k('data')).get(k('result')).get(k('error')));
    const [status, data, result, error] = ['status', 'data', 'result', 'error'].map((s, i) => this.value(r[i], k(s)));
    if (typeof status !== 'string' && typeof data !== 'string') return undefined;
    const t = typeof data === 'string' ? this.parseTask(data, k('data')) : undefined;
    const values: Record<string, DetailValue> = {};
    if (typeof data === 'string') values['data'] = detailValue(data, maxValueBytes);
    if (typeof result === 'string') values['result'] = detailValue(result, maxValueBytes);
    if (typeof error === 'string') values['error'] = detailValue(error, maxValueBytes);
    const queue = ref.queue ?? this.mapper?.queueOf(ref.id);
    return {
      task: this.task(ref.id, typeof status === 'string' ? status : (t?.status ?? 'unknown'), queue, t, this.now()), values,
      ...(t?.parent_task_id ? { parent: { connectionId: this.profile.id, id: t.parent_task_id } } : {}),
    };
  }
}

/** The key patterns one read walks for (in one SCAN walk), each capped on its own. */
export function nexusKeyPatterns(maxTasks: number, maxGroups: number): { readonly [P in 'statusScan' | 'groupScan' | 'hbScan']: KeyPattern } {
  return {
    statusScan: { pattern: 'nexus:task:*:status', maxKeys: maxTasks },
    groupScan: { pattern: 'nexus:task_group:*', maxKeys: maxGroups },
    hbScan: { pattern: 'nexus:worker:heartbeat:*', maxKeys: 1_000 },
  };
}
