// Every BullMQ action run by the source against real bullmq v5 and v6 queues, verified by reading Redis
// afterwards: the job moved, and nothing else was touched (other jobs, meta, other queues).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue as QueueV5, Worker as WorkerV5 } from 'bullmq5';
import { Queue as QueueV6, Worker as WorkerV6 } from 'bullmq6';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { connectSource, progress } from './bullmq-fixture';

let redis: RedisServerHandle;
let raw: Redis;
before(async () => { redis = await startRedisServer(); raw = new Redis(redis.port, '127.0.0.1'); });
after(async () => { raw?.disconnect(); await redis?.stop(); });

async function failJobs(W: typeof WorkerV5, name: string, n: number): Promise<void> {
  const connection = { host: '127.0.0.1', port: redis.port };
  let seen = 0;
  const worker = new W(name, async () => { throw new Error('nope'); }, { connection });
  await new Promise<void>((resolve) => worker.on('failed', () => { if (++seen === n) resolve(); }));
  await worker.close();
}

for (const [major, Q, W] of [[5, QueueV5, WorkerV5], [6, QueueV6 as unknown as typeof QueueV5, WorkerV6 as unknown as typeof WorkerV5]] as const) {
  test(`v${major}: retry (single and multi), retry all failed in batches, promote, remove — Redis checked after each`, async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const name = `act${major}`;
    const q = new Q(name, { connection });
    const other = new Q(`${name}-other`, { connection });
    await other.add('bystander', { keep: true });
    const jobs = await q.addBulk(Array.from({ length: 12 }, (_, i) => ({ name: `j${i}`, data: { i } })));
    await failJobs(W, name, 12);
    const metaBefore = await raw.hgetall(`bull:${name}:meta`);
    const otherBefore = await other.getJobCounts();
    const { source } = await connectSource(redis.url);

    const r1 = await source.runAction('retry', { kind: 'task', queue: name, ids: [jobs[0]!.id!] }, progress());
    assert.equal(r1.ok, true, r1.message);
    assert.equal(await raw.zscore(`bull:${name}:failed`, jobs[0]!.id!), null);
    assert.ok((await raw.lrange(`bull:${name}:wait`, 0, -1)).includes(jobs[0]!.id!), 'retried job is back in wait');
    assert.equal(await raw.zcard(`bull:${name}:failed`), 11, 'only that job moved');

    const r2 = await source.runAction('retry', { kind: 'task', queue: name, ids: [jobs[1]!.id!, jobs[2]!.id!, 'no-such-job'] }, progress());
    assert.equal(r2.affected, 2);
    assert.match(r2.message, /no-such-job no longer exists/);
    assert.equal(await raw.zcard(`bull:${name}:failed`), 9);

    const p = progress();
    const r3 = await source.runAction('retryAllFailed', { kind: 'queue', queue: name }, p);
    assert.equal(r3.ok, true, r3.message);
    assert.equal(r3.affected, 9);
    assert.equal(await raw.zcard(`bull:${name}:failed`), 0);
    assert.equal(await raw.llen(`bull:${name}:wait`), 12);
    assert.deepEqual(p.reports.at(-1), [9, 9]);
    const retried = await raw.xrevrange(`bull:${name}:events`, '+', '-', 'COUNT', 1);
    assert.ok(retried[0]?.[1].includes('waiting'), 'the script wrote the waiting event');

    // Promote a delayed job, then all delayed.
    const d1 = await q.add('d1', {}, { delay: 600_000 });
    await q.add('d2', {}, { delay: 600_000 });
    await q.add('d3', {}, { delay: 600_000 });
    const r4 = await source.runAction('promote', { kind: 'task', queue: name, ids: [d1.id!] }, progress());
    assert.equal(r4.ok, true, r4.message);
    assert.equal(await raw.zcard(`bull:${name}:delayed`), 2);
    assert.ok((await raw.lrange(`bull:${name}:wait`, 0, -1)).includes(d1.id!));
    const r4b = await source.runAction('promote', { kind: 'task', queue: name, ids: [jobs[3]!.id!] }, progress());
    assert.match(r4b.message, /is not delayed/);
    const r5 = await source.runAction('promoteAllDelayed', { kind: 'queue', queue: name }, progress());
    assert.equal(r5.affected, 2);
    assert.equal(await raw.zcard(`bull:${name}:delayed`), 0);

    // Remove one job: its hash is gone, the others stay.
    const r6 = await source.runAction('remove', { kind: 'task', queue: name, ids: [jobs[4]!.id!] }, progress());
    assert.equal(r6.ok, true, r6.message);
    assert.equal(await raw.exists(`bull:${name}:${jobs[4]!.id!}`), 0);
    assert.equal(await raw.llen(`bull:${name}:wait`), 14);

    assert.deepEqual(await raw.hgetall(`bull:${name}:meta`), metaBefore, 'meta untouched (skipMetasUpdate)');
    assert.deepEqual(await other.getJobCounts(), otherBefore, 'the other queue is untouched');
    await source.disconnect();
    await Promise.all([q.obliterate({ force: true }), other.obliterate({ force: true })]);
    await Promise.all([q.close(), other.close()]);
  });

  test(`v${major}: pause/resume, clean with a grace period, drain, obliterate`, async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const name = `qact${major}`;
    const q = new Q(name, { connection });
    await q.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: { i } })));
    await failJobs(W, name, 5);
    const { source } = await connectSource(redis.url);

    assert.equal((await source.runAction('pause', { kind: 'queue', queue: name }, progress())).ok, true);
    assert.equal(await raw.hget(`bull:${name}:meta`, 'paused'), '1');
    assert.equal(await q.isPaused(), true);
    assert.equal((await source.runAction('resume', { kind: 'queue', queue: name }, progress())).ok, true);
    assert.equal(await raw.hget(`bull:${name}:meta`, 'paused'), null);

    const young = await source.runAction('clean', { kind: 'queue', queue: name, params: { state: 'failed', graceMs: 3_600_000 } }, progress());
    assert.equal(young.affected, 0, 'nothing older than an hour');
    assert.equal(await raw.zcard(`bull:${name}:failed`), 5);
    const bad = await source.runAction('clean', { kind: 'queue', queue: name, params: { state: 'bogus', graceMs: 0 } }, progress());
    assert.equal(bad.ok, false);
    const cleaned = await source.runAction('clean', { kind: 'queue', queue: name, params: { state: 'failed', graceMs: 0 } }, progress());
    assert.equal(cleaned.affected, 5, cleaned.message);
    assert.equal(await raw.zcard(`bull:${name}:failed`), 0);

    await q.addBulk(Array.from({ length: 4 }, (_, i) => ({ name: `w${i}`, data: { i } })));
    await q.add('later', {}, { delay: 600_000 });
    assert.equal((await source.runAction('drain', { kind: 'queue', queue: name }, progress())).ok, true);
    assert.equal(await raw.llen(`bull:${name}:wait`), 0);
    assert.equal(await raw.zcard(`bull:${name}:delayed`), 1, 'drain without "delayed" keeps delayed jobs');

    const ob = await source.runAction('obliterate', { kind: 'queue', queue: name }, progress());
    assert.equal(ob.ok, true, ob.message);
    assert.deepEqual(await raw.keys(`bull:${name}:*`), []);
    await source.disconnect();
    await q.close();
  });
}

test('unknown major and read-only profiles: actions refused with the reason, nothing written', async () => {
  await raw.hset('bull:future:meta', 'version', 'bullmq:9.0.0');
  await raw.zadd('bull:future:failed', 1, '1');
  await raw.hset('bull:future:1', 'name', 'x', 'data', '{}', 'failedReason', 'f');
  await raw.set('bull:future:id', '1');
  const { source } = await connectSource(redis.url);
  const r = await source.runAction('retry', { kind: 'task', queue: 'future', ids: ['1'] }, progress());
  assert.equal(r.ok, false);
  assert.match(r.message, /bullmq:9\.0\.0; Taskscope runs actions only with BullMQ 5 or 6/);
  assert.equal(await raw.zcard('bull:future:failed'), 1);
  await source.disconnect();

  const ro = await connectSource(redis.url, { readOnly: true });
  const r2 = await ro.source.runAction('retry', { kind: 'task', queue: 'future', ids: ['1'] }, progress());
  assert.match(r2.message, /read-only/);
  await ro.source.disconnect();
});
