// rhailib traffic for the demo and the tests, in both key schemes of shared/reference/protocols.md §1:
//   circles era: hash `rhai_task_details:<task_id>` {script, status, created_at, updated_at, reply_queue_name,
//                context_id, caller_id, output, error}; queue list `rhai_tasks:<circle_public_key>`;
//                statuses pending → processing → completed | error.
//   Hero dispatcher: hash `hero:job:<id>` with the exact fields of core/dispatcher/docs/protocol.md; queue
//                list `hero:work_queue:<worker_id>`; statuses dispatched → started → finished | error.
// Clients push task ids with RPUSH; workers take them from the left (BLPOP in rhailib, LPOP here).
import type Redis from 'ioredis';
import { redisFromUrl, Rng, TickLoop } from '../support/sim-loop';

export interface RhailibSimulatorOptions {
  readonly redisUrl: string;
  /** Redis Cluster seed nodes (`host:port`); when given, the simulator writes through a Cluster client. */
  readonly clusterNodes?: readonly string[];
  /** true: keep enqueuing and processing; false: write the seed and stop. */
  readonly live?: boolean;
  readonly log?: (msg: string) => void;
}

export interface RhailibSimulator { stop(): Promise<void> }

/** The seeded state, so tests can compare what a source reports with what was written. */
export const RHAILIB_SEED = {
  circles: {
    /** Busy circle: its worker drains the queue. */
    alpha: { publicKey: `02${'a1'.repeat(32)}`, pending: 2, processing: 1, completed: 4, error: 1 },
    /** A circle whose worker is down: work waits and nothing is picked up (shown as stale). */
    beta: { publicKey: `03${'b2'.repeat(32)}`, pending: 3, processing: 0, completed: 0, error: 0 },
  },
  hero: {
    osis: { dispatched: 1, started: 1, finished: 3, error: 1 },
    sal: { dispatched: 0, started: 0, finished: 2, error: 0 },
  },
} as const;

const SCRIPTS = ['let x = 40 + 2; x', 'print("hello from rhai"); 1', 'let v = [1, 2, 3]; v.len()', 'fail("boom")', 'let s = "ab"; s + "c"'];
const CALLER = `02${'c3'.repeat(32)}`;

export async function startRhailibSimulator(opts: RhailibSimulatorOptions): Promise<RhailibSimulator> {
  const log = opts.log ?? (() => undefined);
  const redis = redisFromUrl(opts.redisUrl, opts.clusterNodes);
  const rng = new Rng(7);
  const base = Date.now() - 10 * 60_000;
  const clock = { t: base };
  const stamp = (): string => new Date((clock.t += rng.int(200, 4_000))).toISOString();

  // ---- circles era
  for (const circle of Object.values(RHAILIB_SEED.circles)) {
    const plan: [string, number][] = [['completed', circle.completed], ['error', circle.error], ['processing', circle.processing], ['pending', circle.pending]];
    for (const [status, n] of plan) {
      for (let i = 0; i < n; i++) await writeRhaiTask(redis, rng, circle.publicKey, status, stamp);
    }
  }
  // ---- Hero dispatcher
  for (const [worker, counts] of Object.entries(RHAILIB_SEED.hero)) {
    const plan: [string, number][] = [['finished', counts.finished], ['error', counts.error], ['started', counts.started], ['dispatched', counts.dispatched]];
    for (const [status, n] of plan) {
      for (let i = 0; i < n; i++) await writeHeroJob(redis, rng, worker, status, stamp);
    }
  }
  log('rhailib: seeded circles alpha/beta and Hero workers osis/sal');

  if (!(opts.live ?? true)) {
    await redis.quit();
    return { stop: async () => undefined };
  }

  const now = (): string => new Date().toISOString();
  // What each worker is running lives in the simulator only: it writes nothing outside the protocol's keys.
  const current = new Map<string, string>();
  const alpha = RHAILIB_SEED.circles.alpha.publicKey;
  const loops = [
    // Clients: new work every second or so, on both schemes (beta's worker stays down).
    new TickLoop(900, async () => {
      await writeRhaiTask(redis, rng, rng.next() < 0.85 ? alpha : RHAILIB_SEED.circles.beta.publicKey, 'pending', now);
      if (rng.next() < 0.6) await writeHeroJob(redis, rng, rng.pick(['osis', 'sal']), 'dispatched', now);
    }, log),
    // Workers: finish what is running, then take the next id from the left of the queue.
    new TickLoop(1_300, async () => {
      await work(redis, rng, current, `rhai_tasks:${alpha}`, 'rhai_task_details:', ['processing', 'completed', 'error'], 'output');
      for (const w of ['osis', 'sal']) await work(redis, rng, current, `hero:work_queue:${w}`, 'hero:job:', ['started', 'finished', 'error'], 'output');
    }, log),
  ].map((l) => l.start());
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await redis.quit().catch(() => undefined);
    },
  };
}

async function writeRhaiTask(redis: Redis, rng: Rng, circle: string, status: string, stamp: () => string): Promise<void> {
  const id = rng.uuid();
  const created = stamp();
  const fields: Record<string, string> = {
    script: rng.pick(SCRIPTS), status, created_at: created, updated_at: status === 'pending' ? created : stamp(),
    reply_queue_name: `rhai_reply:${rng.uuid()}`, context_id: circle, caller_id: CALLER,
  };
  if (status === 'completed') fields['output'] = String(rng.int(1, 99));
  if (status === 'error') fields['error'] = 'Runtime error: boom (line 1, position 1)';
  await redis.hset(`rhai_task_details:${id}`, fields);
  if (status === 'pending') await redis.rpush(`rhai_tasks:${circle}`, id);
}

async function writeHeroJob(redis: Redis, rng: Rng, worker: string, status: string, stamp: () => string): Promise<void> {
  const id = rng.uuid();
  const created = stamp();
  const fields: Record<string, string> = {
    id, caller_id: CALLER, worker_id: worker, context_id: `ctx-${worker}`, script: rng.pick(SCRIPTS), timeout: '60',
    retries: String(rng.int(0, 2)), concurrent: 'false', log_path: `/tmp/hero/${id}.log`, created_at: created,
    updated_at: status === 'dispatched' ? created : stamp(), status, env_vars: '{"RUST_LOG":"info"}',
    prerequisites: '[]', dependents: '[]', dependencies: '[]',
  };
  if (status === 'finished') fields['output'] = `ok ${rng.int(1, 99)}`;
  if (status === 'error') fields['error'] = 'script timed out after 60 s';
  await redis.hset(`hero:job:${id}`, fields);
  if (status === 'dispatched') await redis.rpush(`hero:work_queue:${worker}`, id);
}

/** One worker step: settle the task it is running (the one marked `statuses[0]`), then start the next. */
async function work(redis: Redis, rng: Rng, runningByQueue: Map<string, string>, queue: string, taskPrefix: string, statuses: [string, string, string], outputField: string): Promise<void> {
  const [running, done, failed] = statuses;
  const current = runningByQueue.get(queue);
  if (current) {
    const ok = rng.next() > 0.15;
    await redis.hset(`${taskPrefix}${current}`, { status: ok ? done : failed, updated_at: new Date().toISOString(), ...(ok ? { [outputField]: String(rng.int(1, 99)) } : { error: 'Runtime error: boom' }) });
    runningByQueue.delete(queue);
  }
  const next = await redis.lpop(queue);
  if (next) {
    await redis.hset(`${taskPrefix}${next}`, { status: running, updated_at: new Date().toISOString() });
    runningByQueue.set(queue, next);
  }
}
