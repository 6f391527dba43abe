// pynenc and Rustvello sources against a real redis-server, fed by demo/pynenc/simulator.ts and by hand-built
// records citing shared/reference/protocols.md §3: counts by the system's own status spelling, runners with
// liveness, workflow progress, task detail with history and children, and bad input rejected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog } from '../../helpers/source-session';
import { PYNENC_DEMO_APP, PYNENC_SEED, RUSTVELLO_DEMO_APP, RUSTVELLO_SEED, startPynencSimulator } from '../../../demo/pynenc/simulator';
import { DETAIL_VALUE_MAX_BYTES } from '../../../src/core/model/task-detail';

let redis: RedisServerHandle;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

function finalCounts(seed: readonly { path: readonly string[] }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of seed) { const last = s.path.at(-1)!; counts[last] = (counts[last] ?? 0) + 1; }
  return counts;
}

test('pynenc: counts per status set, invocations, runners with liveness, the workflow and task detail', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  const sim = await startPynencSimulator({ redisUrl: redis.url, live: false });
  const session = await connectedSession(aProfile({ system: 'pynenc', url: redis.url }));
  try {
    const queue = session.store.queue(`queue:it:${PYNENC_DEMO_APP}`);
    assert.deepEqual({ ...queue!.counts }, finalCounts(PYNENC_SEED));
    assert.deepEqual(session.store.queues('it').map((q) => q.name), [PYNENC_DEMO_APP], 'Rustvello keys are not read by a pynenc profile');

    const tasks = session.store.tasks('it');
    assert.equal(tasks.length, PYNENC_SEED.length);
    for (const t of tasks) {
      const record = JSON.parse((await client.get(`__pynenc__:${PYNENC_DEMO_APP}:orchestrator:invocation_status:${t.id}`))!);
      assert.equal(t.status, record.status);
      assert.equal(t.worker, record.runner_id ?? undefined);
    }
    const children = tasks.filter((t) => t.parentId === sim.workflowId);
    assert.equal(children.length, 4);

    const workers = new Map(session.store.workers('it').map((w) => [w.id, w]));
    assert.deepEqual([...workers.keys()].sort(), ['runner-a', 'runner-b', 'runner-old']);
    assert.equal(workers.get('runner-old')!.status, 'offline', 'heartbeat 20 minutes old');
    const running = tasks.filter((t) => t.status === 'running');
    for (const id of ['runner-a', 'runner-b']) {
      const w = workers.get(id)!;
      const mine = running.filter((t) => t.worker === id).map((t) => t.id);
      if (mine.length > 0) { assert.equal(w.status, 'busy'); assert.ok(mine.includes(w.currentTask!)); } else assert.equal(w.status, 'online');
    }

    const [wf] = session.store.workflows('it');
    assert.equal(wf!.id, `${PYNENC_DEMO_APP}:${sim.workflowId}`);
    assert.equal(wf!.name, 'tasks.aggregate_report');
    assert.equal(wf!.total, 5);
    assert.equal(wf!.done, 3, 'two children succeeded, one failed');
    assert.equal(wf!.status, 'failed');

    const depth = session.store.series().find((s) => s.name === 'pynenc_broker_queue_depth');
    assert.equal(depth?.samples.toArray().at(-1)?.[1], await client.llen(`__pynenc__:${PYNENC_DEMO_APP}:broker:default_queue`));

    const retried = tasks.find((t) => t.name === 'tasks.charge_card')!;
    const detail = await session.taskDetail('it', { queue: PYNENC_DEMO_APP, id: retried.id }, DETAIL_VALUE_MAX_BYTES);
    assert.deepEqual(detail!.history!.map((h) => h.status), ['registered', 'pending', 'running', 'retry', 'pending', 'running']);
    assert.ok(detail!.values['arguments']);
    const parent = await session.taskDetail('it', { queue: PYNENC_DEMO_APP, id: sim.workflowId }, DETAIL_VALUE_MAX_BYTES);
    assert.deepEqual(parent!.children!.map((c) => c.id).sort(), children.map((c) => c.id).sort());
    const failed = tasks.find((t) => t.status === 'failed')!;
    const failedDetail = await session.taskDetail('it', { queue: PYNENC_DEMO_APP, id: failed.id }, DETAIL_VALUE_MAX_BYTES);
    assert.match(failedDetail!.values['exception']!.text, /ValueError/);
  } finally {
    await session.dispose();
    client.disconnect();
  }
});

test('rustvello: PascalCase counts kept as written, statuses normalized on tasks, heartbeats, broker depth', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  await startPynencSimulator({ redisUrl: redis.url, live: false });
  const session = await connectedSession(aProfile({ system: 'rustvello', url: redis.url }));
  try {
    assert.deepEqual({ ...session.store.queue(`queue:it:${RUSTVELLO_DEMO_APP}`)!.counts }, finalCounts(RUSTVELLO_SEED));
    const statuses = session.store.tasks('it').map((t) => t.status).sort();
    assert.deepEqual(statuses, ['failed', 'registered', 'registered', 'running', 'success', 'success']);
    const [runner] = session.store.workers('it');
    assert.equal(runner!.id, 'rs-runner-1');
    assert.equal(runner!.status, 'busy');
    const depth = session.store.series().find((s) => s.name === 'rustvello_broker_queue_depth' && s.labels['queue'] === `${RUSTVELLO_DEMO_APP}:global`);
    assert.equal(depth?.samples.toArray().at(-1)?.[1], 2);
  } finally {
    await session.dispose();
    client.disconnect();
  }
});

test('live simulator: invocations move through real transitions between polls', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  const sim = await startPynencSimulator({ redisUrl: redis.url, live: true });
  const session = await connectedSession(aProfile({ system: 'pynenc', url: redis.url }));
  try {
    const before = new Map(session.store.tasks('it').map((t) => [t.id, t.status]));
    await new Promise((r) => setTimeout(r, 2_500));
    await session.refresh('it');
    await new Promise((r) => setImmediate(r));
    const after = session.store.tasks('it');
    assert.ok(after.length > before.size || after.some((t) => before.get(t.id) !== t.status), 'something moved');
    assert.equal(session.store.workers('it').find((w) => w.id === 'runner-a')!.status === 'offline', false);
  } finally {
    await session.dispose();
    await sim.stop();
    client.disconnect();
  }
});

test('bad input: non-JSON records, unknown statuses, missing fields and wrong key types are rejected', async () => {
  const client = new Redis(redis.url);
  await client.flushall();
  const p = '__pynenc__:bad_app:';
  // protocols.md §3: status sets, invocation_status JSON {status, runner_id, timestamp}, all_invocations_by_time zset.
  await client.sadd(`${p}orchestrator:status:running`, 'ok1', 'nojson', 'weird', 'nostatus');
  await client.zadd(`${p}orchestrator:all_invocations_by_time`, 1, 'ok1', 2, 'nojson', 3, 'weird', 4, 'nostatus', 5, 'wrongtype');
  await client.set(`${p}orchestrator:invocation_status:ok1`, JSON.stringify({ status: 'RUNNING', runner_id: 'r1', timestamp: '2026-01-01T00:00:00+00:00' }));
  await client.set(`${p}orchestrator:invocation_status:nojson`, '{status: running');
  await client.set(`${p}orchestrator:invocation_status:weird`, JSON.stringify({ status: 'exploded', runner_id: null, timestamp: null }));
  await client.set(`${p}orchestrator:invocation_status:nostatus`, JSON.stringify({ runner_id: 'r1' }));
  await client.hset(`${p}orchestrator:invocation_status:wrongtype`, 'status', 'running');
  await client.set(`${p}state_backend:invocation:ok1`, JSON.stringify({ task_id_key: 'no id here' }));
  await client.zadd(`${p}orchestrator:runner_heartbeats`, 1, 'r1');
  await client.hset(`${p}orchestrator:runner_heartbeat:r1`, 'last_heartbeat', 'soon');
  await client.set(`${p}state_backend:workflow:invocations:wf1`, 'a string');
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'pynenc', url: redis.url }), log);
  try {
    const tasks = session.store.tasks('it');
    assert.deepEqual(tasks.map((t) => [t.id, t.status]), [['ok1', 'running']], 'UPPER_SNAKE normalized; the rest rejected');
    assert.equal(tasks[0]!.name, undefined, 'an invocation record without invocation_id is rejected, the status still shown');
    assert.equal(session.store.connection('it')!.rejectedFrames, 7);
    assert.equal(session.store.connection('it')!.state, 'connected');
    assert.equal(session.store.workers('it').length, 0);
    assert.ok(log.warnings.some((w) => w.includes('rejected pynenc-status')), log.warnings.join('\n'));
  } finally {
    await session.dispose();
    client.disconnect();
  }
});
