// Multi-queue retry, job logs, job schedulers (and v5 legacy repeatable jobs) and per-minute metrics, each produced by real bullmq
// v5 and v6 on a real redis-server and read back by the source: what it lists must equal what bullmq's own
// getters (getJobLogs, getJobSchedulers, getMetrics) return.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue as QueueV5, Worker as WorkerV5 } from 'bullmq5';
import { Queue as QueueV6, Worker as WorkerV6 } from 'bullmq6';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { connectSource, progress, waitFor } from './bullmq-fixture';
import type { MetricSample } from '../../../src/core/model/entities';
import { LOG_LINE_MAX } from '../../../src/sources/redis/bullmq-jobs';
import { groupByQueue, runGroups } from '../../../src/vscode/commands/task-selection';

let redis: RedisServerHandle;
let raw: Redis;
before(async () => { redis = await startRedisServer(); raw = new Redis(redis.port, '127.0.0.1'); });
after(async () => { raw?.disconnect(); await redis?.stop(); });

const VERSIONS = [[5, QueueV5, WorkerV5], [6, QueueV6 as unknown as typeof QueueV5, WorkerV6 as unknown as typeof WorkerV5]] as const;

for (const [major, Q, W] of VERSIONS) {
  test(`v${major}: job.log() lines from a real worker are counted on the row and read in order, 50 per page, huge lines cut`, async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const name = `logs${major}`;
    const q = new Q(name, { connection });
    const huge = 'x'.repeat(50_000);
    const job = await q.add('logger', {});
    const quiet = await q.add('quiet', {});
    const worker = new W(name, async (j) => {
      if (j.name !== 'logger') return;
      for (let i = 0; i < 120; i++) await j.log(`line ${i}`);
      await j.log(huge);
    }, { connection });
    await waitFor(async () => (await q.getJobCounts('completed')).completed === 2, 'both jobs completed');
    await worker.close();
    const { source } = await connectSource(redis.url);
    try {
      const page = await source.taskPage({ queue: name, state: 'completed', offset: 0, limit: 50 });
      const row = page.tasks.find((t) => t.id === job.id);
      assert.equal(row?.logCount, 121);
      assert.equal(page.tasks.find((t) => t.id === quiet.id)?.logCount, undefined, 'a job without logs has no count');

      const theirs = await q.getJobLogs(job.id!, 0, -1, true);
      const ours: string[] = [];
      for (let offset = 0; ; offset += 50) {
        const p = await source.taskLogs({ queue: name, id: job.id!, offset, limit: 50 });
        assert.equal(p.total, 121);
        assert.equal(p.offset, offset);
        assert.ok(p.lines.length <= 50);
        p.lines.forEach((l, i) => assert.equal(l.index, offset + i));
        ours.push(...p.lines.map((l) => l.text));
        if (p.lines.length < 50) {
          const last = p.lines.at(-1)!;
          assert.equal(last.truncated, true);
          assert.equal(last.bytes, huge.length);
          assert.equal(last.text.length, LOG_LINE_MAX);
          break;
        }
      }
      assert.equal(ours.length, theirs.count);
      assert.deepEqual(ours.slice(0, 120), theirs.logs.slice(0, 120), 'same lines, same order');
      const empty = await source.taskLogs({ queue: name, id: quiet.id!, offset: 0, limit: 50 });
      assert.deepEqual(empty, { lines: [], total: 0, offset: 0 });
    } finally {
      await source.disconnect();
      await q.close();
    }
  });

  test(`v${major}: job schedulers from upsertJobScheduler are counted, listed like getJobSchedulers, removed only through the action`, async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const name = `sched${major}`;
    const q = new Q(name, { connection });
    await q.upsertJobScheduler('every-10s', { every: 10_000 }, { name: 'tick', data: { payload: 'p'.repeat(100) } });
    await q.upsertJobScheduler('hourly', { pattern: '0 * * * *', tz: 'Europe/Paris' }, { name: 'report' });
    let legacyKey: string | undefined;
    if (major === 5) {
      await q.add('legacy', {}, { repeat: { pattern: '*/5 * * * *' } });
      legacyKey = (await q.getRepeatableJobs()).find((r) => r.name === 'legacy')?.key;
      assert.ok(legacyKey);
    }
    const expected = major === 5 ? 3 : 2;
    const { source, rec } = await connectSource(redis.url);
    const ro = await connectSource(redis.url, { readOnly: true });
    try {
      const upsert = rec.events.findLast((e) => e.type === 'queue.upsert' && e.queue.name === name);
      assert.equal(upsert?.type === 'queue.upsert' ? upsert.queue.schedulers : undefined, expected);

      const list = await source.schedulers(name);
      assert.equal(list.total, expected);
      const theirs = await q.getJobSchedulers();
      for (const t of theirs.filter((s) => s.key !== legacyKey)) {
        const ours = list.schedulers.find((s) => s.id === t.key);
        assert.ok(ours, `scheduler ${t.key} listed`);
        assert.equal(ours.kind, 'scheduler');
        assert.equal(ours.name, t.name);
        assert.equal(ours.next, t.next);
        assert.equal(ours.pattern, t.pattern ?? undefined);
        assert.equal(ours.every, t.every ?? undefined);
        assert.equal(ours.tz, t.tz ?? undefined);
      }
      assert.ok((list.schedulers.find((s) => s.id === 'every-10s')?.templateBytes ?? 0) > 100, 'template size known, template not loaded');
      if (legacyKey) {
        const legacy = list.schedulers.find((s) => s.id === legacyKey);
        assert.equal(legacy?.kind, 'legacy');
        assert.equal(legacy?.name, 'legacy');
        assert.equal(legacy?.pattern, '*/5 * * * *');
      }

      const refused = await ro.source.runAction('removeScheduler', { kind: 'scheduler', queue: name, ids: ['every-10s'] }, progress());
      assert.equal(refused.ok, false);
      assert.match(refused.message, /read-only/);
      assert.equal(await raw.zcard(`bull:${name}:repeat`), expected, 'read-only refused: nothing removed');

      const removed = await source.runAction('removeScheduler', { kind: 'scheduler', queue: name, ids: ['every-10s'] }, progress());
      assert.equal(removed.ok, true, removed.message);
      assert.equal(await raw.zscore(`bull:${name}:repeat`, 'every-10s'), null);
      assert.equal(await raw.exists(`bull:${name}:repeat:every-10s`), 0);
      assert.notEqual(await raw.zscore(`bull:${name}:repeat`, 'hourly'), null, 'the other scheduler is untouched');
      if (legacyKey) {
        const r = await source.runAction('removeScheduler', { kind: 'scheduler', queue: name, ids: [legacyKey] }, progress());
        assert.equal(r.ok, true, r.message);
        assert.equal(await raw.zscore(`bull:${name}:repeat`, legacyKey), null);
      }
      assert.equal((await q.getJobSchedulers()).length, 1);
      const after = rec.events.findLast((e) => e.type === 'queue.upsert' && e.queue.name === name);
      assert.equal(after?.type === 'queue.upsert' ? after.queue.schedulers : undefined, 1, 'counts re-read after the action');
    } finally {
      await ro.source.disconnect();
      await source.disconnect();
      await q.close();
    }
  });
}

test('v5 and v6: per-minute metrics written by workers equal queue.getMetrics, and later reads add only the new minutes', async () => {
  // collectMetrics.lua buckets by the timestamp the worker passes (its Date.now()), so the test moves the
  // clock of this process forward by whole minutes instead of waiting for them; bullmq and Redis are real.
  const realNow = Date.now;
  const start = Math.ceil(realNow() / 60_000) * 60_000 + 1_000;
  let shift = start - realNow();
  Date.now = () => realNow() + shift;
  try {
    const connection = { host: '127.0.0.1', port: redis.port };
    const runs = VERSIONS.map(([major, Q, W]) => {
      const name = `metrics${major}`;
      const q = new Q(name, { connection });
      let done = 0;
      const worker = new W(name, async (j) => { if ((j.data as { fail?: boolean }).fail) throw new Error('planned'); }, { connection, metrics: { maxDataPoints: 100 } });
      worker.on('completed', () => done++);
      worker.on('failed', () => done++);
      const process = async (ok: number, failed: number): Promise<void> => {
        const target = done + ok + failed;
        await q.addBulk([...Array.from({ length: ok }, () => ({ name: 'ok', data: {} })), ...Array.from({ length: failed }, () => ({ name: 'bad', data: { fail: true } }))]);
        await waitFor(() => done >= target, `${name}: ${target} jobs finished`);
      };
      return { name, q, worker, process };
    });
    const phase = async (minutes: number, ok: number, failed: number): Promise<void> => {
      shift += minutes * 60_000;
      for (const r of runs) await r.process(ok, failed);
    };
    await phase(0, 3, 1); // minute m
    await phase(1, 2, 1); // minute m+1: pushes m
    await phase(3, 1, 0); // minute m+4: pushes m+1, then zeros for m+2 and m+3

    const { source, rec } = await connectSource(redis.url);
    const seriesOf = (queue: string, type: string): MetricSample[] => rec.events.flatMap((e) =>
      e.type === 'metric' && e.sample.name === `bullmq_jobs_${type}_per_minute` && e.sample.labels['queue'] === queue ? [e.sample] : []);
    const check = async (label: string): Promise<void> => {
      for (const r of runs) {
        for (const type of ['completed', 'failed'] as const) {
          const ours = seriesOf(r.name, type);
          const theirs = await r.q.getMetrics(type);
          assert.deepEqual(ours.map((s) => s.value).reverse(), theirs.data, `${label} ${r.name} ${type}`);
          const newestMinute = Math.floor(Number(theirs.meta.prevTS) / 60_000) - 1;
          assert.deepEqual(ours.map((s) => s.timestamp), ours.map((_, i) => (newestMinute - (ours.length - 1 - i)) * 60_000), 'one point per minute, oldest first');
        }
      }
    };
    try {
      assert.deepEqual(seriesOf('metrics5', 'completed').map((s) => s.value), [3, 2, 0, 0]);
      assert.deepEqual(seriesOf('metrics6', 'failed').map((s) => s.value), [1]);
      assert.equal(seriesOf('metrics6', 'completed')[0]?.timestamp, start - 1_000, 'stamped at the start of minute m');
      await check('first read');

      const before = rec.events.filter((e) => e.type === 'metric').length;
      await source.refresh();
      assert.equal(rec.events.filter((e) => e.type === 'metric').length, before, 'nothing new: nothing emitted');
      await phase(2, 1, 0); // minute m+6: pushes m+4 (1) and m+5 (0)
      await source.refresh();
      assert.equal(rec.events.filter((e) => e.type === 'metric').length, before + 4, 'two new minutes per queue');
      await check('after more jobs');
    } finally {
      await source.disconnect();
    }
    for (const r of runs) { await r.worker.close(); await r.q.close(); }
  } finally {
    Date.now = realNow;
  }
});

test('v5 and v6: a retry selection spanning queues is grouped by queue and retried per queue, with one progress', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const selection: { connectionId: string; queue: string; id: string }[] = [];
  const queues: InstanceType<typeof QueueV5>[] = [];
  for (const [major, Q, W] of VERSIONS) {
    for (const name of [`multi${major}a`, `multi${major}b`]) {
      const q = new Q(name, { connection });
      queues.push(q);
      const jobs = await q.addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'j', data: { i } })));
      const worker = new W(name, async () => { throw new Error('nope'); }, { connection });
      await waitFor(async () => (await q.getJobCounts('failed')).failed === 3, `${name}: 3 failed`);
      await worker.close();
      // Select two of the three failed jobs of each queue, interleaved across queues as a tree selection is.
      selection.push({ connectionId: 'it', queue: name, id: jobs[0]!.id! }, { connectionId: 'it', queue: name, id: jobs[2]!.id! });
    }
  }
  const { source } = await connectSource(redis.url);
  try {
    const groups = groupByQueue([...selection].sort((a, b) => a.id.localeCompare(b.id)));
    assert.equal(groups.length, 4);
    const p = progress();
    const result = await runGroups(groups, (g, pr) => source.runAction('retry', { kind: 'task', queue: g.queue, ids: g.ids }, pr), p);
    assert.equal(result.ok, true, result.message);
    assert.equal(result.affected, 8);
    assert.deepEqual(p.reports.at(-1), [8, 8]);
    for (const q of queues) {
      const failed = await raw.zrange(`bull:${q.name}:failed`, 0, -1);
      const waiting = await raw.lrange(`bull:${q.name}:wait`, 0, -1);
      const picked = selection.filter((s) => s.queue === q.name).map((s) => s.id);
      assert.deepEqual(waiting.sort(), [...picked].sort(), `${q.name}: the selected jobs are waiting`);
      assert.equal(failed.length, 1, `${q.name}: the unselected job stays failed`);
      assert.ok(!picked.includes(failed[0]!));
    }
  } finally {
    await source.disconnect();
    for (const q of queues) await q.close();
  }
});
