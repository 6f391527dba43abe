// BullMQ source against a real redis-server, with queues written by real bullmq v5 and v6: discovery by SCAN,
// counts equal to Queue.getJobCounts(), paused flag, workers from CLIENT LIST, bad keys, and reconnection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue as QueueV5, Worker as WorkerV5 } from 'bullmq5';
import { Queue as QueueV6 } from 'bullmq6';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import type { SourceLogger } from '../../../src/core/source/source';

let redis: RedisServerHandle;
const quietLog: SourceLogger & { warnings: string[] } = {
  warnings: [],
  debug: () => undefined, info: () => undefined, error: () => undefined,
  warn(m: string) { this.warnings.push(m); },
};

function profile(url: string, extra: Record<string, unknown> = {}): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'it', kind: 'redis', system: 'bullmq', url, ...extra }]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

async function connected(session: MonitorSession, id: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (session.store.connection(id)?.state !== 'connected') {
    if (Date.now() - started > timeoutMs) throw new Error(`not connected: ${JSON.stringify(session.store.connection(id))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setImmediate(r));
}

before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

test('counts for v5 and v6 queues equal bullmq Queue.getJobCounts(), paused shown', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const v5 = new QueueV5('orders', { connection });
  const v5paused = new QueueV5('reports', { connection });
  const v6 = new QueueV6('mail', { connection });
  await v5.addBulk(Array.from({ length: 7 }, (_, i) => ({ name: 'o', data: { i } })));
  await v5.add('later', {}, { delay: 60_000 });
  await v5.add('urgent', {}, { priority: 3 });
  await v5paused.add('r', {});
  await v5paused.pause();
  await v5paused.add('r2', {});
  await v6.add('m', {});
  await v6.add('m2', {}, { delay: 30_000 });
  const worker = new WorkerV5('orders', async (job) => { if (job.data.i % 2) throw new Error('odd'); return 'ok'; }, { connection, name: 'order-worker' });
  await new Promise<void>((resolve) => { let n = 0; const done = () => { if (++n === 8) resolve(); }; worker.on('completed', done); worker.on('failed', done); });

  const session = new MonitorSession({ log: quietLog });
  await session.setProfiles([profile(redis.url)]);
  session.setVisible(true);
  session.startAll();
  await connected(session, 'it');

  const byName = new Map(session.store.queues('it').map((q) => [q.name, q]));
  assert.deepEqual([...byName.keys()].sort(), ['mail', 'orders', 'reports']);
  assert.deepEqual({ ...byName.get('orders')!.counts }, await v5.getJobCounts());
  assert.deepEqual({ ...byName.get('reports')!.counts }, await v5paused.getJobCounts());
  assert.deepEqual({ ...byName.get('mail')!.counts }, await v6.getJobCounts());
  assert.equal('paused' in byName.get('mail')!.counts, false, 'v6 has no paused state');
  assert.equal(byName.get('reports')!.paused, true);
  assert.equal(byName.get('orders')!.paused, false);
  assert.match(byName.get('mail')!.version ?? '', /^bullmq:6\./);
  assert.match(byName.get('orders')!.version ?? '', /^bullmq:5\./);

  const workers = session.store.workers('it');
  assert.equal(workers.length, 1);
  assert.equal(workers[0]!.queue, 'orders');
  assert.match(workers[0]!.id, /^orders\/order-worker@/);

  // Live: a change in Redis shows after the next poll.
  await worker.close();
  await v5.add('more', {});
  await session.refresh('it');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual({ ...session.store.queue('queue:it:orders')!.counts }, await v5.getJobCounts());
  assert.equal(session.store.workers('it').length, 0, 'a closed worker leaves the Workers list');

  await session.dispose();
  await Promise.all([v5.close(), v5paused.close(), v6.close()]);
});

test('a key of the wrong type is counted as rejected and does not break the other queues', async () => {
  const client = new Redis(redis.port, '127.0.0.1');
  await client.set('odd:broken:meta', 'not-a-hash');
  await client.set('odd:broken:wait', 'not-a-list');
  await client.hset('odd:fine:meta', 'version', 'bullmq:5.81.5');
  await client.rpush('odd:fine:wait', '1', '2');
  const session = new MonitorSession({ log: quietLog });
  await session.setProfiles([profile(redis.url, { prefix: 'odd' })]);
  session.startAll();
  await connected(session, 'it');
  assert.equal(session.store.queue('queue:it:fine')?.counts['waiting'], 2);
  assert.equal(session.store.queue('queue:it:broken')?.counts['waiting'], 0);
  assert.ok((session.store.connection('it')?.rejectedFrames ?? 0) >= 1);
  assert.ok(quietLog.warnings.some((w) => w.includes('bullmq-key-type')));
  await session.dispose();
  client.disconnect();
});

test('an unreachable server shows as reconnecting with the reason, then connects when it comes up', async () => {
  const later = await startRedisServer();
  const port = later.port;
  await later.stop();
  const session = new MonitorSession({ log: quietLog, supervisor: { policy: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 } } });
  let back: Awaited<ReturnType<typeof startRedisServer>> | undefined;
  try {
    await session.setProfiles([profile(`redis://127.0.0.1:${port}`)]);
    session.startAll();
    const started = Date.now();
    while (session.store.connection('it')?.state !== 'reconnecting') {
      assert.ok(Date.now() - started < 5_000, 'shows reconnecting');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(session.store.connection('it')?.error ?? '', /ECONNREFUSED/);
    back = await startRedisServer({ port });
    await connected(session, 'it', 5_000);
    assert.equal(session.store.connection('it')?.error, undefined);
  } finally {
    // Dispose first: a session left reconnecting would keep the test process alive.
    await session.dispose();
    await back?.stop();
  }
});
