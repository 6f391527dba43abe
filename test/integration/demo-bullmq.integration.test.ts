// The BullMQ demo simulator against a real redis-server, checked with bullmq itself: the frozen state is exactly
// what the demo claims (counts, paused, retries, logs, metrics, the stuck flow), and live traffic moves and stops.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as bullmq5 from 'bullmq5';
import * as bullmq6 from 'bullmq6';
import IORedis from 'ioredis';
import { BULLMQ_DEMO_QUEUES, startBullmqSimulator, type BullmqSimulator } from '../../demo/bullmq/simulator';
import { startRedisServer, type RedisServerHandle } from '../helpers/servers';

type AnyQueue = bullmq5.Queue | bullmq6.Queue;

/** The frozen demo, state by state (zeros left out). v6 has no `paused` state: its paused jobs stay in `waiting`. */
const STABLE_COUNTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  email: { completed: 14, delayed: 4, failed: 3, waiting: 4 },
  'image-resize': { active: 1, completed: 9, failed: 2, prioritized: 5, waiting: 2 },
  payments: { completed: 10, delayed: 3, failed: 3 },
  reports: { completed: 3, paused: 5 },
  webhooks: { completed: 12, failed: 2 },
  notifications: { completed: 9, delayed: 2, failed: 2, prioritized: 3, waiting: 3 },
  orders: { completed: 1, 'waiting-children': 1 },
};

function openQueues(redisUrl: string): Map<string, AnyQueue> {
  const { port } = new URL(redisUrl);
  const connection = { host: '127.0.0.1', port: Number(port) };
  // skipMetasUpdate: reading must not rewrite the queues' meta.version.
  return new Map(
    BULLMQ_DEMO_QUEUES.map(({ name, major }) => [
      name,
      major === 5 ? new bullmq5.Queue(name, { connection, skipMetasUpdate: true }) : new bullmq6.Queue(name, { connection, skipMetasUpdate: true }),
    ]),
  );
}

async function nonZeroCounts(queue: AnyQueue): Promise<Record<string, number>> {
  const counts = await queue.getJobCounts();
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

async function allCounts(queues: ReadonlyMap<string, AnyQueue>): Promise<Record<string, Record<string, number>>> {
  const entries = await Promise.all([...queues].map(async ([name, q]) => [name, await nonZeroCounts(q)] as const));
  return Object.fromEntries(entries);
}

function sum(counts: Record<string, Record<string, number>>, state: string): number {
  return Object.values(counts).reduce((total, c) => total + (c[state] ?? 0), 0);
}

async function clientNames(redis: IORedis): Promise<string[]> {
  const list = (await redis.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name !== '');
}

function queue(queues: ReadonlyMap<string, AnyQueue>, name: string): AnyQueue {
  const q = queues.get(name);
  assert.ok(q, `queue ${name} is open`);
  return q;
}

describe('BullMQ demo simulator, live: false (frozen state)', () => {
  let server: RedisServerHandle;
  let sim: BullmqSimulator;
  let queues: Map<string, AnyQueue>;
  let raw: IORedis;

  before(async () => {
    server = await startRedisServer();
    sim = await startBullmqSimulator({ redisUrl: server.url, live: false });
    queues = openQueues(server.url);
    raw = new IORedis(server.url);
  });

  after(async () => {
    await sim?.stop();
    await Promise.all([...(queues?.values() ?? [])].map((q) => q.close()));
    raw?.disconnect();
    await server?.stop();
  });

  test('lists the demo queues, one of them written by bullmq v6', async () => {
    assert.deepEqual(sim.queueNames, ['email', 'image-resize', 'payments', 'reports', 'webhooks', 'notifications', 'orders']);
    for (const { name, major } of BULLMQ_DEMO_QUEUES) {
      const version = await raw.hget(`bull:${name}:meta`, 'version');
      assert.match(version ?? '', new RegExp(`^bullmq:${major}\\.`), `${name} meta.version`);
    }
  });

  test('counts by state are exactly the seeded state', async () => {
    assert.deepEqual(await allCounts(queues), STABLE_COUNTS);
  });

  test('nothing keeps running: no workers connected, counts unchanged a moment later', async () => {
    assert.deepEqual(
      (await clientNames(raw)).filter((n) => n.startsWith('bull:')),
      [],
      'no bullmq worker connections left',
    );
    for (const q of queues.values()) assert.deepEqual(await q.getWorkers(), [], `${q.name} has no workers`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(await allCounts(queues), STABLE_COUNTS);
  });

  test('reports is paused with its jobs in the v5 paused list', async () => {
    const reports = queue(queues, 'reports');
    assert.equal(await reports.isPaused(), true);
    assert.equal(await raw.llen('bull:reports:paused'), 5);
    for (const name of ['email', 'image-resize', 'payments', 'webhooks', 'notifications', 'orders']) {
      assert.equal(await queue(queues, name).isPaused(), false, `${name} is not paused`);
    }
  });

  test('failures carry their reasons and attempts: unrecoverable after 1, exhausted retries after all', async () => {
    const failed = async (name: string): Promise<[reason: string, attemptsMade: number][]> =>
      (await queue(queues, name).getFailed()).map((j) => [j.failedReason, j.attemptsMade]);
    const email = await failed('email');
    assert.equal(email.length, 3);
    assert.deepEqual(email.filter(([reason]) => reason.startsWith('550 5.1.1')).map(([, atm]) => atm), [1], 'a bounce is not retried');
    assert.deepEqual(email.filter(([reason]) => reason.includes('ECONNREFUSED')).map(([, atm]) => atm), [3, 3], 'an unreachable MX exhausts 3 attempts');
    const webhooks = await failed('webhooks');
    assert.deepEqual(webhooks.filter(([reason]) => reason.includes('ETIMEDOUT')).map(([, atm]) => atm), [4]);
    assert.deepEqual(webhooks.filter(([reason]) => reason.includes('410 Gone')).map(([, atm]) => atm), [1]);
    const notifications = await queue(queues, 'notifications').getFailed();
    assert.deepEqual(notifications.map((j) => j.failedReason).sort(), [
      'APNs 410 Unregistered: the device token is no longer active',
      "Twilio 21211: Invalid 'To' Phone Number +15005550009",
    ]);
    for (const job of notifications) assert.ok((job.stacktrace ?? []).length > 0, 'failed v6 jobs keep a stacktrace');
  });

  test('jobs that failed and then succeeded on retry are completed with attemptsMade > 1', async () => {
    const email = await queue(queues, 'email').getCompleted();
    const greylisted = email.filter((j) => String(j.data.to).endsWith('@greylist.example'));
    assert.equal(greylisted.length, 2);
    for (const job of greylisted) assert.equal(job.attemptsMade, 2);
    const webhooks = await queue(queues, 'webhooks').getCompleted();
    const flaky = webhooks.filter((j) => String(j.data.endpoint).includes('flaky.partner.example'));
    assert.deepEqual(
      flaky.map((j) => j.attemptsMade),
      [3, 3],
    );
  });

  test('payments has a retry waiting out a one-hour backoff, next to two scheduled captures', async () => {
    const delayed = await queue(queues, 'payments').getDelayed();
    const retry = delayed.find((j) => j.attemptsMade === 1);
    assert.ok(retry, 'a delayed job with one failed attempt');
    assert.match(retry.failedReason, /timed out/);
    assert.ok(retry.delay >= 3_500_000, `backoff delay ${retry.delay}`);
    assert.deepEqual(delayed.filter((j) => j.name === 'capture-payment').length, 2);
  });

  test('priorities: image-resize and notifications hold prioritized jobs in priority order', async () => {
    const images = await queue(queues, 'image-resize').getJobs(['prioritized'], 0, -1, true);
    assert.deepEqual(images.map((j) => j.priority).sort((a, b) => a - b), [1, 1, 5, 10, 10]);
    const notes = await queue(queues, 'notifications').getJobs(['prioritized'], 0, -1, true);
    assert.deepEqual(notes.map((j) => j.priority).sort((a, b) => a - b), [1, 1, 5]);
  });

  test('job logs and progress are written by the workers', async () => {
    const images = queue(queues, 'image-resize');
    const done = (await images.getCompleted()).find((j) => j.name === 'resize');
    assert.ok(done?.id);
    assert.equal(done.progress, 100);
    const logs = await images.getJobLogs(done.id);
    assert.equal(logs.count, 3);
    assert.match(logs.logs[0] ?? '', /^Fetching s3:\/\//);
    assert.match(logs.logs[2] ?? '', /^Resized to 320x180/);
    assert.equal(done.processedBy, 'image-resize-1', 'pb names the worker');

    // The job a "crashed" worker left behind: active, part-way, no worker holding it.
    const [orphan] = await images.getActive();
    assert.ok(orphan?.id);
    assert.equal(orphan.progress, 40);
    assert.match((await images.getJobLogs(orphan.id)).logs.at(-1) ?? '', /heap out of memory/);

    const v6 = queue(queues, 'notifications');
    const push = (await v6.getCompleted()).find((j) => j.name === 'push');
    assert.ok(push?.id);
    assert.equal((await v6.getJobLogs(push.id)).count, 1, 'v6 jobs have logs too');
  });

  test('metrics are collected per queue (workers ran with metrics.maxDataPoints)', async () => {
    for (const [name, q] of queues) {
      const expected = STABLE_COUNTS[name] ?? {};
      const completed = await q.getMetrics('completed');
      assert.equal(Number(completed.meta.count), expected['completed'] ?? 0, `${name} completed metric`);
      const failed = await q.getMetrics('failed');
      assert.equal(Number(failed.meta.count), expected['failed'] ?? 0, `${name} failed metric`);
    }
    assert.equal(await raw.exists('bull:email:metrics:completed'), 1);
  });

  test('the stuck flow: order-1002 waits for a declined charge; order-1001 completed', async () => {
    const orders = queue(queues, 'orders');
    assert.equal(await orders.getJobState('order-1002'), 'waiting-children');
    const stuck = await bullmq5.Job.fromId(orders as bullmq5.Queue, 'order-1002');
    assert.ok(stuck);
    const deps = await stuck.getDependencies();
    assert.deepEqual(deps.unprocessed, ['bull:payments:order-1002-charge']);
    assert.deepEqual(Object.keys(deps.processed ?? {}).sort(), ['bull:email:order-1002-receipt', 'bull:image-resize:order-1002-invoice']);

    const payments = queue(queues, 'payments');
    assert.equal(await payments.getJobState('order-1002-charge'), 'failed');
    const charge = await payments.getJob('order-1002-charge');
    assert.match(charge?.failedReason ?? '', /insufficient_funds/);
    assert.equal(charge?.parentKey, 'bull:orders:order-1002');

    assert.equal(await orders.getJobState('order-1001'), 'completed');
    const done = await orders.getJob('order-1001');
    assert.deepEqual(done?.returnvalue, { orderId: 'order-1001', fulfilled: true, steps: 3 });
  });

  test('email has a job scheduler with its next run delayed', async () => {
    const [scheduler] = await queue(queues, 'email').getJobSchedulers();
    assert.equal(scheduler?.key, 'digest');
    assert.equal(scheduler?.pattern, '0 7 * * 1');
    const delayed = await queue(queues, 'email').getDelayed();
    assert.equal(delayed.filter((j) => j.id?.startsWith('repeat:digest:')).length, 1);
  });
});

describe('BullMQ demo simulator, live: true', () => {
  let server: RedisServerHandle;

  before(async () => {
    server = await startRedisServer();
  });

  after(async () => {
    await server?.stop();
  });

  test('keeps producing and processing with named workers, and stop() closes every connection', async () => {
    const sim = await startBullmqSimulator({ redisUrl: server.url, live: true });
    const queues = openQueues(server.url);
    const raw = new IORedis(server.url);
    try {
      const before = await allCounts(queues);
      // Every worker is listed by bullmq under its `name` option (CLIENT LIST name `<prefix>:<base64>:w:<name>`).
      const workers = await queue(queues, 'email').getWorkers();
      assert.deepEqual(workers.map((w) => w['rawname']).sort(), ['bull:ZW1haWw=:w:email-1', 'bull:ZW1haWw=:w:email-2']);
      assert.deepEqual(
        (await queue(queues, 'notifications').getWorkers()).map((w) => w['rawname']),
        [`bull:${Buffer.from('notifications').toString('base64')}:w:notifications-1`],
        'the v6 worker names itself the same way',
      );

      await new Promise((resolve) => setTimeout(resolve, 5000));
      const later = await allCounts(queues);
      assert.ok(sum(later, 'completed') > sum(before, 'completed') + 3, `completed grew: ${sum(before, 'completed')} → ${sum(later, 'completed')}`);
      const jobs = (c: Record<string, Record<string, number>>): number => Object.values(c).reduce((t, q) => t + Object.values(q).reduce((a, b) => a + b, 0), 0);
      assert.ok(jobs(later) > jobs(before), 'new jobs were added');
      assert.equal(await queue(queues, 'reports').isPaused(), true, 'reports stays paused while live');
      assert.deepEqual(later['reports'], { completed: 3, paused: 5 }, 'reports is not fed while paused');

      const started = Date.now();
      await sim.stop();
      assert.ok(Date.now() - started < 15_000, 'stop() finishes promptly');
      assert.deepEqual(
        (await clientNames(raw)).filter((n) => n.startsWith('bull:')),
        [],
        'no worker connections after stop()',
      );
      const clients = (await clientNames(raw)).length;
      const connected = ((await raw.call('CLIENT', 'LIST')) as string).trim().split('\n').length;
      // Left: the raw client and the test's 7 queue connections; every simulator connection is gone.
      assert.ok(connected <= 1 + queues.size, `${connected} connections left (${clients} named)`);
      assert.equal(sum(await allCounts(queues), 'active'), 0, 'active jobs were finished before the workers closed');
      await sim.stop(); // idempotent
    } finally {
      await sim.stop();
      await Promise.all([...queues.values()].map((q) => q.close()));
      raw.disconnect();
    }
  });
});
