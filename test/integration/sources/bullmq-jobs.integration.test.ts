// Job lists and job detail against a real redis-server with queues written by real bullmq v5 and v6: pages
// equal Queue.getJobs(), rows carry only row fields, detail values are cut with a flag, bad input is explained.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue as QueueV5, Worker as WorkerV5 } from 'bullmq5';
import { Queue as QueueV6, Worker as WorkerV6 } from 'bullmq6';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { connectSource } from './bullmq-fixture';

let redis: RedisServerHandle;
let raw: Redis;
before(async () => { redis = await startRedisServer(); raw = new Redis(redis.port, '127.0.0.1'); });
after(async () => { raw?.disconnect(); await redis?.stop(); });

for (const [major, Q, W] of [[5, QueueV5, WorkerV5], [6, QueueV6 as unknown as typeof QueueV5, WorkerV6 as unknown as typeof WorkerV5]] as const) {
  test(`v${major}: every state's pages equal Queue.getJobs(state, start, end) and totals equal getJobCounts()`, async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const name = `pages${major}`;
    const q = new Q(name, { connection });
    await q.addBulk(Array.from({ length: 130 }, (_, i) => ({ name: `job-${i}`, data: { i, blob: 'x'.repeat(1000) } })));
    let n = 0;
    const worker = new W(name, async (job) => { if (job.data.i % 3 === 0) throw new Error(`boom ${job.data.i}`); return { ok: job.data.i }; }, { connection });
    await new Promise<void>((resolve) => { const done = () => { if (++n === 130) resolve(); }; worker.on('completed', done); worker.on('failed', done); });
    await worker.close();
    await q.addBulk(Array.from({ length: 60 }, (_, i) => ({ name: `w-${i}`, data: { i } })));
    await q.add('later', {}, { delay: 60_000 });
    await q.add('urgent', {}, { priority: 2 });

    const { source } = await connectSource(redis.url);
    const counts = await q.getJobCounts();
    for (const state of ['completed', 'failed', 'waiting', 'delayed', 'prioritized']) {
      for (const offset of [0, 50]) {
        const page = await source.taskPage({ queue: name, state, offset, limit: 50 });
        const expected = await q.getJobs([state as 'completed'], offset, offset + 49);
        assert.deepEqual(page.tasks.map((t) => t.id), expected.map((j) => j.id), `${state} @${offset}`);
        assert.equal(page.total, counts[state], `${state} total`);
        for (const [t, j] of page.tasks.map((t, i) => [t, expected[i]!] as const)) {
          assert.equal(t.name, j.name);
          assert.equal(t.createdAt, j.timestamp);
          assert.equal(t.attempts ?? 0, j.attemptsMade);
          assert.equal(t.error, j.failedReason || undefined);
          assert.equal(t.status, state);
          assert.equal(t.queue, name);
        }
      }
    }
    await source.disconnect();
    await q.obliterate({ force: true });
    await q.close();
  });
}

test('detail: values pretty-printed, logs and history; a 10 MB payload arrives cut with the flag and full size', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new QueueV5('detail', { connection });
  const small = await q.add('small', { hello: 'world' });
  await small.log('first line');
  await small.log('second line');
  const huge = await q.add('huge', { blob: 'y'.repeat(10 * 1024 * 1024) });
  const { source } = await connectSource(redis.url);

  const d = await source.taskDetail({ queue: 'detail', id: small.id! }, 256 * 1024);
  assert.ok(d);
  assert.equal(d.task.name, 'small');
  assert.equal(d.task.status, 'waiting');
  assert.equal(d.values['data']?.isJson, true);
  assert.equal(d.values['data']?.text, JSON.stringify({ hello: 'world' }, null, 2));
  assert.deepEqual(d.logs, ['first line', 'second line']);
  assert.equal(d.logsTruncated, false);
  assert.ok(d.history?.some((h) => h.status === 'added'));

  const started = Date.now();
  const h = await source.taskDetail({ queue: 'detail', id: huge.id! }, 64 * 1024);
  assert.ok(h);
  const data = h.values['data']!;
  assert.equal(data.truncated, true);
  assert.equal(data.text.length, 64 * 1024);
  assert.ok(data.bytes > 10 * 1024 * 1024);
  assert.ok(Date.now() - started < 2_000, 'a 10 MB payload does not stall the detail');

  // Page rows never read data: the page of a queue holding the 10 MB job is small and quick.
  const page = await source.taskPage({ queue: 'detail', state: 'waiting', offset: 0, limit: 50 });
  assert.deepEqual(page.tasks.map((t) => t.id).sort(), [small.id, huge.id].sort());
  await source.disconnect();
  await q.obliterate({ force: true });
  await q.close();
});

test('bad input: non-JSON data, a job key of the wrong type, a job deleted between list and detail', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new QueueV6('bad', { connection });
  const job = await q.add('ok', { a: 1 });
  const gone = await q.add('gone', { a: 2 });
  await raw.hset(`bull:bad:${job.id}`, 'data', '{not json');
  // A key of the wrong type where a job hash should be, listed in wait.
  await raw.set('bull:bad:999', 'a string');
  await raw.lpush('bull:bad:wait', '999');
  const { source } = await connectSource(redis.url);

  const d = await source.taskDetail({ queue: 'bad', id: job.id! }, 1024);
  assert.equal(d?.values['data']?.isJson, false);
  assert.equal(d?.values['data']?.text, '{not json');

  const page = await source.taskPage({ queue: 'bad', state: 'waiting', offset: 0, limit: 50 });
  const broken = page.tasks.find((t) => t.id === '999');
  assert.match(broken?.error ?? '', /unreadable job key: WRONGTYPE/);
  await assert.rejects(source.taskDetail({ queue: 'bad', id: '999' }, 1024), /is a Redis string, not a BullMQ job hash/);

  assert.ok(page.tasks.some((t) => t.id === gone.id));
  await gone.remove();
  assert.equal(await source.taskDetail({ queue: 'bad', id: gone.id! }, 1024), undefined, 'a deleted job reads as gone');
  await assert.rejects(source.taskPage({ queue: 'bad', state: 'nonsense', offset: 0, limit: 50 }), /unknown BullMQ state/);
  await source.disconnect();
  await q.close();
});

test('search: exact id first, then payload, error and log substrings; partial when a state holds more than the bound', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new QueueV5('search', { connection });
  const jobs = await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`, data: { customer: i === 17 ? 'ACME-Widgets' : `c${i}` } })));
  await jobs[3]!.log('payment gateway timeout');
  const { source } = await connectSource(redis.url);

  const hits: { id: string; field: string }[] = [];
  const s1 = await source.searchTasks({ text: 'acme-widg', maxJobsPerState: 5_000 }, (h) => hits.push(...h.map((x) => ({ id: x.task.id, field: x.field }))), new AbortController().signal);
  assert.deepEqual(hits, [{ id: jobs[17]!.id!, field: 'data' }]);
  assert.equal(s1.partial, false);

  hits.length = 0;
  await source.searchTasks({ text: 'GATEWAY', maxJobsPerState: 5_000 }, (h) => hits.push(...h.map((x) => ({ id: x.task.id, field: x.field }))), new AbortController().signal);
  assert.deepEqual(hits, [{ id: jobs[3]!.id!, field: 'logs' }]);

  hits.length = 0;
  await source.searchTasks({ text: jobs[5]!.id!, maxJobsPerState: 5_000 }, (h) => hits.push(...h.map((x) => ({ id: x.task.id, field: x.field }))), new AbortController().signal);
  assert.deepEqual(hits[0], { id: jobs[5]!.id!, field: 'id' }, 'the exact id comes first');

  hits.length = 0;
  const s3 = await source.searchTasks({ text: 'ACME', queue: 'search', maxJobsPerState: 10 }, (h) => hits.push(...h.map((x) => ({ id: x.task.id, field: x.field }))), new AbortController().signal);
  assert.equal(s3.partial, true);
  assert.match(s3.note ?? '', /newest 10 of 30/);
  assert.equal(s3.scanned, 10);

  const ac = new AbortController();
  ac.abort();
  const s4 = await source.searchTasks({ text: 'c1', maxJobsPerState: 5_000 }, () => undefined, ac.signal);
  assert.equal(s4.cancelled, true);
  await source.disconnect();
  await q.obliterate({ force: true });
  await q.close();
});
