// Nexus Agents traffic for the demo and the tests, per shared/reference/protocols.md §2:
//   pub/sub: every MonitoringEvent as full JSON (all 17 fields, null when unset) on `nexus:events`, again on
//     `nexus:events:project:{project_id}` when it has a project, and stats_snapshot on `nexus:events:stats`;
//   state: Task JSON LPUSHed to `nexus:tasks:{high|normal|low}_priority` and RPOPed by workers;
//     `nexus:task:{id}:status|data` (EX 3600), `:result` / `:error` (EX 86400); `nexus:task_group:{parent}` set
//     and `nexus:task_meta:{parent}` hash (EX 86400); `nexus:worker:heartbeat:{n}` = "active" EX 30.
//   A data-aggregation research task walks the phases enumeration → search → extraction → enrichment →
//   resolution → storage.
import type Redis from 'ioredis';
import { redisFromUrl, Rng, TickLoop } from '../support/sim-loop';

export interface NexusSimulatorOptions {
  readonly redisUrl: string;
  /** Redis Cluster seed nodes (`host:port`); when given, the simulator writes through a Cluster client. */
  readonly clusterNodes?: readonly string[];
  readonly live?: boolean;
  readonly log?: (msg: string) => void;
}

export interface NexusSimulator {
  readonly parentTaskId: string;
  stop(): Promise<void>;
}

export const NEXUS_PHASES = ['enumeration', 'search', 'extraction', 'enrichment', 'resolution', 'storage'] as const;
export const NEXUS_PROJECT = 'default_project';
/** Seeded state: the research task's children by final status, the phases reached, and the workers. */
export const NEXUS_SEED = {
  children: { completed: 3, failed: 1, processing: 1, pending: 1 },
  /** Phases completed, then the one left running. */
  phasesCompleted: ['enumeration', 'search'],
  phaseRunning: 'extraction',
  /** Extra tasks waiting in the high-priority list, outside the research task. */
  highPending: 2,
  /** Workers with a live heartbeat key; worker 2 stopped. */
  workersAlive: [0, 1],
  workerStopped: 2,
} as const;

const TYPES = ['search', 'summarization', 'entity_extraction', 'data_aggregation_extract', 'reasoning'];

type EventFields = Partial<Record<'project_id' | 'parent_task_id' | 'task_id' | 'task_type' | 'phase' | 'status' | 'message' | 'error', string>> & {
  worker_id?: number; retry_count?: number; duration_ms?: number; counts?: Record<string, number>; queue?: Record<string, number>; meta?: Record<string, unknown>;
};

export async function startNexusSimulator(opts: NexusSimulatorOptions): Promise<NexusSimulator> {
  const log = opts.log ?? (() => undefined);
  const redis = redisFromUrl(opts.redisUrl, opts.clusterNodes);
  const nx = new NexusWriter(redis, new Rng(23));
  const parent = `research-${nx.rng.hex(8)}`;
  await redis.hset(`nexus:task_meta:${parent}`, 'project_id', NEXUS_PROJECT);
  await redis.expire(`nexus:task_meta:${parent}`, 86_400);

  for (const w of [...NEXUS_SEED.workersAlive, NEXUS_SEED.workerStopped]) await nx.publish('worker_started', { worker_id: w, message: `Worker ${w} started` });
  await nx.publish('worker_stopped', { worker_id: NEXUS_SEED.workerStopped, message: `Worker ${NEXUS_SEED.workerStopped} stopped` });
  for (const w of NEXUS_SEED.workersAlive) await nx.heartbeat(w);
  for (const phase of NEXUS_SEED.phasesCompleted) {
    await nx.publish('phase_started', { parent_task_id: parent, project_id: NEXUS_PROJECT, phase, message: `Starting ${phase}` });
    await nx.publish('phase_completed', { parent_task_id: parent, project_id: NEXUS_PROJECT, phase, message: `Finished ${phase}`, counts: { subspaces: 4 } });
  }
  await nx.publish('phase_started', { parent_task_id: parent, project_id: NEXUS_PROJECT, phase: NEXUS_SEED.phaseRunning, message: `Starting ${NEXUS_SEED.phaseRunning}` });

  const c = NEXUS_SEED.children;
  const children: string[] = [];
  for (let i = 0; i < c.completed + c.failed + c.processing + c.pending; i++) children.push(await nx.enqueue(1, parent));
  for (let i = 0; i < NEXUS_SEED.highPending; i++) await nx.enqueue(2);
  let k = 0;
  for (let i = 0; i < c.completed; i++) await nx.finish(await nx.take(children[k++]!, 0), true);
  for (let i = 0; i < c.failed; i++) await nx.finish(await nx.take(children[k++]!, 1), false);
  for (let i = 0; i < c.processing; i++) await nx.take(children[k++]!, 0);
  await nx.snapshot(parent);
  log(`nexus: seeded research task ${parent} (${children.length} children, phases to ${NEXUS_SEED.phaseRunning})`);

  if (!(opts.live ?? true)) {
    await redis.quit();
    return { parentTaskId: parent, stop: async () => undefined };
  }
  let phase: number = NEXUS_PHASES.indexOf(NEXUS_SEED.phaseRunning);
  let ticks = 0;
  const loops = [
    new TickLoop(800, async () => {
      ticks++;
      for (const w of NEXUS_SEED.workersAlive) if (ticks % 5 === 0) await nx.heartbeat(w);
      if (nx.rng.next() < 0.6) await nx.enqueue(nx.rng.int(0, 2), nx.rng.next() < 0.5 ? parent : undefined);
      for (const w of NEXUS_SEED.workersAlive) {
        const running = nx.running.get(w);
        if (running) await nx.finish({ id: running, worker: w }, nx.rng.next() > 0.15);
        else {
          const next = await nx.pop();
          if (next) await nx.take(next, w);
        }
      }
      if (ticks % 6 === 0) {
        await nx.snapshot(parent);
        if (phase < NEXUS_PHASES.length) {
          await nx.publish('phase_completed', { parent_task_id: parent, project_id: NEXUS_PROJECT, phase: NEXUS_PHASES[phase]!, message: `Finished ${NEXUS_PHASES[phase]}` });
          phase++;
          if (phase < NEXUS_PHASES.length) await nx.publish('phase_started', { parent_task_id: parent, project_id: NEXUS_PROJECT, phase: NEXUS_PHASES[phase]!, message: `Starting ${NEXUS_PHASES[phase]}` });
        }
      }
    }, log),
  ].map((l) => l.start());
  return {
    parentTaskId: parent,
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await redis.quit().catch(() => undefined);
    },
  };
}

class NexusWriter {
  readonly running = new Map<number, string>();
  private readonly tasks = new Map<string, Record<string, unknown>>();

  constructor(private readonly redis: Redis, readonly rng: Rng) {}

  /** json.dumps(event.model_dump()): every field present, null when unset. */
  async publish(eventType: string, fields: EventFields): Promise<void> {
    const event = {
      event_id: this.rng.uuid(), ts: new Date().toISOString().replace('Z', '000+00:00'), event_type: eventType,
      project_id: null, parent_task_id: null, task_id: null, task_type: null, phase: null, worker_id: null,
      retry_count: null, status: null, duration_ms: null, counts: null, queue: null, message: null, error: null, meta: null,
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    };
    const json = JSON.stringify(event);
    await this.redis.publish('nexus:events', json);
    if (event.project_id) await this.redis.publish(`nexus:events:project:${event.project_id}`, json);
    if (eventType === 'stats_snapshot' || eventType === 'queue_depth_update') await this.redis.publish('nexus:events:stats', json);
  }

  async heartbeat(worker: number): Promise<void> {
    await this.redis.set(`nexus:worker:heartbeat:${worker}`, 'active', 'EX', 30);
    await this.publish('worker_heartbeat', { worker_id: worker });
  }

  async enqueue(priority: number, parent?: string): Promise<string> {
    const id = this.rng.uuid();
    const queue = `nexus:tasks:${['low', 'normal', 'high'][priority]}_priority`;
    const task = {
      id, type: this.rng.pick(TYPES), payload: { query: `q-${this.rng.hex(4)}` }, priority, model_type: 'task', provider: 'openai',
      status: 'pending', created_at: new Date().toISOString(), started_at: null, completed_at: null, error: null, result: null,
      retry_count: 0, max_retries: 3, parent_task_id: parent ?? null,
    };
    this.tasks.set(id, task);
    const json = JSON.stringify(task);
    await this.redis.lpush(queue, json);
    await this.redis.set(`nexus:task:${id}:status`, 'pending', 'EX', 3600);
    await this.redis.set(`nexus:task:${id}:data`, json, 'EX', 3600);
    if (parent) {
      await this.redis.sadd(`nexus:task_group:${parent}`, id);
      await this.redis.expire(`nexus:task_group:${parent}`, 86_400);
    }
    await this.publish('task_enqueued', { task_id: id, parent_task_id: parent, project_id: parent ? NEXUS_PROJECT : undefined, task_type: task.type, status: 'pending', meta: { priority, queue } });
    return id;
  }

  /** RPOP from the highest non-empty priority list, as the coordinator's workers do. */
  async pop(): Promise<string | undefined> {
    for (const q of ['high', 'normal', 'low']) {
      const item = await this.redis.rpop(`nexus:tasks:${q}_priority`);
      if (item) return (JSON.parse(item) as { id: string }).id;
    }
    return undefined;
  }

  /** A worker takes a task: removed from its list (seeding takes specific ids), marked processing. */
  async take(id: string, worker: number): Promise<{ id: string; worker: number }> {
    const task = this.tasks.get(id)!;
    await this.redis.lrem(`nexus:tasks:${['low', 'normal', 'high'][task['priority'] as number]}_priority`, 1, JSON.stringify(task));
    Object.assign(task, { status: 'processing', started_at: new Date().toISOString() });
    await this.redis.set(`nexus:task:${id}:status`, 'processing', 'EX', 3600);
    await this.redis.set(`nexus:task:${id}:data`, JSON.stringify(task), 'EX', 3600);
    this.running.set(worker, id);
    const parent = task['parent_task_id'] as string | null;
    await this.publish('task_started', { task_id: id, parent_task_id: parent ?? undefined, project_id: parent ? NEXUS_PROJECT : undefined, task_type: task['type'] as string, worker_id: worker, status: 'processing', retry_count: 0 });
    return { id, worker };
  }

  async finish({ id, worker }: { id: string; worker: number }, ok: boolean): Promise<void> {
    const task = this.tasks.get(id)!;
    const status = ok ? 'completed' : 'failed';
    const error = ok ? undefined : 'LLM provider timeout after 3 retries';
    Object.assign(task, { status, completed_at: new Date().toISOString(), error: error ?? null });
    await this.redis.set(`nexus:task:${id}:status`, status, 'EX', 3600);
    await this.redis.set(`nexus:task:${id}:data`, JSON.stringify(task), 'EX', 3600);
    if (ok) await this.redis.set(`nexus:task:${id}:result`, JSON.stringify({ summary: 'ok', items: this.rng.int(1, 9) }), 'EX', 86_400);
    else await this.redis.set(`nexus:task:${id}:error`, error!, 'EX', 86_400);
    this.running.delete(worker);
    const parent = task['parent_task_id'] as string | null;
    await this.publish(ok ? 'task_completed' : 'task_failed', { task_id: id, parent_task_id: parent ?? undefined, project_id: parent ? NEXUS_PROJECT : undefined, task_type: task['type'] as string, worker_id: worker, status, duration_ms: this.rng.int(200, 5_000), ...(ok ? {} : { error, retry_count: 3 }) });
  }

  /** The two stats_snapshot forms: queue depths, and per research task counts. */
  async snapshot(parent: string): Promise<void> {
    const [high, normal, low] = await Promise.all(['high', 'normal', 'low'].map((q) => this.redis.llen(`nexus:tasks:${q}_priority`)));
    await this.publish('stats_snapshot', { queue: { high_priority: high!, normal_priority: normal!, low_priority: low! } });
    const members = await this.redis.smembers(`nexus:task_group:${parent}`);
    const counts: Record<string, number> = { completed: 0, failed: 0, pending: 0, processing: 0 };
    for (const m of members) {
      const s = this.tasks.get(m)?.['status'] as string | undefined;
      if (s && s in counts) counts[s]!++;
    }
    await this.publish('stats_snapshot', { parent_task_id: parent, project_id: NEXUS_PROJECT, counts });
  }
}
