// pynenc and Rustvello traffic for the demo and the tests, written exactly in the layouts of
// shared/reference/protocols.md §3:
//   pynenc (`__pynenc__:{app}:…`): invocation ids move between `orchestrator:status:{status}` sets along
//     pynenc's own transitions (registered → pending → running → success | failed | retry → pending …, paused →
//     resumed); each change rewrites `orchestrator:invocation_status:{id}` ({status, runner_id, timestamp}) and
//     appends to `state_backend:history:{id}`; registered ids are RPUSHed to `broker:default_queue`; runners
//     keep `orchestrator:runner_heartbeats` (zset) and `runner_heartbeat:{id}` (hash) fresh; a workflow groups
//     a parent and its children (`state_backend:workflow:invocations:{wf}`, `parent_invocation_children:{id}`).
//   Rustvello (`rustvello:{app}:…`): `orch:status:{id}` records with PascalCase statuses (serde), the broker
//     list `broker:global`, and `orch:heartbeat:{runner}` (unix seconds; the value's format is inferred).
import type Redis from 'ioredis';
import { redisFromUrl, Rng, TickLoop, writeBatch } from '../support/sim-loop';

export interface PynencSimulatorOptions {
  readonly redisUrl: string;
  /** Redis Cluster seed nodes (`host:port`); when given, the simulator writes through a Cluster client. */
  readonly clusterNodes?: readonly string[];
  readonly live?: boolean;
  readonly log?: (msg: string) => void;
}

export const PYNENC_DEMO_APP = 'demo_app';
export const RUSTVELLO_DEMO_APP = 'demo_rs';

type Path = readonly string[];
interface SeedInvocation { readonly task: string; readonly path: Path; readonly runner?: string; readonly workflow?: 'parent' | 'child' }

const P_DONE = ['registered', 'pending', 'running', 'success'];
/** pynenc seed: each invocation walks its whole path (each step a real transition); the last step is its status. */
export const PYNENC_SEED: readonly SeedInvocation[] = [
  { task: 'tasks.send_email', path: P_DONE, runner: 'runner-a' },
  { task: 'tasks.send_email', path: P_DONE, runner: 'runner-b' },
  { task: 'tasks.resize_image', path: P_DONE, runner: 'runner-a' },
  { task: 'tasks.resize_image', path: ['registered', 'pending', 'running', 'failed'], runner: 'runner-b' },
  { task: 'tasks.charge_card', path: ['registered', 'pending', 'running', 'retry', 'pending', 'running'], runner: 'runner-a' },
  { task: 'tasks.send_email', path: ['registered'] },
  { task: 'tasks.send_email', path: ['registered'] },
  { task: 'tasks.export_csv', path: ['registered', 'pending', 'running', 'paused', 'resumed'], runner: 'runner-b' },
  { task: 'tasks.aggregate_report', path: ['registered', 'pending', 'running'], runner: 'runner-b', workflow: 'parent' },
  { task: 'tasks.fetch_page', path: P_DONE, runner: 'runner-a', workflow: 'child' },
  { task: 'tasks.fetch_page', path: P_DONE, runner: 'runner-b', workflow: 'child' },
  { task: 'tasks.fetch_page', path: ['registered', 'pending', 'running', 'failed'], runner: 'runner-a', workflow: 'child' },
  { task: 'tasks.fetch_page', path: ['registered', 'pending'], workflow: 'child' },
];

/** Rustvello seed, statuses as serde writes them (PascalCase); there is no Resumed: Paused → Running. */
export const RUSTVELLO_SEED: readonly SeedInvocation[] = [
  { task: 'rust::demo_rs.add', path: ['Registered', 'Pending', 'Running', 'Success'], runner: 'rs-runner-1' },
  { task: 'rust::demo_rs.add', path: ['Registered', 'Pending', 'Running', 'Success'], runner: 'rs-runner-1' },
  { task: 'rust::demo_rs.crawl', path: ['Registered', 'Pending', 'Running', 'Failed'], runner: 'rs-runner-1' },
  { task: 'rust::demo_rs.crawl', path: ['Registered', 'Pending', 'Running', 'Paused', 'Running'], runner: 'rs-runner-1' },
  { task: 'rust::demo_rs.add', path: ['Registered'] },
  { task: 'rust::demo_rs.add', path: ['Registered'] },
];

/** pynenc runners: two alive, one whose heartbeat stopped 20 minutes ago. */
export const PYNENC_RUNNERS = { alive: ['runner-a', 'runner-b'], dead: ['runner-old'] } as const;

export interface PynencSimulator { readonly workflowId: string; stop(): Promise<void> }

const NEXT_PYNENC: Readonly<Record<string, readonly [string, number][]>> = {
  registered: [['pending', 1]], pending: [['running', 1]], retry: [['pending', 1]], paused: [['resumed', 1]], resumed: [['success', 1]],
  running: [['success', 0.7], ['failed', 0.1], ['retry', 0.15], ['paused', 0.05]],
};
const NEXT_RUST: Readonly<Record<string, readonly [string, number][]>> = {
  Registered: [['Pending', 1]], Pending: [['Running', 1]], Retry: [['Pending', 1]], Paused: [['Running', 1]],
  Running: [['Success', 0.75], ['Failed', 0.1], ['Retry', 0.15]],
};

export async function startPynencSimulator(opts: PynencSimulatorOptions): Promise<PynencSimulator> {
  const log = opts.log ?? (() => undefined);
  const redis = redisFromUrl(opts.redisUrl, opts.clusterNodes);
  const rng = new Rng(11);
  const py = new PynencWriter(redis, PYNENC_DEMO_APP);
  const rs = new RustvelloWriter(redis, RUSTVELLO_DEMO_APP);
  const now = Date.now();
  let t = now - 5 * 60_000;
  const tick = () => (t += rng.int(100, 2_000));

  for (const r of PYNENC_RUNNERS.alive) await py.heartbeat(r, now - 60 * 60_000, now);
  for (const r of PYNENC_RUNNERS.dead) await py.heartbeat(r, now - 2 * 60 * 60_000, now - 20 * 60_000);
  await rs.heartbeat('rs-runner-1', now);

  const workflowId = rng.uuid();
  const parentId = workflowId; // pynenc: the workflow's root invocation id is the workflow id
  for (const seed of PYNENC_SEED) {
    const id = seed.workflow === 'parent' ? parentId : rng.uuid();
    await py.register(id, seed.task, tick(), seed.workflow ? { workflowId, parentId: seed.workflow === 'child' ? parentId : undefined, workflowType: 'tasks.aggregate_report' } : undefined);
    for (const status of seed.path.slice(1)) await py.move(id, status, needsRunner(status) ? seed.runner : undefined, tick());
  }
  for (const seed of RUSTVELLO_SEED) {
    const id = rng.uuid();
    await rs.register(id, seed.task, tick());
    for (const status of seed.path.slice(1)) await rs.move(id, status, needsRunner(status.toLowerCase()) ? seed.runner : undefined, tick());
  }
  log(`pynenc: seeded ${PYNENC_SEED.length} invocations in ${PYNENC_DEMO_APP} (workflow ${workflowId}) and ${RUSTVELLO_SEED.length} in ${RUSTVELLO_DEMO_APP}`);

  if (!(opts.live ?? true)) {
    await redis.quit();
    return { workflowId, stop: async () => undefined };
  }
  const loops = [
    new TickLoop(700, async () => {
      const at = Date.now();
      for (const r of PYNENC_RUNNERS.alive) await py.heartbeat(r, undefined, at);
      await rs.heartbeat('rs-runner-1', at);
      if (rng.next() < 0.5) await py.register(rng.uuid(), rng.pick(['tasks.send_email', 'tasks.resize_image', 'tasks.charge_card']), at);
      if (rng.next() < 0.35) await rs.register(rng.uuid(), 'rust::demo_rs.add', at);
      await advance(py, rng, NEXT_PYNENC, PYNENC_RUNNERS.alive, at);
      await advance(rs, rng, NEXT_RUST, ['rs-runner-1'], at);
    }, log),
  ].map((l) => l.start());
  return {
    workflowId,
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await redis.quit().catch(() => undefined);
    },
  };
}

function needsRunner(status: string): boolean {
  return ['running', 'paused', 'resumed', 'success', 'failed', 'retry'].includes(status);
}

/** Moves a few non-final invocations one step along their system's transitions. */
async function advance(w: StatusWriter, rng: Rng, next: Readonly<Record<string, readonly [string, number][]>>, runners: readonly string[], at: number): Promise<void> {
  for (const [id, status] of [...w.open].slice(0, 4)) {
    const choices = next[status];
    if (!choices || rng.next() < 0.4) continue;
    let roll = rng.next();
    const [to] = choices.find(([, p]) => (roll -= p) <= 0) ?? choices[0]!;
    await w.move(id, to, needsRunner(to.toLowerCase()) ? rng.pick(runners) : undefined, at);
  }
}

interface StatusWriter { readonly open: Map<string, string>; move(id: string, status: string, runner: string | undefined, at: number): Promise<void> }

class PynencWriter implements StatusWriter {
  readonly open = new Map<string, string>();
  private readonly p: string;
  constructor(private readonly redis: Redis, readonly app: string) { this.p = `__pynenc__:${app}:`; }

  async heartbeat(runner: string, created: number | undefined, at: number): Promise<void> {
    if (created !== undefined) {
      await this.redis.zadd(`${this.p}orchestrator:runner_heartbeats`, created / 1000, runner);
      await this.redis.hset(`${this.p}orchestrator:runner_heartbeat:${runner}`, { creation_timestamp: String(created / 1000), can_run_atomic_service: runner.endsWith('a') ? '1' : '0', last_service_start: '', last_service_end: '' });
    }
    await this.redis.hset(`${this.p}orchestrator:runner_heartbeat:${runner}`, 'last_heartbeat', String(at / 1000));
  }

  async register(id: string, task: string, at: number, wf?: { workflowId: string; parentId?: string; workflowType: string }): Promise<void> {
    const invocation = {
      invocation_id: id, call_id_key: `${task}#${id.slice(0, 8)}`, task_id_key: task, arguments_id: id.slice(0, 8),
      serialized_arguments: { to: 'user@example.com', n: 3 }, parent_invocation_id: wf?.parentId ?? null,
      workflow_id: wf?.workflowId ?? id, workflow_type_key: wf?.workflowType ?? task, parent_workflow_id: null,
    };
    await this.redis.set(`${this.p}state_backend:invocation:${id}`, JSON.stringify(invocation));
    await this.redis.zadd(`${this.p}orchestrator:all_invocations_by_time`, at / 1000, id);
    if (wf) await this.redis.sadd(`${this.p}state_backend:workflow:invocations:${wf.workflowId}`, id);
    if (wf?.parentId) await this.redis.sadd(`${this.p}state_backend:parent_invocation_children:${wf.parentId}`, id);
    await this.move(id, 'registered', undefined, at);
  }

  async move(id: string, status: string, runner: string | undefined, at: number): Promise<void> {
    const record = { status, runner_id: runner ?? null, timestamp: new Date(at).toISOString().replace('Z', '+00:00') };
    const previous = this.open.get(id);
    const m = writeBatch(this.redis);
    if (previous) m.srem(`${this.p}orchestrator:status:${previous}`, id);
    m.sadd(`${this.p}orchestrator:status:${status}`, id);
    m.set(`${this.p}orchestrator:invocation_status:${id}`, JSON.stringify(record));
    m.rpush(`${this.p}state_backend:history:${id}`, JSON.stringify({ invocation_id: id, _timestamp: record.timestamp, status_record: record, runner_context_id: runner ?? null, registered_by_inv_id: null }));
    if (status === 'registered') m.rpush(`${this.p}broker:default_queue`, id);
    if (status === 'pending') m.lrem(`${this.p}broker:default_queue`, 1, id); // the runner took it from the broker
    if (status === 'success') m.set(`${this.p}state_backend:result:${id}`, JSON.stringify({ ok: true }));
    if (status === 'failed') m.set(`${this.p}state_backend:exception:${id}`, JSON.stringify({ error_name: 'ValueError', message: 'bad input' }));
    await m.exec();
    if (['success', 'failed', 'concurrency_controlled_final'].includes(status)) this.open.delete(id);
    else this.open.set(id, status);
  }
}

class RustvelloWriter implements StatusWriter {
  readonly open = new Map<string, string>();
  private readonly p: string;
  constructor(private readonly redis: Redis, readonly app: string) { this.p = `rustvello:${app}:`; }

  async heartbeat(runner: string, at: number): Promise<void> {
    await this.redis.set(`${this.p}orch:heartbeat:${runner}`, String(at / 1000));
  }

  /** The task id is not written: Rustvello's `orch:task_inv:` layout is not documented (protocols.md §3). */
  async register(id: string, _task: string, at: number): Promise<void> {
    await this.move(id, 'Registered', undefined, at);
  }

  async move(id: string, status: string, runner: string | undefined, at: number): Promise<void> {
    const m = writeBatch(this.redis);
    m.set(`${this.p}orch:status:${id}`, JSON.stringify({ status, runner_id: runner ?? null, timestamp: new Date(at).toISOString() }));
    if (status === 'Registered') m.rpush(`${this.p}broker:global`, id);
    if (status === 'Pending') m.lrem(`${this.p}broker:global`, 1, id);
    await m.exec();
    if (['Success', 'Failed', 'ConcurrencyControlledFinal'].includes(status)) this.open.delete(id);
    else this.open.set(id, status);
  }
}
