// Nexus Agents over Redis against a real redis-server, fed by demo/nexus/simulator.ts and by hand-built
// events and keys citing shared/reference/protocols.md §2: state (priority lists, task keys, task groups,
// heartbeat keys), pub/sub events on all three channels de-duplicated by event_id, phases as workflow
// stages, and bad input rejected without losing the subscription.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog, waitUntil } from '../../helpers/source-session';
import { NEXUS_SEED, startNexusSimulator } from '../../../demo/nexus/simulator';
import type { MonitorEvent } from '../../../src/core/model/events';
import type { NexusRedisSource } from '../../../src/sources/redis/nexus';
import { DETAIL_VALUE_MAX_BYTES } from '../../../src/core/model/task-detail';

let redis: RedisServerHandle;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

// No poll during a test: what arrives after connect comes from pub/sub only.
const nexusProfile = () => aProfile({ system: 'nexus', url: redis.url, pollIntervalMs: 3_600_000 });

test('state written by the simulator: queues by TaskStatus, tasks, task group progress, heartbeat workers', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  const sim = await startNexusSimulator({ redisUrl: redis.url, live: false });
  const session = await connectedSession(nexusProfile());
  try {
    const c = NEXUS_SEED.children;
    assert.deepEqual({ ...session.store.queue('queue:it:normal_priority')!.counts }, { pending: c.pending, processing: c.processing, completed: c.completed, failed: c.failed, retrying: 0 });
    assert.deepEqual({ ...session.store.queue('queue:it:high_priority')!.counts }, { pending: NEXUS_SEED.highPending, processing: 0, completed: 0, failed: 0, retrying: 0 });
    assert.equal(session.store.queue('queue:it:low_priority')!.counts['pending'], 0);
    for (const t of session.store.tasks('it')) assert.equal(t.status, await client.get(`nexus:task:${t.id}:status`));
    const wf = session.store.workflow(`workflow:it:${sim.parentTaskId}`)!;
    assert.equal(wf.total, 6);
    assert.equal(wf.done, c.completed + c.failed);
    assert.equal(wf.name, `default_project · ${sim.parentTaskId}`, 'project from nexus:task_meta');
    assert.deepEqual(session.store.workers('it').map((w) => [w.id, w.status]).sort(), [['0', 'online'], ['1', 'online']]);
    const failed = session.store.tasks('it').find((t) => t.status === 'failed')!;
    const detail = await session.taskDetail('it', { id: failed.id }, DETAIL_VALUE_MAX_BYTES);
    assert.equal(detail!.values['error']!.text, 'LLM provider timeout after 3 retries');
    assert.equal(detail!.parent?.id, sim.parentTaskId);
    assert.equal(JSON.parse(detail!.values['data']!.text).id, failed.id);
    // A heartbeat key that expires turns its worker offline.
    await client.del('nexus:worker:heartbeat:1');
    await session.refresh('it');
    await new Promise((r) => setImmediate(r));
    assert.equal(session.store.worker('worker:it:1')!.status, 'offline');
  } finally {
    await session.dispose();
    client.disconnect();
  }
});

test('pub/sub: every event once despite the project and stats copies; phases become stages; workers follow', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  const session = await connectedSession(nexusProfile());
  const events: MonitorEvent[] = [];
  session.onEvent((e) => events.push(e));
  try {
    const sim = await startNexusSimulator({ redisUrl: redis.url, live: false });
    const key = `workflow:it:${sim.parentTaskId}`;
    // The per-research-task stats snapshot is the simulator's last event (progress from counts: 6 children); the
    // phases alone, which arrive earlier, give a progress of 3 stages.
    await waitUntil('the seeded stats snapshot', () => session.store.workflow(key)?.total === 6);
    const wf = session.store.workflow(key)!;
    assert.deepEqual(wf.stages, [{ name: 'enumeration', status: 'completed' }, { name: 'search', status: 'completed' }, { name: 'extraction', status: 'running' }]);
    assert.equal(wf.status, 'running', 'the current phase is the running stage');
    assert.equal(wf.name, `default_project · ${sim.parentTaskId}`);
    assert.deepEqual([wf.done, wf.total], [4, 6]);

    // Each task event was published twice (global + project channel) and arrives once.
    const errors = events.filter((e) => e.type === 'log' && e.record.level === 'error');
    assert.equal(errors.length, NEXUS_SEED.children.failed);
    const enqueued = events.filter((e) => e.type === 'task.upsert' && e.task.status === 'pending');
    assert.equal(enqueued.length, 6 + NEXUS_SEED.highPending);
    const source = session.supervisor('it')!.source as NexusRedisSource;
    assert.ok(source.duplicatesDropped >= 6, `dropped ${source.duplicatesDropped}`);

    const processing = session.store.tasks('it').find((t) => t.status === 'processing')!;
    assert.equal(processing.queue, 'normal_priority');
    const w0 = session.store.worker('worker:it:0')!;
    assert.equal(w0.status, 'busy');
    assert.equal(w0.currentTask, processing.id);
    assert.equal(session.store.worker('worker:it:2')!.status, 'offline');
    const depth = session.store.series().find((s) => s.name === 'nexus_queue_depth' && s.labels['queue'] === 'high_priority');
    assert.equal(depth?.samples.toArray().at(-1)?.[1], NEXUS_SEED.highPending);

    // A hand-built duplicate on the global and the project channel (protocols.md §2: same JSON on both).
    const ev = { event_id: 'dup-1', ts: '2025-08-09T16:05:00.123456+00:00', event_type: 'task_retry', project_id: 'p9', parent_task_id: null, task_id: 't-dup', task_type: 'search', phase: null, worker_id: 1, retry_count: 1, status: 'retrying', duration_ms: 12, counts: null, queue: null, message: null, error: 'rate limited', meta: null };
    const before = events.length;
    await client.publish('nexus:events', JSON.stringify(ev));
    await client.publish('nexus:events:project:p9', JSON.stringify(ev));
    await waitUntil('the retry event', () => session.store.tasks('it').some((t) => t.id === 't-dup'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(events.slice(before).filter((e) => e.type === 'task.upsert').length, 1);
    assert.equal(session.store.tasks('it').find((t) => t.id === 't-dup')!.status, 'retrying');
  } finally {
    await session.dispose();
    client.disconnect();
  }
});

test('bad input: non-JSON, wrong field types, wrong key types rejected; unknown types kept as generic events; the subscription lives on', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  await client.hset('nexus:task:h1:status', 'status', 'pending'); // a hash where a string belongs
  await client.lpush('nexus:tasks:low_priority', '{not json', JSON.stringify({ id: 'ok-low', priority: 0, status: 'pending' }), JSON.stringify({ priority: 0 }));
  await client.set('nexus:task_group:g1', 'not a set');
  const log = recordingLog();
  const session = await connectedSession(nexusProfile(), log);
  try {
    assert.equal(session.store.queue('queue:it:low_priority')!.counts['pending'], 1);
    assert.equal(session.store.connection('it')!.rejectedFrames, 4);
    for (const bad of ['not json', '[]', JSON.stringify({ event_id: 'x3', ts: 't', event_type: 'task_started', worker_id: { n: 1 } }), '{"type":"hello"}']) {
      await client.publish('nexus:events', bad);
    }
    const generic: MonitorEvent[] = [];
    session.onEvent((e) => { if (e.type === 'generic') generic.push(e); });
    // An event type without a shape (a newer Nexus) is kept, not rejected; a missing ts is dated on arrival.
    await client.publish('nexus:events', '{"event_id":"x1","ts":"t","event_type":"exploded","message":"boom"}');
    await client.publish('nexus:events', '{"event_id":"x2","event_type":"worker_started","worker_id":8}');
    await client.publish('nexus:events', JSON.stringify({ type: 'ping' })); // the WS keepalive shape: ignored, not rejected
    await client.publish('nexus:events', JSON.stringify({ event_id: 'good', ts: '2025-08-09T16:05:00+00:00', event_type: 'worker_started', worker_id: 7, message: 'Worker 7 started' }));
    await waitUntil('the good event', () => session.store.worker('worker:it:7') !== undefined);
    assert.equal(session.store.connection('it')!.rejectedFrames, 8);
    assert.ok(session.store.worker('worker:it:8'), 'the event without ts');
    assert.deepEqual(generic.map((e) => e.type === 'generic' && e.name), ['exploded']);
    assert.equal(session.store.connection('it')!.state, 'connected');
    assert.ok(log.warnings.some((w) => w.includes('rejected nexus-event')));
  } finally {
    await session.dispose();
    client.disconnect();
  }
});
