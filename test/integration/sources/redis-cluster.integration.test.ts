// Redis Cluster and Sentinel profiles against real servers: a local 3-master cluster (`redis-server
// --cluster-enabled yes`, `redis-cli --cluster create`) with queues written by real bullmq v5 — hash-tagged
// queue names spread over the masters, and a `{bull}` prefix that keeps every key in one slot — and a master
// behind `redis-server --sentinel` (also with a password and a replica, through `SENTINEL FAILOVER`). Counts must equal bullmq's own Queue.getJobCounts().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker } from 'bullmq5';
import Redis, { Cluster } from 'ioredis';
import { startRedisCluster, startSentinel, type RedisClusterHandle } from '../../helpers/redis-cluster';
import { aProfile, connectedSession, recordingLog, waitUntil } from '../../helpers/source-session';

let cluster: RedisClusterHandle;

/** Every Cluster client the tests open: bullmq does not close a connection it was handed, and a client left
 * open after the cluster stops retries forever and keeps the test process alive. */
const clients = new Set<Cluster>();

before(async () => { cluster = await startRedisCluster(3); });
after(async () => {
  for (const c of clients) c.disconnect();
  await cluster?.stop();
});

function clusterConnection(): Cluster {
  const c = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { redisOptions: { maxRetriesPerRequest: null } });
  c.on('error', () => undefined); // errors surface through the commands that fail; the stop in after() is expected
  clients.add(c);
  return c;
}

/** Which masters hold keys of each queue, read from each node directly. */
async function mastersByQueue(match: string): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  for (const n of cluster.nodes) {
    const r = new Redis(n.port, '127.0.0.1');
    try {
      for (const key of await r.keys(match)) {
        const queue = key.split(':')[1]!;
        const set = out.get(queue) ?? new Set<number>();
        set.add(n.port);
        out.set(queue, set);
      }
    } finally {
      r.disconnect();
    }
  }
  return out;
}

test('hash-tagged queues spread over 3 masters: SCAN finds them on every master, counts equal getJobCounts()', async () => {
  const connection = clusterConnection();
  const names = Array.from({ length: 8 }, (_, i) => `{q${i}}`);
  const queues = names.map((name) => new Queue(name, { connection }));
  try {
    for (const [i, q] of queues.entries()) {
      await q.addBulk(Array.from({ length: i + 1 }, (_, j) => ({ name: 'j', data: { j } })));
      if (i % 3 === 0) await q.add('later', {}, { delay: 60_000 });
    }
    const worker = new Worker(names[1]!, async (job) => { if (job.data.j === 1) throw new Error('boom'); return 'ok'; }, { connection: clusterConnection(), name: 'cw' });
    await new Promise<void>((resolve) => { let n = 0; const done = () => { if (++n === 2) resolve(); }; worker.on('completed', done); worker.on('failed', done); });

    const placement = await mastersByQueue('bull:*:meta');
    const masters = new Set([...placement.values()].flatMap((s) => [...s]));
    assert.ok(masters.size >= 2, `queues should live on several masters, got ${[...masters].join(',')}`);

    const log = recordingLog();
    const session = await connectedSession(aProfile({ system: 'bullmq', url: cluster.urls[0], cluster: { nodes: cluster.urls } }), log).catch((e: unknown) => { throw new Error(`${String(e)} ${JSON.stringify(log.warnings)}`); });
    try {
      const byName = new Map(session.store.queues('it').map((q) => [q.name, q]));
      assert.deepEqual([...byName.keys()].sort(), [...names].sort());
      for (const [i, q] of queues.entries()) assert.deepEqual({ ...byName.get(names[i]!)!.counts }, await q.getJobCounts(), names[i]);
      // The worker's connection is on the master owning {q1}'s slot: CLIENT LIST ran on every master.
      assert.ok(session.store.workers('it').some((w) => w.queue === '{q1}' && /cw@/.test(w.id)), JSON.stringify(session.store.workers('it')));
      assert.ok(log.warnings.some((m) => /no \{hash tag\}.*counts are polled/.test(m)), 'events off for a prefix without a hash tag, said plainly');

      await queues[5]!.add('more', {});
      await session.refresh('it');
      await waitUntil('counts re-read', () => session.store.queues('it').find((q) => q.name === names[5])?.counts['waiting'] === 7).catch((e: unknown) => { throw new Error(`${String(e)}: ${JSON.stringify(session.store.queues('it').find((q) => q.name === names[5]))} ${JSON.stringify(log.warnings)}`); });
    } finally {
      await session.dispose();
      await worker.close();
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    connection.disconnect();
  }
});

test('prefix {bull} on a cluster: one slot, live events stream, a retry action through the Cluster', async () => {
  const connection = clusterConnection();
  const prefix = '{bull}';
  const a = new Queue('alpha', { connection, prefix });
  const b = new Queue('beta', { connection, prefix });
  try {
    await a.addBulk([{ name: 'x', data: {} }, { name: 'y', data: {} }]);
    await b.add('z', {}, { delay: 30_000 });
    const worker = new Worker('alpha', async (job) => { if (job.name === 'y') throw new Error('nope'); }, { connection: clusterConnection(), prefix });
    await new Promise<void>((resolve) => { let n = 0; const done = () => { if (++n === 2) resolve(); }; worker.on('completed', done); worker.on('failed', done); });
    await worker.close();

    const log = recordingLog();
    const session = await connectedSession(aProfile({ system: 'bullmq', url: cluster.urls[1], prefix, cluster: { nodes: [`127.0.0.1:${cluster.nodes[1]!.port}`] } }), log);
    try {
      const counts = (name: string) => ({ ...session.store.queues('it').find((q) => q.name === name)?.counts });
      assert.deepEqual(counts('alpha'), await a.getJobCounts());
      assert.deepEqual(counts('beta'), await b.getJobCounts());

      // Live, with no refresh: the events stream (one XREAD over streams in one slot) brings the change.
      await b.add('live', {});
      await waitUntil('events-driven count', () => counts('beta')['waiting'] === 1, 5_000);

      const [failed] = await a.getFailed();
      assert.ok(failed?.id);
      const result = await session.runAction('it', 'retry', { kind: 'task', queue: 'alpha', ids: [failed.id] }, { report: () => undefined, signal: new AbortController().signal });
      assert.equal(result.ok, true, result.message);
      assert.equal(await a.getJobState(failed.id), 'waiting');
      assert.deepEqual(log.warnings.filter((m) => !/events/.test(m)), []);
    } finally {
      await session.dispose();
    }
  } finally {
    await a.close();
    await b.close();
    connection.disconnect();
  }
});

test('sentinel profile: the master is found through redis-server --sentinel; counts equal getJobCounts()', async () => {
  const s = await startSentinel('mymaster');
  const q = new Queue('via-sentinel', { connection: { host: '127.0.0.1', port: s.master.port } });
  try {
    await q.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
    await q.add('c', {}, { delay: 10_000 });
    // The URL's host/port are not used with Sentinel: point it somewhere dead to prove it.
    const session = await connectedSession(aProfile({
      system: 'bullmq', url: 'redis://127.0.0.1:1', sentinel: { sentinels: [`127.0.0.1:${s.sentinel.port}`], name: 'mymaster' },
    }));
    try {
      assert.deepEqual({ ...session.store.queues('it').find((x) => x.name === 'via-sentinel')?.counts }, await q.getJobCounts());
    } finally {
      await session.dispose();
    }
  } finally {
    await q.close();
    await s.stop();
  }
});

test('sentinel with a password, then SENTINEL FAILOVER: the source follows the new master and keeps reading', async () => {
  const password = 'sentinel-and-data';
  const s = await startSentinel('failmaster', { password, replica: true });
  const sentinelAdmin = new Redis({ host: '127.0.0.1', port: s.sentinel.port, password });
  const connectionTo = (port: number) => ({ host: '127.0.0.1', port, password });
  let q = new Queue('via-sentinel', { connection: connectionTo(s.master.port) });
  const log = recordingLog();
  try {
    await q.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
    // The replica must be in sync, and known to the sentinel, before it can be promoted.
    const replica = new Redis(connectionTo(s.replica!.port));
    await waitFor('the replica to sync', async () => (await replica.info('replication')).includes('master_link_status:up'));
    replica.disconnect();
    await waitFor('the sentinel to see the replica', async () => ((await sentinelAdmin.call('SENTINEL', 'REPLICAS', 'failmaster')) as unknown[]).length === 1);

    const profile = aProfile({ system: 'bullmq', url: 'redis://127.0.0.1:1', password, sentinel: { sentinels: [`127.0.0.1:${s.sentinel.port}`], name: 'failmaster' } });
    const session = await connectedSession(profile, log);
    try {
      const counts = () => ({ ...session.store.queues('it').find((x) => x.name === 'via-sentinel')?.counts });
      assert.deepEqual(counts(), await q.getJobCounts());

      assert.equal(await sentinelAdmin.call('SENTINEL', 'FAILOVER', 'failmaster'), 'OK');
      await waitFor('the replica to be promoted', async () => {
        const [, port] = (await sentinelAdmin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'failmaster')) as string[];
        return Number(port) === s.replica!.port;
      }, 20_000);

      // Writes now go to the new master; the source must read them from there.
      await q.close();
      q = new Queue('via-sentinel', { connection: connectionTo(s.replica!.port) });
      const promoted = new Redis(connectionTo(s.replica!.port));
      await waitFor('the new master to accept writes', async () => (await promoted.info('replication')).includes('role:master'));
      await q.add('after-failover', {});
      await waitFor('counts read from the new master', async () => {
        await session.refresh('it').catch(() => undefined);
        return session.store.connection('it')?.state === 'connected' && counts()['waiting'] === 3;
      }, 20_000).catch((e: unknown) => { throw new Error(`${String(e)}: ${JSON.stringify(session.store.connection('it'))} ${JSON.stringify(counts())} ${JSON.stringify(log.warnings)}`); });
      assert.deepEqual(counts(), await q.getJobCounts());
      // The reader's connection is on the promoted server now.
      try {
        assert.match((await promoted.call('CLIENT', 'LIST')) as string, /name=taskscope:reader/);
      } finally {
        promoted.disconnect();
      }
    } finally {
      await session.dispose();
    }
  } finally {
    sentinelAdmin.disconnect();
    await q.close();
    await s.stop();
  }
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
