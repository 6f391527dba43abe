// Live updates from the events streams (one connection for all queues, gap detection when the stream was
// trimmed past the last id read) and flows (a parent stuck behind a failed child), with real bullmq v5/v6.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowProducer as FlowProducerV5, Queue as QueueV5, Worker as WorkerV5 } from 'bullmq5';
import { FlowProducer as FlowProducerV6, Queue as QueueV6, Worker as WorkerV6 } from 'bullmq6';
import Redis from 'ioredis';
import type { Workflow } from '../../../src/core/model/entities';
import { compareStreamIds, parseXinfo as parseXinfoReply } from '../../../src/sources/redis/bullmq-events';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { connectSource, lastCounts, progress, sameCounts, waitFor } from './bullmq-fixture';

let redis: RedisServerHandle;
let raw: Redis;
before(async () => { redis = await startRedisServer(); raw = new Redis(redis.port, '127.0.0.1'); });
after(async () => { raw?.disconnect(); await redis?.stop(); });

test('counts follow the events streams of v5 and v6 queues on ONE connection, without polling', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const a = new QueueV5('live5', { connection });
  const b = new QueueV6('live6', { connection });
  await a.add('seed', {});
  await b.add('seed', {});
  // Polling far in the future: only the events stream can bring the changes.
  const { source, rec } = await connectSource(redis.url, { pollIntervalMs: 3_600_000 }, { eventsDebounceMs: 50 });
  source.setVisible(true);
  await a.addBulk(Array.from({ length: 5 }, () => ({ name: 'x', data: {} })));
  await b.add('later', {}, { delay: 60_000 });
  await waitFor(async () => sameCounts(lastCounts(rec, 'live5'), await a.getJobCounts()), 'v5 counts from events');
  await waitFor(async () => sameCounts(lastCounts(rec, 'live6'), await b.getJobCounts()), 'v6 counts from events');
  const clients = (await raw.call('CLIENT', 'LIST')) as string;
  assert.equal(clients.split('\n').filter((l) => l.includes('name=taskscope:events')).length, 1, 'one events connection for all queues');
  assert.equal(source.resyncs, 0);
  await source.disconnect();
  await Promise.all([a.obliterate({ force: true }), b.obliterate({ force: true })]);
  await Promise.all([a.close(), b.close()]);
});

test('a stream trimmed past the last id read is detected as a gap, logged, and counts are resynced', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new QueueV5('gappy', { connection, streams: { events: { maxLen: 10 } } });
  await q.add('seed', {});
  // A slow consumer, made deterministic: 200 entries are written and trimmed to 10 in one MULTI, so the reader's
  // next round finds entries after its last id already gone.
  const s2 = await connectSource(redis.url, { pollIntervalMs: 3_600_000 }, { eventsDebounceMs: 20 });
  const burst = raw.multi();
  await q.addBulk([{ name: 'warm', data: {} }]);
  for (let i = 0; i < 200; i++) burst.xadd('bull:gappy:events', 'MAXLEN', '10', '*', 'event', 'added', 'jobId', `fake${i}`, 'name', 'x');
  await burst.exec();
  await q.addBulk(Array.from({ length: 3 }, () => ({ name: 'after', data: {} })));
  await waitFor(() => s2.source.resyncs > 0, 'gap detected');
  assert.ok(s2.rec.logs.some((l) => /events stream of gappy: \d+ entries after .* were trimmed before they were read.*resync/.test(l)), s2.rec.logs.join('\n'));
  assert.ok(s2.rec.events.some((e) => e.type === 'generic' && e.name === 'bullmq.resync'));
  await waitFor(async () => sameCounts(lastCounts(s2.rec, 'gappy'), await q.getJobCounts()), 'counts resynced');
  await s2.source.disconnect();
  await q.obliterate({ force: true });
  await q.close();
});

test('real bullmq workers on a queue trimmed to maxLen 20 while our reader is stalled: gap reported, counts resynced', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new QueueV5('trimmedlive', { connection, streams: { events: { maxLen: 20 } } });
  await q.add('seed', {});
  let eventsClient: Redis | undefined;
  const s = await connectSource(redis.url, { pollIntervalMs: 3_600_000 }, {
    eventsDebounceMs: 20,
    createEventsClient: () => { eventsClient = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: null }); return eventsClient; },
  });
  assert.ok(eventsClient);
  // A stalled reader (a busy extension host): the events connection stops reading its socket.
  eventsClient.stream.pause();
  const readable = parseXinfoReply(await raw.call('XINFO', 'STREAM', 'bull:trimmedlive:events'));
  const lastReadable = String(readable.get('last-generated-id'));
  await q.addBulk(Array.from({ length: 300 }, (_, i) => ({ name: 'work', data: { i } })));
  let completed = 0;
  const worker = new WorkerV5('trimmedlive', async () => 'ok', { connection, concurrency: 20 });
  await new Promise<void>((resolve) => worker.on('completed', () => { if (++completed === 301) resolve(); }));
  await worker.close();
  // Redis itself shows the loss: the oldest entry left is newer than anything the reader could have read.
  const info = parseXinfoReply(await raw.call('XINFO', 'STREAM', 'bull:trimmedlive:events'));
  const first = (info.get('first-entry') as [string, string[]])[0];
  assert.equal(compareStreamIds(first, lastReadable), 1, `first entry ${first} is after ${lastReadable}`);
  assert.ok(Number(info.get('entries-added')) - Number(readable.get('entries-added')) > Number(info.get('length')), 'more entries were added than the stream kept');
  eventsClient.stream.resume();
  await waitFor(() => s.source.resyncs > 0, 'gap detected');
  assert.ok(s.rec.logs.some((l) => /events stream of trimmedlive: \d+ entries after .* were trimmed before they were read.*resync/.test(l)), s.rec.logs.join('\n'));
  const expected = await q.getJobCounts();
  assert.equal(expected['completed'], 301);
  await waitFor(() => sameCounts(lastCounts(s.rec, 'trimmedlive'), expected), 'counts resynced to getJobCounts');
  await s.source.disconnect();
  await q.obliterate({ force: true });
  await q.close();
});

for (const [major, FP, Q, W] of [[5, FlowProducerV5, QueueV5, WorkerV5], [6, FlowProducerV6 as unknown as typeof FlowProducerV5, QueueV6 as unknown as typeof QueueV5, WorkerV6 as unknown as typeof WorkerV5]] as const) {
  test(`v${major}: a flow whose child failed is a workflow stuck in waiting-children, with done/total and which child`, async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    // The application's Queue objects write meta.version (a FlowProducer alone does not), which actions need.
    const parents = new Q(`parents${major}`, { connection });
    const kids = new Q(`kids${major}`, { connection });
    await Promise.all([parents.waitUntilReady(), kids.waitUntilReady()]);
    const flows = new FP({ connection });
    const tree = await flows.add({
      name: 'report', queueName: `parents${major}`, data: {},
      children: [
        { name: 'ok-a', queueName: `kids${major}`, data: { fail: false } },
        { name: 'ok-b', queueName: `kids${major}`, data: { fail: false } },
        { name: 'bad', queueName: `kids${major}`, data: { fail: true }, opts: { jobId: `bad-child-${major}` } },
      ],
    });
    let n = 0;
    const worker = new W(`kids${major}`, async (job) => { if (job.data.fail) throw new Error('disk full'); return 'ok'; }, { connection });
    await new Promise<void>((resolve) => { const done = () => { if (++n === 3) resolve(); }; worker.on('completed', done); worker.on('failed', done); });
    await worker.close();

    const { source, rec } = await connectSource(redis.url);
    const parentId = tree.job.id!;
    const wf = rec.events.filter((e): e is { type: 'workflow.upsert'; workflow: Workflow } => e.type === 'workflow.upsert').map((e) => e.workflow).find((w) => w.id === `parents${major}:${parentId}`);
    assert.ok(wf, 'the parent is a workflow');
    assert.equal(wf.status, 'waiting-children');
    assert.equal(wf.done, 2);
    assert.equal(wf.total, 3);
    assert.match(wf.blockedReason ?? '', new RegExp(`child kids${major}/bad-child-${major} failed \\(disk full\\)`));
    const deps = await (await parents.getJob(parentId))!.getDependenciesCount();
    assert.deepEqual({ processed: deps.processed, unprocessed: deps.unprocessed }, { processed: 2, unprocessed: 1 });

    // Retrying the failed child and letting it succeed unblocks and completes the parent.
    const rr = await source.runAction('retry', { kind: 'task', queue: `kids${major}`, ids: [`bad-child-${major}`] }, progress());
    assert.equal(rr.ok, true, rr.message);
    const w2 = new W(`kids${major}`, async () => 'fixed', { connection });
    const pw = new W(`parents${major}`, async () => 'done', { connection });
    await new Promise<void>((resolve) => pw.on('completed', () => resolve()));
    await Promise.all([w2.close(), pw.close()]);
    await source.refresh();
    const ended = rec.events.filter((e): e is { type: 'workflow.upsert'; workflow: Workflow } => e.type === 'workflow.upsert').map((e) => e.workflow).filter((w) => w.id === `parents${major}:${parentId}`).at(-1);
    assert.equal(ended?.status, 'completed');
    assert.equal(ended?.done, 3);
    assert.equal(ended?.blockedReason, undefined);
    await source.disconnect();
    await Promise.all([flows.close(), parents.close(), kids.close()]);
  });
}
