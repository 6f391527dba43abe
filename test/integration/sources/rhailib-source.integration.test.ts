// rhailib source against a real redis-server, fed by demo/rhailib/simulator.ts (both key schemes) and by
// hand-built records that cite shared/reference/protocols.md §1; bad records are rejected, never fatal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog } from '../../helpers/source-session';
import { RHAILIB_SEED, startRhailibSimulator } from '../../../demo/rhailib/simulator';
import { DETAIL_VALUE_MAX_BYTES } from '../../../src/core/model/task-detail';

let redis: RedisServerHandle;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

const rhaiProfile = () => aProfile({ system: 'rhailib', url: redis.url });

test('simulator state: queues, counts by each scheme\'s own statuses, workers, tasks, metrics', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  await startRhailibSimulator({ redisUrl: redis.url, live: false });
  const session = await connectedSession(rhaiProfile());
  try {
    const { alpha, beta } = RHAILIB_SEED.circles;
    const queues = new Map(session.store.queues('it').map((q) => [q.name, q.counts]));
    assert.deepEqual(new Set(queues.keys()), new Set([`rhai_tasks:${alpha.publicKey}`, `rhai_tasks:${beta.publicKey}`, 'hero:work_queue:osis', 'hero:work_queue:sal']));
    assert.deepEqual({ ...queues.get(`rhai_tasks:${alpha.publicKey}`) }, { pending: 2, processing: 1, completed: 4, error: 1 });
    assert.deepEqual({ ...queues.get(`rhai_tasks:${beta.publicKey}`) }, { pending: 3, processing: 0, completed: 0, error: 0 });
    assert.deepEqual({ ...queues.get('hero:work_queue:osis') }, { ...RHAILIB_SEED.hero.osis });
    assert.deepEqual({ ...queues.get('hero:work_queue:sal') }, { ...RHAILIB_SEED.hero.sal });

    const tasks = session.store.tasks('it');
    assert.equal(tasks.length, 8 + 3 + 6 + 2);
    // Every task equals its hash in Redis.
    for (const t of tasks) {
      const key = t.queue!.startsWith('hero:') ? `hero:job:${t.id}` : `rhai_task_details:${t.id}`;
      assert.equal(t.status, await client.hget(key, 'status'), key);
    }

    const workers = new Map(session.store.workers('it').map((w) => [w.id, w]));
    assert.deepEqual(new Set(workers.keys()), new Set([alpha.publicKey, beta.publicKey, 'hero:osis', 'hero:sal']));
    const busy = workers.get(alpha.publicKey)!;
    assert.equal(busy.status, 'busy');
    const processing = tasks.find((t) => t.status === 'processing')!;
    assert.equal(busy.currentTask, processing.id);
    assert.equal(workers.get(beta.publicKey)!.status, 'stale', 'work waits and nobody picks it up');
    assert.equal(workers.get('hero:osis')!.status, 'busy');
    assert.equal(workers.get('hero:osis')!.queue, 'hero:work_queue:osis');

    const depth = session.store.series().find((s) => s.name === 'rhailib_queue_depth' && s.labels['queue'] === `rhai_tasks:${beta.publicKey}`);
    assert.equal(depth?.samples.toArray().at(-1)?.[1], 3);
    assert.ok(session.store.series().some((s) => s.name === 'rhailib_processed_per_minute'));

    const failed = tasks.find((t) => t.queue === 'hero:work_queue:osis' && t.status === 'error')!;
    const detail = await session.taskDetail('it', { queue: failed.queue, id: failed.id }, DETAIL_VALUE_MAX_BYTES);
    assert.equal(detail?.task.status, 'error');
    assert.equal(detail?.values['error']?.text, 'script timed out after 60 s');
    assert.ok(detail?.values['script']);
    assert.deepEqual(JSON.parse(detail!.values['env_vars']!.text), { RUST_LOG: 'info' });
    assert.equal(await session.taskDetail('it', { id: 'no-such-task' }, 100), undefined);
    assert.deepEqual(session.supervisor('it')!.source.actions().map((a) => a.id), ['refresh'], 'rhailib documents no external retry');
  } finally {
    await session.dispose();
    client.disconnect();
  }
});

test('live simulator: a refresh shows the workers progressing', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  const sim = await startRhailibSimulator({ redisUrl: redis.url, live: true });
  const session = await connectedSession(rhaiProfile());
  try {
    const alphaQueue = `rhai_tasks:${RHAILIB_SEED.circles.alpha.publicKey}`;
    const before = session.store.queue(`queue:it:${alphaQueue}`)!.counts;
    await new Promise((r) => setTimeout(r, 3_000));
    await session.refresh('it');
    await new Promise((r) => setImmediate(r));
    const afterCounts = session.store.queue(`queue:it:${alphaQueue}`)!.counts;
    const finished = (c: Readonly<Record<string, number>>) => (c['completed'] ?? 0) + (c['error'] ?? 0);
    assert.ok(finished(afterCounts) > finished(before), `${JSON.stringify(before)} → ${JSON.stringify(afterCounts)}`);
  } finally {
    await session.dispose();
    await sim.stop();
    client.disconnect();
  }
});

test('bad records: missing status, wrong key types and unreadable fields are rejected; the rest is shown', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  // protocols.md §1(b): hero:job:{id} hash with `status` one of dispatched/started/error/finished.
  await client.hset('hero:job:good', { id: 'good', worker_id: 'w1', status: 'finished', created_at: '2025-07-29T10:00:00Z', updated_at: '2025-07-29T10:00:05Z' });
  await client.hset('hero:job:nostatus', { id: 'nostatus', worker_id: 'w1', script: '1' });
  await client.hset('hero:job:badretries', { status: 'started', worker_id: 'w1', retries: 'many' });
  await client.set('hero:job:string', 'not a hash');
  await client.set('rhai_tasks:notalist', 'x');
  // §1(a): camelCase fields are accepted too (the circles-era field names were never found).
  await client.hset('rhai_task_details:camel', { status: 'processing', contextId: 'circleX', createdAt: '1753783200' });
  const log = recordingLog();
  const session = await connectedSession(rhaiProfile(), log);
  try {
    const ids = session.store.tasks('it').map((t) => t.id).sort();
    assert.deepEqual(ids, ['camel', 'good']);
    const camel = session.store.tasks('it').find((t) => t.id === 'camel')!;
    assert.equal(camel.queue, 'rhai_tasks:circleX');
    assert.equal(camel.createdAt, 1753783200_000);
    assert.equal(session.store.connection('it')!.rejectedFrames, 4);
    // Logged once per kind per window (the supervisor rate-limits), counted every time.
    assert.ok(log.warnings.some((w) => w.includes('rejected rhailib-task')), log.warnings.join('\n'));
    assert.ok(log.warnings.some((w) => w.includes('WRONGTYPE')));
    assert.equal(session.store.connection('it')!.state, 'connected');
    assert.equal(await session.taskDetail('it', { id: 'string' }, 100), undefined);
  } finally {
    await session.dispose();
    client.disconnect();
  }
});
