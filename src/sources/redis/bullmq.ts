// BullMQ over Redis: discovers queues with SCAN (never KEYS), reads counts for every state of every queue in
// one round trip (a read-only Lua script per 100 queues, pipelined), lists workers from CLIENT LIST, follows the events streams on one connection
// (bullmq-events.ts), pages jobs and loads one job on demand (bullmq-jobs.ts), reads flows (bullmq-flows.ts).
// Reads only here; actions go through the `bullmq` package of the queue's major (bullmq-actions.ts).
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { masterForKey } from './redis-cluster';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { Queue } from '../../core/model/entities';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import type { TaskDetail } from '../../core/model/task-detail';
import type { SchedulerList, TaskLogPage, TaskLogRequest, TaskPage, TaskPageRequest, TaskSearchHit, TaskSearchRequest, TaskSearchSummary } from '../../core/source/task-query';
import { BullmqActionRunner, BULLMQ_ACTIONS } from './bullmq-actions';
import { BullmqEventsReader, type StreamEvent } from './bullmq-events';
import { BullmqFlowReader } from './bullmq-flows';
import { BullmqJobReader } from './bullmq-jobs';
import { BullmqMetricsReader } from './bullmq-metrics';
import { BullmqSchedulerReader } from './bullmq-schedulers';
import { createRedisClient, escapeGlob, connectWatched, isCluster, keyNodes, scanEveryNode } from './redis-client';
import { isNoScript, RedisScript } from './redis-script';
import { VisiblePolling } from '../visible-polling';
import {
  parseBullmqVersion, parseWorkerClients, queueNameFromKey, STATE_KEYS, statesForVersion, type BullmqVersion,
} from './bullmq-layout';

export interface BullmqSourceOptions {
  /** Re-read counts this often while visible. */
  readonly pollIntervalMs: number;
  /** Run a full discovery SCAN at most this often (it walks the whole keyspace). */
  readonly discoveryIntervalMs: number;
  readonly scanCount: number;
  readonly createClient: (profile: ConnectionProfile) => Redis;
  /** The one blocking connection that follows every queue's events stream; `undefined` turns live updates off. */
  readonly createEventsClient: ((profile: ConnectionProfile) => Redis) | undefined;
  /** The connection actions run on (handed to `bullmq`; never auto-pipelined). */
  readonly createActionsClient: (profile: ConnectionProfile) => Redis;
  /** Counts re-read at most this often after events (per burst). */
  readonly eventsDebounceMs: number;
}

const DEFAULTS: BullmqSourceOptions = {
  pollIntervalMs: 5_000,
  discoveryIntervalMs: 60_000,
  scanCount: 1_000,
  createClient: (profile) => createRedisClient(profile, { connectionName: 'taskscope:reader' }),
  createEventsClient: (profile) => createRedisClient(profile, { connectionName: 'taskscope:events', blocking: true }),
  createActionsClient: (profile) => createRedisClient(profile, { connectionName: 'taskscope:actions' }),
  eventsDebounceMs: 250,
};

/** BullMQ metrics are per minute: polls re-read them this often at most. */
const METRICS_INTERVAL_MS = 15_000;

/** Events after which a queue's flows are re-read. */
const FLOW_EVENTS = new Set(['waiting-children', 'completed', 'failed', 'removed', 'waiting', 'retries-exhausted']);

interface KnownQueue { readonly name: string; version?: BullmqVersion }

/**
 * Counts of many queues in one command: KEYS are, per queue, `meta`, every state key in STATE_KEYS order, then
 * `repeat` (job schedulers); ARGV[1] is the number of state keys, then 'l'/'z' per state. Reply per queue:
 * version, paused, each count (a number, or the error text when the key has another type), then the number of
 * schedulers. Read-only; O(1) per key.
 */
const COUNTS_LUA = `
local n = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS, n + 2 do
  local meta = redis.pcall('HMGET', KEYS[i], 'version', 'paused')
  if type(meta) == 'table' and meta.err then meta = {false, false} end
  out[#out + 1] = meta[1]
  out[#out + 1] = meta[2]
  for j = 1, n do
    local c = redis.pcall(ARGV[j + 1] == 'l' and 'LLEN' or 'ZCARD', KEYS[i + j])
    if type(c) == 'table' and c.err then c = c.err end
    out[#out + 1] = c
  end
  local r = redis.pcall('ZCARD', KEYS[i + n + 1])
  if type(r) ~= 'number' then r = 0 end
  out[#out + 1] = r
end
return out`;
const COUNTS_SCRIPT = new RedisScript(COUNTS_LUA);
/** Queues per EVALSHA, so no single script call keeps Redis busy for long. */
const COUNTS_CHUNK = 100;
/** Active jobs read per queue to name workers when CLIENT LIST is refused. */
const ACTIVE_PEEK = 200;
const STATE_ENTRIES = Object.entries(STATE_KEYS) as [keyof typeof STATE_KEYS, { suffix: string; type: 'list' | 'zset' }][];
const COUNTS_ARGS = [STATE_ENTRIES.length, ...STATE_ENTRIES.map(([, k]) => (k.type === 'list' ? 'l' : 'z'))];

export class BullmqSource implements Source {
  private readonly options: BullmqSourceOptions;
  private readonly prefix: string;
  private client: Redis | undefined;
  private ctx: SourceContext | undefined;
  private queues = new Map<string, KnownQueue>();
  private readonly polling: VisiblePolling;
  private lastDiscovery = 0;
  /** Why CLIENT LIST was refused (an ACL without it, managed Redis): workers then come from active jobs. */
  private clientListRefused: string | undefined;
  /** The server refused EVAL/EVALSHA (a read-only ACL without @scripting): counts use plain commands. */
  private scriptsRefused = false;
  private workerIds = new Set<string>();
  private jobs: BullmqJobReader | undefined;
  private flows: BullmqFlowReader | undefined;
  private schedulerReader: BullmqSchedulerReader | undefined;
  private metrics: BullmqMetricsReader | undefined;
  private lastMetricsRead = -Infinity;
  private events: BullmqEventsReader | undefined;
  private eventsClient: Redis | undefined;
  private actionsClient: Redis | undefined;
  private actionRunner: BullmqActionRunner | undefined;
  private readonly dirty = new Set<string>();
  private readonly dirtyFlows = new Set<string>();
  private dirtyTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resyncs after a gap in an events stream (read by tests). */
  resyncs = 0;

  constructor(readonly profile: ConnectionProfile, options: Partial<BullmqSourceOptions> = {}) {
    this.options = { ...DEFAULTS, pollIntervalMs: profile.pollIntervalMs ?? DEFAULTS.pollIntervalMs, ...options };
    this.prefix = profile.prefix ?? 'bull';
    this.polling = new VisiblePolling({
      intervalMs: this.options.pollIntervalMs,
      poll: () => this.pollOnce(),
      readNow: () => this.refresh(),
      connected: () => this.client !== undefined,
      warn: (what, e) => this.ctx?.log.warn(`[${this.profile.id}] ${what} failed: ${e instanceof Error ? e.message : String(e)}`),
    });
  }

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.ctx = ctx;
    const client = this.options.createClient(this.profile);
    this.client = client;
    const established = await connectWatched(client, { onLost, closedMessage: 'connection to Redis closed', debug: (m) => ctx.log.debug(`[${this.profile.id}] redis: ${m}`) });
    established();
    const readerOpts = { connectionId: this.profile.id, prefix: this.prefix, now: () => this.now() };
    this.jobs = new BullmqJobReader(() => this.requireClient(), readerOpts);
    this.flows = new BullmqFlowReader(() => this.requireClient(), this.jobs, readerOpts);
    this.schedulerReader = new BullmqSchedulerReader(() => this.requireClient(), this.prefix);
    this.metrics = new BullmqMetricsReader(() => this.requireClient(), this.prefix, this.profile.id);
    await this.discover();
    await this.readCounts();
    await this.readWorkers();
    await this.readFlows();
    await this.readMetrics(true);
    await this.startEvents(ctx, onLost);
    this.polling.start();
  }

  /** Follows every queue's events stream on one blocking connection; a failure leaves polling in charge. */
  private async startEvents(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    if (!this.options.createEventsClient) return;
    if (this.client && isCluster(this.client) && !/\{[^}]+\}/.test(this.prefix)) {
      // One read covers every stream, so on a Cluster they must share a slot: a prefix with a hash tag, `{bull}`.
      ctx.log.warn(`[${this.profile.id}] Redis Cluster with prefix "${this.prefix}" (no {hash tag}): events streams are not followed, counts are polled`);
      return;
    }
    const client = this.options.createEventsClient(this.profile);
    client.on('error', (err: Error) => ctx.log.debug(`[${this.profile.id}] events connection: ${err.message}`));
    try {
      await client.connect();
    } catch (error) {
      ctx.log.warn(`[${this.profile.id}] events stream connection failed (${String(error)}); counts are polled instead`);
      client.disconnect();
      return;
    }
    client.on('end', () => { if (this.eventsClient === client) onLost(new Error('events connection to Redis closed')); });
    this.eventsClient = client;
    // Every stream key shares the prefix's hash tag, so one master owns them all: the blocking reads go to it.
    const reader = isCluster(client) ? masterForKey(client as unknown as Cluster, this.key('_', 'events')) ?? client : client;
    this.events = new BullmqEventsReader(reader, this.prefix, {
      onEvents: (events) => this.onStreamEvents(events),
      onGap: (queue, detail) => {
        this.resyncs++;
        ctx.log.info(`[${this.profile.id}] events stream of ${queue}: ${detail}; re-reading counts (resync)`);
        ctx.emit({ type: 'generic', connectionId: this.profile.id, name: 'bullmq.resync', summary: `${queue}: events missed (${detail}); counts re-read`, at: this.now() });
        this.markDirty(queue, true);
      },
      onBadKey: (queue, detail) => ctx.reject('bullmq-events-key', detail),
      onError: (error) => ctx.log.warn(`[${this.profile.id}] events stream: ${error.message}`),
    });
    await this.events.start([...this.queues.keys()]);
  }

  private onStreamEvents(events: readonly StreamEvent[]): void {
    for (const e of events) this.markDirty(e.queue, FLOW_EVENTS.has(e.event));
  }

  /** Queues touched by events: their counts (and flows) are re-read once per burst. */
  private markDirty(queue: string, flows: boolean): void {
    this.dirty.add(queue);
    if (flows) this.dirtyFlows.add(queue);
    if (this.dirtyTimer) return;
    this.dirtyTimer = setTimeout(() => {
      this.dirtyTimer = undefined;
      const names = [...this.dirty].filter((n) => this.queues.has(n));
      const flowQueues = [...this.dirtyFlows].filter((n) => this.queues.has(n));
      this.dirty.clear();
      this.dirtyFlows.clear();
      if (!this.client) return;
      void this.readCounts(names)
        .then(() => (flowQueues.length > 0 ? this.readFlows(flowQueues) : undefined))
        .catch((e: unknown) => this.ctx?.log.warn(`[${this.profile.id}] live update failed: ${String(e)}`));
    }, this.options.eventsDebounceMs);
    this.dirtyTimer.unref?.();
  }

  async disconnect(): Promise<void> {
    this.polling.stop();
    if (this.dirtyTimer) clearTimeout(this.dirtyTimer);
    this.dirtyTimer = undefined;
    const events = this.events;
    const eventsClient = this.eventsClient;
    this.events = undefined;
    this.eventsClient = undefined;
    eventsClient?.removeAllListeners('end');
    eventsClient?.disconnect(); // unblocks XREAD BLOCK
    await events?.stop();
    const runner = this.actionRunner;
    const actionsClient = this.actionsClient;
    this.actionRunner = undefined;
    this.actionsClient = undefined;
    await runner?.close();
    actionsClient?.disconnect();
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.disconnect();
    }
  }

  setVisible(visible: boolean): void { this.polling.setVisible(visible); }

  async refresh(): Promise<void> {
    if (!this.client) return;
    if (this.ctx && this.ctx.now() - this.lastDiscovery >= this.options.discoveryIntervalMs) await this.discover();
    await this.readCounts();
    await this.readWorkers();
    await this.readFlows();
    await this.readMetrics(true);
  }

  /**
   * New per-minute points of BullMQ's own metrics (workers with `metrics: {maxDataPoints}`), as series samples.
   * They change once a minute at most, so polls read them every METRICS_INTERVAL_MS unless `now` is asked.
   */
  private async readMetrics(now = false): Promise<void> {
    if (!this.metrics || !this.ctx) return;
    const at = this.ctx.now();
    if (!now && at - this.lastMetricsRead < METRICS_INTERVAL_MS) return;
    this.lastMetricsRead = at;
    for (const sample of await this.metrics.read([...this.queues.keys()])) this.ctx.emit({ type: 'metric', sample });
  }

  actions(): readonly ActionDeclaration[] {
    return BULLMQ_ACTIONS;
  }

  async runAction(actionId: string, target: ActionTarget, progress: ActionProgress): Promise<ActionResult> {
    if (actionId === 'refresh') {
      this.lastDiscovery = 0;
      await this.refresh();
      return { ok: true, affected: this.queues.size, message: `Refreshed ${this.queues.size} queue(s)` };
    }
    if (this.profile.readOnly) return { ok: false, affected: 0, message: `"${this.profile.name}" is read-only: ${actionId} refused` };
    if (!this.client) return { ok: false, affected: 0, message: 'Not connected' };
    if (!BULLMQ_ACTIONS.some((a) => a.id === actionId)) return { ok: false, affected: 0, message: `BullMQ has no action "${actionId}"` };
    const known = target.queue ? this.queues.get(target.queue) : undefined;
    if (target.queue && !known) return { ok: false, affected: 0, message: `No queue "${target.queue}" on ${this.profile.name}` };
    const result = await (await this.runner()).run(actionId, target, known?.version, progress);
    if (target.queue) {
      await this.readCounts([target.queue]);
      await this.readFlows([target.queue]);
    }
    return result;
  }

  private async runner(): Promise<BullmqActionRunner> {
    if (this.actionRunner) return this.actionRunner;
    const client = this.options.createActionsClient(this.profile);
    client.on('error', (err: Error) => this.ctx?.log.debug(`[${this.profile.id}] actions connection: ${err.message}`));
    await client.connect();
    this.actionsClient = client;
    this.actionRunner = new BullmqActionRunner(client, this.prefix);
    return this.actionRunner;
  }

  async taskPage(request: TaskPageRequest): Promise<TaskPage> {
    return this.requireJobs().page(request);
  }

  async taskLogs(request: TaskLogRequest): Promise<TaskLogPage> {
    if (!request.queue) throw new Error('A BullMQ job is identified by its queue and id');
    return this.requireJobs().logs({ ...request, queue: request.queue });
  }

  async schedulers(queue: string): Promise<SchedulerList> {
    if (!this.schedulerReader || !this.client) throw new Error('not connected');
    return this.schedulerReader.list(queue);
  }

  async taskDetail(ref: { readonly queue?: string; readonly id: string }, maxValueBytes: number): Promise<TaskDetail | undefined> {
    if (!ref.queue) throw new Error('A BullMQ job is identified by its queue and id');
    return this.requireJobs().detail(ref.queue, ref.id, maxValueBytes);
  }

  async searchTasks(request: TaskSearchRequest, onHits: (hits: readonly TaskSearchHit[]) => void, signal: AbortSignal): Promise<TaskSearchSummary> {
    const queues = [...this.queues.values()]
      .filter((q) => request.queue === undefined || q.name === request.queue)
      .map((q) => ({ name: q.name, states: statesForVersion(q.version) }));
    return this.requireJobs().search(queues, request, onHits, signal);
  }

  /** Flows of the given queues (default: every queue), emitted as workflows. */
  private async readFlows(names?: readonly string[]): Promise<void> {
    if (!this.flows) return;
    const list = names ?? [...this.queues.keys()];
    if (list.length === 0) return;
    for (const workflow of await this.flows.read(list)) this.ctx?.emit({ type: 'workflow.upsert', workflow });
  }

  private requireJobs(): BullmqJobReader {
    if (!this.jobs || !this.client) throw new Error('not connected');
    return this.jobs;
  }

  /** Walks the keyspace with SCAN for `<prefix>:<queue>:meta` and `<prefix>:<queue>:id`. */
  private async discover(): Promise<void> {
    const client = this.requireClient();
    const found = new Set<string>();
    // One pass matching both suffixes; exact suffixes are checked below.
    const match = `${escapeGlob(this.prefix)}:*:[mi][ed]*`;
    // On a Cluster every master holds a share of the queues: SCAN walks each of them.
    await scanEveryNode(client, match, this.options.scanCount, (keys) => {
      for (const key of keys) {
        const name = queueNameFromKey(key, this.prefix, 'meta') ?? queueNameFromKey(key, this.prefix, 'id');
        if (name !== undefined) found.add(name);
      }
    });
    this.lastDiscovery = this.ctx?.now() ?? Date.now();

    for (const name of found) if (!this.queues.has(name)) this.queues.set(name, { name });
    if (this.events) await this.events.setQueues([...found]);
    for (const name of [...this.queues.keys()]) {
      if (!found.has(name)) {
        this.queues.delete(name);
        this.metrics?.forget(name);
        this.ctx?.emit({ type: 'queue.removed', connectionId: this.profile.id, name, at: this.now() });
      }
    }
  }

  /** Every state of every queue plus `meta` in one round trip: one EVALSHA per 100 queues, pipelined. */
  private async readCounts(only?: readonly string[]): Promise<void> {
    const client = this.requireClient();
    const names = only ?? [...this.queues.keys()];
    if (names.length === 0) return;
    const at = this.now();
    if (isCluster(client) || this.scriptsRefused) return this.readCountsPlain(client, names, at);
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += COUNTS_CHUNK) chunks.push(names.slice(i, i + COUNTS_CHUNK));
    const keysOf = (chunk: readonly string[]): string[] => chunk.flatMap((name) => [this.key(name, 'meta'), ...STATE_ENTRIES.map(([, k]) => this.key(name, k.suffix)), this.key(name, 'repeat')]);
    const send = async (script: 'sha' | 'lua'): Promise<[Error | null, unknown][]> => {
      const pipeline = client.pipeline();
      for (const chunk of chunks) {
        const keys = keysOf(chunk);
        if (script === 'sha') pipeline.evalsha(COUNTS_SCRIPT.sha, keys.length, ...keys, ...COUNTS_ARGS);
        else pipeline.eval(COUNTS_SCRIPT.lua, keys.length, ...keys, ...COUNTS_ARGS);
      }
      return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    };
    let replies = await send('sha');
    if (replies.some(([err]) => isNoScript(err))) replies = await send('lua'); // first call on this server
    const refused = replies.find(([err]) => err && /^NOPERM\b/.test(err.message));
    if (refused) {
      this.scriptsRefused = true;
      this.ctx?.log.info(`[${this.profile.id}] scripts refused (${refused[0]!.message}); counts are read with plain commands`);
      return this.readCountsPlain(client, names, at);
    }
    const perQueue = 3 + STATE_ENTRIES.length;
    chunks.forEach((chunk, c) => {
      const [chunkErr, flat] = replies[c] ?? [new Error('no reply'), undefined];
      if (chunkErr) throw chunkErr;
      const values = flat as (string | number | null)[];
      chunk.forEach((name, i) => this.emitCounts(name, values, i * perQueue, at));
    });
  }

  /**
   * Counts with plain commands, laid out as the script's reply. On a Cluster a script may only touch keys of one
   * slot, so these run there always (the factory's pipeline splits them by slot, one round trip per slot, in
   * parallel); elsewhere only when the server refuses scripts.
   */
  private async readCountsPlain(client: Redis, names: readonly string[], at: number): Promise<void> {
    const pipeline = client.pipeline();
    for (const name of names) {
      pipeline.hmget(this.key(name, 'meta'), 'version', 'paused');
      for (const [, { suffix, type }] of STATE_ENTRIES) {
        if (type === 'list') pipeline.llen(this.key(name, suffix));
        else pipeline.zcard(this.key(name, suffix));
      }
      pipeline.zcard(this.key(name, 'repeat'));
    }
    const replies = (await pipeline.exec()) ?? [];
    const perCommandQueue = 2 + STATE_ENTRIES.length;
    names.forEach((name, i) => {
      const base = i * perCommandQueue;
      const [metaErr, meta] = replies[base] ?? [];
      const [version, paused] = metaErr ? [null, null] : (meta as (string | null)[]);
      const states = STATE_ENTRIES.map((_, j) => {
        const [err, value] = replies[base + 1 + j] ?? [];
        return err ? err.message : typeof value === 'number' ? value : Number(value) || 0;
      });
      const [repeatErr, schedulers] = replies[base + 1 + STATE_ENTRIES.length] ?? [];
      this.emitCounts(name, [version ?? null, paused ?? null, ...states, repeatErr ? 0 : Number(schedulers) || 0], 0, at);
    });
  }

  private emitCounts(name: string, values: readonly (string | number | null)[], base: number, at: number): void {
    const versionRaw = values[base] as string | null;
    const version = parseBullmqVersion(versionRaw);
    const states = statesForVersion(version);
    const counts: Record<string, number> = {};
    STATE_ENTRIES.forEach(([state, { suffix }], j) => {
      if (!states.includes(state)) return;
      const value = values[base + 2 + j];
      if (typeof value === 'string') {
        // A key of an unexpected type (WRONGTYPE) must not break the whole queue: count it as unreadable.
        this.ctx?.reject('bullmq-key-type', `${this.key(name, suffix)}: ${value}`);
        counts[state] = 0;
        return;
      }
      counts[state] = typeof value === 'number' ? value : 0;
    });
    const known = this.queues.get(name);
    if (known) known.version = version;
    const schedulers = Number(values[base + 2 + STATE_ENTRIES.length]) || 0;
    const queue: Queue = {
      connectionId: this.profile.id, system: 'bullmq', name, counts,
      paused: values[base + 1] === '1', version: version?.raw, updatedAt: at,
      ...(schedulers > 0 ? { schedulers } : {}),
    };
    this.ctx?.emit({ type: 'queue.upsert', queue });
  }

  /**
   * Workers from CLIENT LIST. A server that refuses it (an ACL user without `client|list`, managed Redis) still
   * shows the workers that are processing: the `pb` (processedBy) field bullmq writes into each active job.
   */
  private async readWorkers(): Promise<void> {
    if (this.clientListRefused !== undefined) return this.readWorkersFromActiveJobs();
    const client = this.requireClient();
    let list: string;
    try {
      // Workers connect to the master that owns their queue's slot: on a Cluster, CLIENT LIST of every master.
      list = (await Promise.all(keyNodes(client).map(async (node) => (await node.call('CLIENT', 'LIST')) as string))).join('\n');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.clientListRefused = reason;
      const summary = `CLIENT LIST refused (${reason}): only workers processing a job are listed, from the job's processedBy`;
      this.ctx?.log.warn(`[${this.profile.id}] ${summary}`);
      this.ctx?.emit({ type: 'generic', connectionId: this.profile.id, name: 'bullmq.workers', summary, at: this.now() });
      // Idle workers have no trace but their connection: say so where the workers are listed.
      this.ctx?.emit({
        type: 'connection.notice', connectionId: this.profile.id, topic: 'workers', at: this.now(),
        text: `Idle workers are not shown: the server refused CLIENT LIST (${reason.slice(0, 200)}). Workers processing a job are listed from the job's processedBy. Grant the ACL user +client|list to see every worker.`,
      });
      return this.readWorkersFromActiveJobs();
    }
    const at = this.now();
    const seen = new Set<string>();
    for (const w of parseWorkerClients(list, this.prefix)) {
      const id = w.workerName ? `${w.queue}/${w.workerName}@${w.addr ?? w.clientId}` : `${w.queue}@${w.addr ?? w.clientId}`;
      this.ctx?.emit({
        type: 'worker.upsert',
        worker: {
          connectionId: this.profile.id, system: 'bullmq', id, queue: w.queue,
          status: w.idleSeconds !== undefined && w.idleSeconds > 60 ? 'idle' : 'online',
          lastSeen: w.idleSeconds !== undefined ? at - w.idleSeconds * 1000 : at,
          detail: `${w.workerName ? `${w.workerName} · ` : ''}connected ${formatAge(w.ageSeconds)}`,
          updatedAt: at,
        },
      });
      seen.add(id);
    }
    this.retireWorkers(seen, at);
  }

  /** Workers named by the `pb` field of active jobs (at most ACTIVE_PEEK per queue), one per queue and name. */
  private async readWorkersFromActiveJobs(): Promise<void> {
    const client = this.requireClient();
    const names = [...this.queues.keys()];
    if (names.length === 0) return this.retireWorkers(new Set(), this.now());
    const heads = (await names.reduce((p, n) => p.lrange(this.key(n, 'active'), 0, ACTIVE_PEEK - 1), client.pipeline()).exec()) ?? [];
    const jobs = names.flatMap((queue, i) => {
      const [err, ids] = heads[i] ?? [];
      return err || !Array.isArray(ids) ? [] : (ids as string[]).map((id) => ({ queue, id }));
    });
    const fields = jobs.length > 0 ? ((await jobs.reduce((p, j) => p.hmget(this.key(j.queue, j.id), 'pb', 'processedOn'), client.pipeline()).exec()) ?? []) : [];
    const at = this.now();
    const byId = new Map<string, { queue: string; name: string; jobs: string[]; since: number | undefined }>();
    jobs.forEach((j, i) => {
      const [err, values] = fields[i] ?? [];
      const [pb, processedOn] = err ? [null, null] : (values as (string | null)[]);
      if (!pb) return;
      const id = `${j.queue}/${pb}`;
      const w = byId.get(id) ?? { queue: j.queue, name: pb, jobs: [], since: undefined };
      w.jobs.push(j.id);
      const started = Number(processedOn);
      if (Number.isFinite(started) && started > 0) w.since = Math.max(w.since ?? 0, started);
      byId.set(id, w);
    });
    for (const [id, w] of byId) {
      this.ctx?.emit({
        type: 'worker.upsert',
        worker: {
          connectionId: this.profile.id, system: 'bullmq', id, queue: w.queue, status: 'busy', currentTask: w.jobs[0], lastSeen: w.since ?? at,
          detail: `${w.name} · processing ${w.jobs.length} job${w.jobs.length === 1 ? '' : 's'} (seen through processedBy: CLIENT LIST refused)`, updatedAt: at,
        },
      });
    }
    this.retireWorkers(new Set(byId.keys()), at);
  }

  private retireWorkers(seen: Set<string>, at: number): void {
    for (const id of this.workerIds) {
      if (!seen.has(id)) this.ctx?.emit({ type: 'worker.removed', connectionId: this.profile.id, id, at });
    }
    this.workerIds = seen;
  }

  /** With the events stream live, polling only rediscovers queues and re-reads workers; otherwise everything visible. */
  private async pollOnce(): Promise<void> {
    if (!this.events) return this.refresh();
    if (this.ctx && this.ctx.now() - this.lastDiscovery >= this.options.discoveryIntervalMs) {
      const before = new Set(this.queues.keys());
      await this.discover();
      const added = [...this.queues.keys()].filter((n) => !before.has(n));
      if (added.length > 0) await this.readCounts(added);
    }
    await this.readWorkers();
    await this.readMetrics();
  }

  private key(queue: string, suffix: string): string { return `${this.prefix}:${queue}:${suffix}`; }
  private now(): number { return this.ctx?.now() ?? Date.now(); }
  private requireClient(): Redis {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }
}

function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  return `${Math.floor(seconds / 3600)}h ago`;
}
