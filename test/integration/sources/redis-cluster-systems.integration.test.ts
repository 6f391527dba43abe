// rhailib, Nexus Agents (state + pub/sub) and pynenc/Rustvello on a local 3-master Redis Cluster, written by their
// demo/ simulators through a Cluster client. Their keys carry no hash tags, so they spread over every master:
// the sources must SCAN each master and never send a multi-key command across slots (CROSSSLOT). Counts, tasks,
// workers, workflows and task detail must equal what the same sources read from a single server.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis, { Cluster } from 'ioredis';
import { startRedisCluster, type RedisClusterHandle } from '../../helpers/redis-cluster';
import { aProfile, connectedSession, recordingLog, waitUntil, type RecordingLog } from '../../helpers/source-session';
import { RHAILIB_SEED, startRhailibSimulator } from '../../../demo/rhailib/simulator';
import { NEXUS_SEED, startNexusSimulator } from '../../../demo/nexus/simulator';
import { PYNENC_DEMO_APP, PYNENC_SEED, RUSTVELLO_DEMO_APP, RUSTVELLO_SEED, startPynencSimulator } from '../../../demo/pynenc/simulator';
import { DETAIL_VALUE_MAX_BYTES } from '../../../src/core/model/task-detail';

let cluster: RedisClusterHandle;
let reader: Cluster;

before(async () => {
  cluster = await startRedisCluster(3);
  reader = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
});
after(async () => {
  reader?.disconnect();
  await cluster?.stop();
});
beforeEach(async () => {
  for (const n of cluster.nodes) {
    const r = new Redis(n.port, '127.0.0.1');
    await r.flushall().finally(() => r.disconnect());
  }
});

const clusterProfile = (fields: Record<string, unknown>) => aProfile({ url: cluster.urls[0], cluster: { nodes: cluster.urls }, ...fields });

/** How many masters hold keys matching `match` (read from each node directly). */
async function mastersHolding(match: string): Promise<number> {
  let holding = 0;
  for (const n of cluster.nodes) {
    const r = new Redis(n.port, '127.0.0.1');
    try {
      const [, keys] = await r.scan('0', 'MATCH', match, 'COUNT', 10_000);
      if (keys.length > 0) holding++;
    } finally {
      r.disconnect();
    }
  }
  return holding;
}

function noCrossSlot(log: RecordingLog): void {
  assert.deepEqual(log.warnings.filter((w) => /CROSSSLOT|MOVED|same slot|failed/i.test(w)), []);
}

function finalCounts(seed: readonly { path: readonly string[] }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of seed) { const last = s.path.at(-1)!; counts[last] = (counts[last] ?? 0) + 1; }
  return counts;
}

test('rhailib on a cluster: queues of both schemes on every master, counts, workers, task detail', async () => {
  const sim = await startRhailibSimulator({ redisUrl: cluster.urls[0]!, clusterNodes: cluster.urls, live: false });
  await sim.stop();
  assert.equal(await mastersHolding('rhai_task_details:*'), 3, 'task hashes spread over all three masters');
  const log = recordingLog();
  const session = await connectedSession(clusterProfile({ system: 'rhailib' }), log);
  try {
    const { alpha, beta } = RHAILIB_SEED.circles;
    const queues = new Map(session.store.queues('it').map((q) => [q.name, q.counts]));
    assert.deepEqual(new Set(queues.keys()), new Set([`rhai_tasks:${alpha.publicKey}`, `rhai_tasks:${beta.publicKey}`, 'hero:work_queue:osis', 'hero:work_queue:sal']));
    assert.deepEqual({ ...queues.get(`rhai_tasks:${alpha.publicKey}`) }, { pending: 2, processing: 1, completed: 4, error: 1 });
    assert.deepEqual({ ...queues.get(`rhai_tasks:${beta.publicKey}`) }, { pending: 3, processing: 0, completed: 0, error: 0 });
    assert.deepEqual({ ...queues.get('hero:work_queue:osis') }, { ...RHAILIB_SEED.hero.osis });
    const tasks = session.store.tasks('it');
    assert.equal(tasks.length, 8 + 3 + 6 + 2);
    for (const t of tasks) assert.equal(t.status, await reader.hget(t.queue!.startsWith('hero:') ? `hero:job:${t.id}` : `rhai_task_details:${t.id}`, 'status'));
    assert.equal(session.store.workers('it').length, 4);
    const failed = tasks.find((t) => t.queue === 'hero:work_queue:osis' && t.status === 'error')!;
    const detail = await session.taskDetail('it', { queue: failed.queue, id: failed.id }, DETAIL_VALUE_MAX_BYTES);
    assert.equal(detail?.values['error']?.text, 'script timed out after 60 s');
    noCrossSlot(log);
  } finally {
    await session.dispose();
  }
});

test('Nexus on a cluster: state across masters, and pub/sub events published through another node arrive', async () => {
  const log = recordingLog();
  // Subscribed first, so the seed's events arrive over pub/sub as well (Redis Cluster forwards PUBLISH to every node).
  const session = await connectedSession(clusterProfile({ system: 'nexus', pollIntervalMs: 3_600_000 }), log);
  try {
    const sim = await startNexusSimulator({ redisUrl: cluster.urls[0]!, clusterNodes: cluster.urls, live: false });
    await sim.stop();
    const key = `workflow:it:${sim.parentTaskId}`;
    const stages = () => Object.fromEntries((session.store.workflow(key)?.stages ?? []).map((st) => [st.name, st.status]));
    // Published within the same millisecond through different nodes: which stage is listed first may vary, what
    // each stage's status is may not (a late copy of a phase's start does not reopen it).
    const expected = JSON.stringify({ enumeration: 'completed', extraction: 'running', search: 'completed' });
    await waitUntil('phases from pub/sub', () => JSON.stringify(Object.fromEntries(Object.entries(stages()).sort())) === expected)
      .catch((e: unknown) => { throw new Error(`${String(e)}: ${JSON.stringify(stages())}`); });
    assert.ok(await mastersHolding('nexus:task:*') >= 2, 'task keys on several masters');

    // Let the cluster bus deliver what is still in flight, then read the state: Redis has the last word.
    await new Promise((r) => setTimeout(r, 500));
    await session.refresh('it');
    const c = NEXUS_SEED.children;
    assert.deepEqual({ ...session.store.queue('queue:it:normal_priority')!.counts }, { pending: c.pending, processing: c.processing, completed: c.completed, failed: c.failed, retrying: 0 });
    assert.deepEqual({ ...session.store.queue('queue:it:high_priority')!.counts }, { pending: NEXUS_SEED.highPending, processing: 0, completed: 0, failed: 0, retrying: 0 });
    for (const t of session.store.tasks('it')) assert.equal(t.status, await reader.get(`nexus:task:${t.id}:status`));
    const wf = session.store.workflow(key)!;
    assert.deepEqual([wf.done, wf.total], [c.completed + c.failed, 6]);
    assert.equal(wf.name, `default_project · ${sim.parentTaskId}`);
    // Heartbeat keys say 0 and 1 are alive; pub/sub said 2 started, then stopped — published through different
    // nodes, so possibly delivered out of order; the stop must win either way.
    const workers = new Map(session.store.workers('it').map((w) => [w.id, w.status]));
    assert.deepEqual([...workers.keys()].sort(), ['0', '1', '2']);
    assert.equal(workers.get('2'), 'offline');
    for (const id of ['0', '1']) assert.ok(['online', 'busy'].includes(workers.get(id)!), `${id}: ${workers.get(id)}`);
    const failed = session.store.tasks('it').find((t) => t.status === 'failed')!;
    const detail = await session.taskDetail('it', { id: failed.id }, DETAIL_VALUE_MAX_BYTES);
    assert.equal(detail!.values['error']!.text, 'LLM provider timeout after 3 retries');
    noCrossSlot(log);
  } finally {
    await session.dispose();
  }
});

test('pynenc and Rustvello on a cluster: status sets, runners, the workflow and task detail with history', async () => {
  const sim = await startPynencSimulator({ redisUrl: cluster.urls[0]!, clusterNodes: cluster.urls, live: false });
  await sim.stop();
  assert.equal(await mastersHolding(`__pynenc__:${PYNENC_DEMO_APP}:*`), 3);
  const log = recordingLog();
  const session = await connectedSession(clusterProfile({ system: 'pynenc' }), log);
  try {
    assert.deepEqual({ ...session.store.queue(`queue:it:${PYNENC_DEMO_APP}`)!.counts }, finalCounts(PYNENC_SEED));
    const tasks = session.store.tasks('it');
    assert.equal(tasks.length, PYNENC_SEED.length);
    assert.deepEqual(session.store.workers('it').map((w) => w.id).sort(), ['runner-a', 'runner-b', 'runner-old']);
    const [wf] = session.store.workflows('it');
    assert.deepEqual([wf!.id, wf!.total, wf!.done, wf!.status], [`${PYNENC_DEMO_APP}:${sim.workflowId}`, 5, 3, 'failed']);
    const retried = tasks.find((t) => t.name === 'tasks.charge_card')!;
    const detail = await session.taskDetail('it', { queue: PYNENC_DEMO_APP, id: retried.id }, DETAIL_VALUE_MAX_BYTES);
    assert.deepEqual(detail!.history!.map((h) => h.status), ['registered', 'pending', 'running', 'retry', 'pending', 'running']);
    const parent = await session.taskDetail('it', { queue: PYNENC_DEMO_APP, id: sim.workflowId }, DETAIL_VALUE_MAX_BYTES);
    assert.equal(parent!.children!.length, 4);
    noCrossSlot(log);
  } finally {
    await session.dispose();
  }
  const rsLog = recordingLog();
  const rs = await connectedSession(clusterProfile({ system: 'rustvello' }), rsLog);
  try {
    assert.deepEqual({ ...rs.store.queue(`queue:it:${RUSTVELLO_DEMO_APP}`)!.counts }, finalCounts(RUSTVELLO_SEED));
    assert.equal(rs.store.tasks('it').length, RUSTVELLO_SEED.length);
    assert.deepEqual(rs.store.workers('it').map((w) => [w.id, w.status]), [['rs-runner-1', 'busy']]);
    noCrossSlot(rsLog);
  } finally {
    await rs.dispose();
  }
});
