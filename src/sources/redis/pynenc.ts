// pynenc and Rustvello over Redis (layouts in pynenc-layout.ts): one queue per app with counts by the status
// names the system wrote, invocations as tasks (runner, parent, workflow), runners as workers with liveness
// from their heartbeat age and the invocation they are running, pynenc workflows with done/total, and the
// broker queue depth as a metric. Apps are found with SCAN; `app` in the profile restricts to one.
import type Redis from 'ioredis';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { Task, Worker, Workflow } from '../../core/model/entities';
import type { KeyPattern } from '../../core/redis/key-walk';
import { detailValue, type DetailValue, type TaskDetail, type TaskRef, type TaskStatusChange } from '../../core/model/task-detail';
import { escapeGlob } from './redis-client';
import {
  FINAL_STATUSES, heartbeatTime, historyEntrySchema, normalizeStatus, parseInvocation, parseStatusRecord, pynencKeyPart,
  pynencKeys, RUNNING_STATUSES, rustvelloKeys, splitAppKey, type InvocationRecord, type PynencFlavor, type StatusRecord,
} from './pynenc-layout';
import { PollMarkerCache } from './poll-marker-cache';
import { DEFAULT_POLL_INTERVAL_MS, defaultCreateClient, RedisPollingSource, type PollingOptions } from './redis-polling-source';
import { execPipeline, parseJson, parseTimestamp, walkKeyspace, type PipelineReply } from './redis-values';

export interface PynencSourceOptions extends PollingOptions {
  /** Newest invocations read per app per sync. */
  readonly maxTasks: number;
  readonly maxWorkflows: number;
  /** A runner whose last heartbeat is older than this is stale… */
  readonly staleAfterMs: number;
  /** …and older than this, offline. */
  readonly offlineAfterMs: number;
}

const DEFAULTS: PynencSourceOptions = {
  pollIntervalMs: DEFAULT_POLL_INTERVAL_MS, createClient: defaultCreateClient,
  maxTasks: 2_000, maxWorkflows: 200, staleAfterMs: 60_000, offlineAfterMs: 10 * 60_000,
};

interface Invocation { readonly id: string; readonly record: StatusRecord; readonly inv?: InvocationRecord }
interface InvocationRead { readonly inv: Invocation; readonly task: Task }

export class PynencSource extends RedisPollingSource {
  protected readonly clientName: string;
  private readonly flavor: PynencFlavor;
  private readonly opts: PynencSourceOptions;
  private readonly onlyApp: string | undefined;
  /** Per app: each invocation's status record text (its marker, see readPynenc) with what was read and emitted for it. */
  private readonly reads = new Map<string, PollMarkerCache<InvocationRead>>();

  constructor(profile: ConnectionProfile, options: Partial<PynencSourceOptions> = {}) {
    const opts = { ...DEFAULTS, ...options };
    super(profile, opts);
    this.opts = opts;
    this.flavor = profile.system === 'rustvello' ? 'rustvello' : 'pynenc';
    this.clientName = `taskscope:${this.flavor}`;
    const app = profile.options['app'];
    this.onlyApp = typeof app === 'string' && app.length > 0 ? app : undefined;
  }

  protected override forgetReads(): void { this.reads.clear(); }

  /** The reads of one app, created on first use; every poll's `sync` begins and ends all of them. */
  private readsOf(app: string): PollMarkerCache<InvocationRead> {
    let reads = this.reads.get(app);
    if (!reads) {
      reads = new PollMarkerCache(this.opts.maxTasks);
      this.reads.set(app, reads);
    }
    return reads;
  }

  protected async sync(): Promise<void> {
    const client = this.requireClient();
    const at = this.now();
    for (const reads of this.reads.values()) reads.beginPoll();
    const result = this.flavor === 'pynenc' ? await this.readPynenc(client, at) : await this.readRustvello(client, at);
    // Invocations not seen this poll are forgotten; so are apps with none left.
    for (const [app, reads] of this.reads) {
      reads.endPoll();
      if (reads.size === 0) this.reads.delete(app);
    }
    for (const [app, counts] of result.counts) {
      this.emit({ type: 'queue.upsert', queue: { connectionId: this.profile.id, system: this.flavor, name: app, counts, updatedAt: at } });
    }
    for (const [queue, depth] of result.depths) {
      this.emit({ type: 'metric', sample: { connectionId: this.profile.id, system: this.flavor, name: `${this.flavor}_broker_queue_depth`, labels: { queue }, timestamp: at, value: depth } });
    }
    for (const task of result.upserts) this.emit({ type: 'task.upsert', task });
    const running = new Map<string, string>();
    for (const list of result.invocations.values()) for (const i of list) if (RUNNING_STATUSES.has(i.record.status) && i.record.runner) running.set(i.record.runner, i.id);
    const workers = result.runners.map((r) => this.worker(r, running.get(r.id), at));
    for (const worker of workers) this.emit({ type: 'worker.upsert', worker });
    for (const workflow of result.workflows) this.emit({ type: 'workflow.upsert', workflow });
    this.retire('queue', result.counts.keys());
    this.retire('worker', workers.map((w) => w.id));
  }

  // ---- pynenc

  private async readPynenc(client: Redis, at: number): Promise<SyncResult> {
    const out = emptyResult();
    // One SCAN walk for the status sets and the workflow lists of every app.
    const walk = await walkKeyspace(client, pynencKeyPatterns(this.onlyApp, this.opts.maxWorkflows));
    const statusesByApp = new Map<string, string[]>();
    for (const key of walk.statusSets.keys) {
      const s = splitAppKey('pynenc', key, ':orchestrator:status:');
      if (s) statusesByApp.set(s.app, [...(statusesByApp.get(s.app) ?? []), s.rest]);
    }
    const workflowsByApp = new Map<string, string[]>();
    for (const key of walk.workflows.keys) {
      const s = splitAppKey('pynenc', key, WORKFLOW_MARKER);
      if (!s) continue;
      const ids = workflowsByApp.get(s.app) ?? [];
      if (ids.length < this.opts.maxWorkflows) ids.push(s.rest);
      workflowsByApp.set(s.app, ids);
    }
    for (const [app, statuses] of statusesByApp) {
      const k = pynencKeys(app);
      const p = client.pipeline();
      for (const s of statuses) p.scard(k.statusSet(s));
      p.zrevrange(k.allByTime, 0, this.opts.maxTasks - 1);
      p.llen(k.brokerQueue);
      p.zrange(k.runnerHeartbeats, 0, 499);
      const replies = await execPipeline(p);
      const counts: Record<string, number> = {};
      statuses.forEach((s, i) => {
        const v = this.value(replies[i], k.statusSet(s));
        if (v !== undefined) counts[s] = Number(v) || 0;
      });
      out.counts.set(app, counts);
      let ids = (this.value(replies[statuses.length], k.allByTime) as string[] | undefined) ?? [];
      const depth = this.value(replies[statuses.length + 1], k.brokerQueue);
      if (depth !== undefined) out.depths.set(`${app}:default_queue`, Number(depth) || 0);
      const runnerIds = (this.value(replies[statuses.length + 2], k.runnerHeartbeats) as string[] | undefined) ?? [];
      if (ids.length === 0) ids = await this.idsFromStatusSets(client, statuses.map((s) => k.statusSet(s)));

      // The status record of every invocation is its marker: pynenc writes a new one, with a new timestamp, at every
      // status change (_set_status_record). The invocation JSON is written once at registration and never changes,
      // so it is read only for new invocations and ones whose record changed.
      const q = client.pipeline();
      for (const id of ids) q.get(k.statusRecord(id));
      for (const r of runnerIds) q.hmget(k.runnerHeartbeat(r), 'last_heartbeat', 'creation_timestamp', 'can_run_atomic_service');
      const rows = await execPipeline(q);
      const reads = this.readsOf(app);
      const found: (Invocation | undefined)[] = new Array<Invocation | undefined>(ids.length);
      const changed: { i: number; marker: string }[] = [];
      ids.forEach((id, i) => {
        const text = this.value(rows[i], k.statusRecord(id));
        if (typeof text !== 'string') return; // purged between the index read and this one
        const cached = reads.hit(id, text);
        if (cached) found[i] = cached.inv;
        else changed.push({ i, marker: text });
      });
      const invRows = changed.length > 0 ? await execPipeline(changed.reduce((pp, c) => pp.get(k.invocation(ids[c.i]!)), client.pipeline())) : [];
      changed.forEach(({ i, marker }, j) => {
        const id = ids[i]!;
        const inv = this.invocation(id, rows[i], invRows[j], k.statusRecord(id), k.invocation(id));
        if (!inv) return;
        found[i] = inv;
        const task = this.task(app, inv, at);
        out.upserts.push(task);
        // Kept only when whole: a missing or unreadable invocation is read (and rejected) again next poll, as before.
        if (inv.inv !== undefined) reads.remember(id, marker, { inv, task });
      });
      const invocations = found.filter((x): x is Invocation => x !== undefined);
      out.invocations.set(app, invocations);
      runnerIds.forEach((id, i) => {
        const fields = this.value(rows[ids.length + i], k.runnerHeartbeat(id)) as (string | null)[] | undefined;
        if (!fields) return;
        const last = parseTimestamp(fields[0]);
        if (last === undefined) return this.reject('pynenc-runner', `${k.runnerHeartbeat(id)}: no readable last_heartbeat`);
        out.runners.push({ id, app, lastSeen: last, detail: `pynenc runner of ${app}${fields[2] === '1' ? ' · may run atomic services' : ''}` });
      });
      out.workflows.push(...await this.readWorkflows(client, app, workflowsByApp.get(app) ?? [], invocations, at));
    }
    return out;
  }

  /** When `all_invocations_by_time` is absent: the first page of each status set. */
  private async idsFromStatusSets(client: Redis, keys: readonly string[]): Promise<string[]> {
    const ids = new Set<string>();
    for (const key of keys) {
      if (ids.size >= this.opts.maxTasks) break;
      const [, members] = await client.sscan(key, 0, 'COUNT', this.opts.maxTasks).catch(() => ['0', [] as string[]] as const);
      for (const m of members) ids.add(m);
    }
    return [...ids].slice(0, this.opts.maxTasks);
  }

  private async readWorkflows(client: Redis, app: string, wfIds: readonly string[], invocations: readonly Invocation[], at: number): Promise<Workflow[]> {
    const k = pynencKeys(app);
    if (wfIds.length === 0) return [];
    const members = await this.readMembers(client, wfIds.map((wf) => k.workflowInvocations(wf)));
    const known = new Map(invocations.map((i) => [i.id, i]));
    const missing = [...new Set(members.flat())].filter((id) => !known.has(id));
    if (missing.length > 0) {
      const p = client.pipeline();
      for (const id of missing) p.get(k.statusRecord(id)).get(k.invocation(id));
      const rows = await execPipeline(p);
      missing.forEach((id, i) => {
        const inv = this.invocation(id, rows[2 * i], rows[2 * i + 1], k.statusRecord(id), k.invocation(id));
        if (inv) known.set(id, inv);
      });
    }
    return wfIds.map((wf, i) => {
      const ids = members[i] ?? [];
      const statuses = ids.map((id) => known.get(id)?.record.status);
      const done = statuses.filter((s) => s !== undefined && FINAL_STATUSES.has(s)).length;
      const failed = statuses.filter((s) => s === 'failed' || s === 'concurrency_controlled_final').length;
      const root = known.get(wf)?.inv ?? ids.map((id) => known.get(id)?.inv).find((x) => x?.workflow_type_key);
      const status = failed > 0 ? 'failed' : ids.length > 0 && done === ids.length ? 'success' : 'running';
      return {
        connectionId: this.profile.id, system: this.flavor, id: `${app}:${wf}`, name: root?.workflow_type_key ?? wf,
        status, done, total: ids.length, updatedAt: at,
        ...(failed > 0 ? { blockedReason: `${failed} invocation(s) failed` } : {}),
      };
    });
  }

  /** Members of set, list or zset keys (pynenc's container types differ by backend version). */
  private async readMembers(client: Redis, keys: readonly string[]): Promise<string[][]> {
    const types = await execPipeline(keys.reduce((p, key) => p.type(key), client.pipeline()));
    const p = client.pipeline();
    keys.forEach((key, i) => {
      const type = String(types[i]?.[1] ?? 'none');
      if (type === 'set') p.smembers(key);
      else if (type === 'list') p.lrange(key, 0, 9_999);
      else if (type === 'zset') p.zrange(key, 0, 9_999);
      else {
        if (type !== 'none') this.reject(`${this.flavor}-key-type`, `${key}: a ${type}, expected a set, list or zset`);
        p.echo('');
      }
    });
    const replies = await execPipeline(p);
    return replies.map(([err, v]) => (err || !Array.isArray(v) ? [] : (v as string[])));
  }

  // ---- Rustvello

  private async readRustvello(client: Redis, at: number): Promise<SyncResult> {
    const out = emptyResult();
    // One SCAN walk for status records, heartbeats and broker lists of every app.
    const { statusScan, hbScan, brokerScan } = await walkKeyspace(client, rustvelloKeyPatterns(this.onlyApp, this.opts.maxTasks));
    const ids = statusScan.keys.map((key) => ({ key, s: splitAppKey('rustvello', key, ':orch:status:') })).filter((x) => x.s);
    const hbs = hbScan.keys.map((key) => ({ key, s: splitAppKey('rustvello', key, ':orch:heartbeat:') })).filter((x) => x.s);
    const brokers = brokerScan.keys.map((key) => ({ key, s: splitAppKey('rustvello', key, ':broker:') })).filter((x) => x.s);

    const types = await execPipeline(hbs.reduce((p, h) => p.type(h.key), client.pipeline()));
    const p = client.pipeline();
    for (const { key } of ids) p.get(key);
    hbs.forEach(({ key }, i) => { if (types[i]?.[1] === 'hash') p.hgetall(key); else p.get(key); });
    for (const { key } of brokers) p.llen(key);
    const rows = await execPipeline(p);

    ids.forEach(({ key, s }, i) => {
      const app = s!.app;
      if (!out.counts.has(app)) out.counts.set(app, {});
      const text = this.value(rows[i], key);
      if (typeof text !== 'string') return;
      // The status record is all Rustvello keeps per invocation, so it is its own marker: an unchanged one is
      // neither parsed nor emitted again.
      const reads = this.readsOf(app);
      let inv = reads.hit(s!.rest, text)?.inv;
      if (!inv) {
        const parsed = parseStatusRecord(text);
        if (!parsed.ok) return this.reject('rustvello-status', `${key}: ${parsed.problem}`);
        inv = { id: s!.rest, record: parsed.value };
        const task = this.task(app, inv, at);
        out.upserts.push(task);
        reads.remember(s!.rest, text, { inv, task });
      }
      const counts = out.counts.get(app)!;
      counts[inv.record.raw] = (counts[inv.record.raw] ?? 0) + 1;
      const list = out.invocations.get(app);
      if (list) list.push(inv);
      else out.invocations.set(app, [inv]);
    });
    hbs.forEach(({ key, s }, i) => {
      const v = this.value(rows[ids.length + i], key) as string | Record<string, string> | undefined;
      const last = v === undefined ? undefined : heartbeatTime(v);
      if (last === undefined) return this.reject('rustvello-runner', `${key}: no readable heartbeat time`);
      out.runners.push({ id: s!.rest, app: s!.app, lastSeen: last, detail: `Rustvello runner of ${s!.app}` });
    });
    brokers.forEach(({ key, s }, i) => {
      const v = this.value(rows[ids.length + hbs.length + i], key);
      if (v !== undefined) out.depths.set(`${s!.app}:${s!.rest}`, Number(v) || 0);
    });
    return out;
  }

  // ---- shared

  private invocation(id: string, statusReply: PipelineReply | undefined, invReply: PipelineReply | undefined, statusKey: string, invKey: string): Invocation | undefined {
    const text = this.value(statusReply, statusKey);
    if (typeof text !== 'string') return undefined; // purged between the index read and this one
    const record = parseStatusRecord(text);
    if (!record.ok) {
      this.reject(`${this.flavor}-status`, `${statusKey}: ${record.problem}`);
      return undefined;
    }
    const invText = this.value(invReply, invKey);
    let inv: InvocationRecord | undefined;
    if (typeof invText === 'string') {
      const parsed = parseInvocation(invText);
      if (parsed.ok) inv = parsed.value;
      else this.reject(`${this.flavor}-invocation`, `${invKey}: ${parsed.problem}`);
    }
    return { id, record: record.value, inv };
  }

  /** A pipeline reply's value; an error reply (WRONGTYPE…) is rejected and reads as undefined. */
  private value(reply: PipelineReply | undefined, key: string): unknown {
    if (!reply) return undefined;
    if (reply[0]) {
      this.reject(`${this.flavor}-key-type`, `${key}: ${reply[0].message}`);
      return undefined;
    }
    return reply[1] ?? undefined;
  }

  private task(app: string, i: Invocation, at: number): Task {
    const final = FINAL_STATUSES.has(i.record.status);
    return {
      connectionId: this.profile.id, system: this.flavor, id: i.id, queue: app, status: i.record.status,
      name: i.inv?.task_id_key ?? undefined, worker: i.record.runner,
      workflowId: i.inv?.workflow_id ? `${app}:${i.inv.workflow_id}` : undefined,
      parentId: i.inv?.parent_invocation_id ?? undefined,
      finishedAt: final ? i.record.at : undefined,
      updatedAt: i.record.at ?? at,
    };
  }

  private worker(r: RunnerRow, runningId: string | undefined, at: number): Worker {
    const age = at - r.lastSeen;
    const status: Worker['status'] = age > this.opts.offlineAfterMs ? 'offline' : age > this.opts.staleAfterMs ? 'stale' : runningId ? 'busy' : 'online';
    return {
      connectionId: this.profile.id, system: this.flavor, id: r.id, queue: r.app, status, lastSeen: r.lastSeen,
      currentTask: status === 'busy' ? runningId : undefined, detail: r.detail, updatedAt: at,
    };
  }

  /** Status record, invocation, history, result, exception and children of one invocation. */
  async taskDetail(ref: { readonly queue?: string; readonly id: string }, maxValueBytes: number): Promise<TaskDetail | undefined> {
    const client = this.requireClient();
    const app = ref.queue ?? this.onlyApp;
    if (!app) return undefined;
    if (this.flavor === 'rustvello') {
      const key = rustvelloKeys(app).statusRecord(ref.id);
      const text = await client.get(key).catch((e: Error) => { this.reject('rustvello-key-type', `${key}: ${e.message}`); return null; });
      if (text === null) return undefined;
      const rec = parseStatusRecord(text);
      if (!rec.ok) { this.reject('rustvello-status', `${key}: ${rec.problem}`); return undefined; }
      return { task: this.task(app, { id: ref.id, record: rec.value }, this.now()), values: { status_record: detailValue(text, maxValueBytes) } };
    }
    const k = pynencKeys(app);
    const rows = await execPipeline(client.pipeline().get(k.statusRecord(ref.id)).get(k.invocation(ref.id)).lrange(k.history(ref.id), 0, 199)
      .get(k.result(ref.id)).get(k.exception(ref.id)));
    const inv = this.invocation(ref.id, rows[0], rows[1], k.statusRecord(ref.id), k.invocation(ref.id));
    if (!inv) return undefined;
    const values: Record<string, DetailValue> = {};
    const invText = this.value(rows[1], k.invocation(ref.id));
    if (typeof invText === 'string') {
      const parsed = parseJson(invText);
      const args = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>)['serialized_arguments'] : undefined;
      if (args !== undefined) values['arguments'] = detailValue(typeof args === 'string' ? args : JSON.stringify(args), maxValueBytes);
      values['invocation'] = detailValue(invText, maxValueBytes);
    }
    for (const [name, reply, key] of [['result', rows[3], k.result(ref.id)], ['exception', rows[4], k.exception(ref.id)]] as const) {
      const v = this.value(reply, key);
      if (typeof v === 'string') values[name] = detailValue(v, maxValueBytes);
    }
    const history: TaskStatusChange[] = [];
    for (const line of (this.value(rows[2], k.history(ref.id)) as string[] | undefined) ?? []) {
      const j = parseJson(line);
      const h = j.ok ? historyEntrySchema.safeParse(j.value) : undefined;
      const status = h?.success ? normalizeStatus(h.data.status_record.status) : undefined;
      if (!h?.success || !status) { this.reject('pynenc-history', `${k.history(ref.id)}: unreadable entry ${line.slice(0, 60)}`); continue; }
      history.push({ status, at: parseTimestamp(h.data.status_record.timestamp ?? h.data._timestamp) ?? 0, ...(h.data.status_record.runner_id ? { detail: `runner ${h.data.status_record.runner_id}` } : {}) });
    }
    const [childIds = []] = await this.readMembers(client, [k.children(ref.id)]);
    const ref_ = (id: string): TaskRef => ({ connectionId: this.profile.id, queue: app, id });
    return {
      task: this.task(app, inv, this.now()), values, history,
      ...(inv.inv?.parent_invocation_id ? { parent: ref_(inv.inv.parent_invocation_id) } : {}),
      children: childIds.map(ref_),
    };
  }
}

interface RunnerRow { readonly id: string; readonly app: string; readonly lastSeen: number; readonly detail: string }
interface SyncResult {
  readonly counts: Map<string, Record<string, number>>;
  readonly depths: Map<string, number>;
  /** Every invocation read, per app (counts, running invocations, workflows)… */
  readonly invocations: Map<string, Invocation[]>;
  /** …and the tasks of those read anew this poll: only they are emitted. */
  readonly upserts: Task[];
  readonly runners: RunnerRow[];
  readonly workflows: Workflow[];
}

function emptyResult(): SyncResult {
  return { counts: new Map(), depths: new Map(), invocations: new Map(), upserts: [], runners: [], workflows: [] };
}

const WORKFLOW_MARKER = ':state_backend:workflow:invocations:';

/**
 * What one pynenc read walks for (in one SCAN walk): the status sets and workflow lists of `app` or of every
 * app. Workflows are capped per app after the walk; the walk keeps up to 10 apps' worth.
 */
export function pynencKeyPatterns(app: string | undefined, maxWorkflows: number): { readonly [P in 'statusSets' | 'workflows']: KeyPattern } {
  const appGlob = app ? escapeGlob(pynencKeyPart(app)) : '*';
  return {
    statusSets: { pattern: `__pynenc__:${appGlob}:orchestrator:status:*`, maxKeys: 10_000 },
    workflows: { pattern: `__pynenc__:${appGlob}${WORKFLOW_MARKER}*`, maxKeys: app ? maxWorkflows : 10 * maxWorkflows },
  };
}

/** What one Rustvello read walks for (in one SCAN walk), each pattern capped on its own. */
export function rustvelloKeyPatterns(app: string | undefined, maxTasks: number): { readonly [P in 'statusScan' | 'hbScan' | 'brokerScan']: KeyPattern } {
  const appGlob = app ? escapeGlob(app) : '*';
  return {
    statusScan: { pattern: `rustvello:${appGlob}:orch:status:*`, maxKeys: maxTasks },
    hbScan: { pattern: `rustvello:${appGlob}:orch:heartbeat:*`, maxKeys: 500 },
    brokerScan: { pattern: `rustvello:${appGlob}:broker:*`, maxKeys: 1_000 },
  };
}
