// Nexus Agents source against the /ws/monitor simulator (a real `ws` server sending raw MonitoringEvent
// frames): filters as query parameters, the snapshot on connect, live workers/queues/tasks/phases and the
// metric cards' data, de-duplication by event_id, the ping/pong exchange, and a server restart.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNexusSimulator, type NexusSimulator } from '../../../demo/nexus-ws/simulator';
import { connected, profileFrom, recordingLog, startSession, waitUntil } from '../../helpers/ws-source-session';
import type { MonitorSession } from '../../../src/sources/monitor-session';
import type { NexusWsSource } from '../../../src/sources/websocket/nexus-ws';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function sim(opts: Parameters<typeof startNexusSimulator>[0] = {}): Promise<NexusSimulator> {
  const s = await startNexusSimulator({ tickMs: 0, ...opts });
  cleanups.push(() => s.stop());
  return s;
}

async function session(url: string, extra: Record<string, unknown> = {}) {
  const log = recordingLog();
  const sess = await startSession(profileFrom({ kind: 'websocket', system: 'nexus', url, ...extra }), log, { supervisor: { policy: { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 } } });
  cleanups.push(() => sess.dispose());
  return { sess, log, source: () => sess.supervisor('it')?.source as NexusWsSource };
}

const latest = (sess: MonitorSession, name: string, labels: Record<string, string> = {}): number | undefined => {
  const series = sess.store.series().find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return series?.samples.newest(1)[0]?.[1];
};

/** Queue depths travel only in stats snapshots (every second step, and on connect); worker changes in events. */
function inSync(sess: MonitorSession, s: NexusSimulator, what: { queues?: boolean; workers?: boolean } = { queues: true, workers: true }): boolean {
  const truth = s.state();
  if (what.queues) for (const [name, depth] of Object.entries(truth.queue)) if (sess.store.queue(`queue:it:${name}`)?.counts['pending'] !== depth) return false;
  if (what.workers) for (const [id, status] of Object.entries(truth.workers)) if (sess.store.worker(`worker:it:${id}`)?.status !== status) return false;
  return true;
}

test('the profile filters go into the /ws/monitor query; a URL without a path gets /ws/monitor', async () => {
  const s = await sim();
  const { sess } = await session(`ws://127.0.0.1:${s.port}`, { projectId: 'proj-1', taskId: 'research_1', types: ['task_started', 'task_completed'], statsOnly: true });
  await connected(sess);
  const q = s.connectQueries[0];
  assert.ok(q, 'connected to /ws/monitor');
  assert.equal(q.get('project_id'), 'proj-1');
  assert.equal(q.get('task_id'), 'research_1');
  assert.equal(q.get('types'), 'task_started,task_completed');
  assert.equal(q.get('stats_only'), 'true');
  await sess.dispose();
  const other = await session(s.url, { eventTypes: 'worker_started, worker_stopped' });
  await connected(other.sess);
  assert.equal(s.connectQueries[1]?.get('types'), 'worker_started,worker_stopped', '`eventTypes` accepted as a synonym');
});

test('the snapshot on connect fills queue depths and workers online before any event', async () => {
  const s = await sim();
  for (let i = 0; i < 8; i++) s.step();
  const { sess } = await session(s.url, { types: ['phase_started'] }); // no live stats pass this filter: only the snapshot
  await connected(sess);
  const truth = s.state();
  for (const [name, depth] of Object.entries(truth.queue)) assert.equal(sess.store.queue(`queue:it:${name}`)?.counts['pending'], depth, name);
  assert.equal(latest(sess, 'nexus_workers_online'), truth.workersOnline);
});

test('live: workers, queues by priority, tasks, phases and task counts match the server', async () => {
  const s = await sim();
  const { sess } = await session(s.url);
  await connected(sess);
  for (let i = 0; i < 45; i++) {
    s.step();
    await waitUntil(() => inSync(sess, s, { workers: true, queues: (i + 1) % 2 === 0 }), 2_000, `sync after step ${i + 1}`);
  }
  const truth = s.state();
  const statuses = new Set(sess.store.workers('it').map((w) => w.status));
  assert.ok(statuses.has('busy'), 'busy workers shown');
  assert.equal(sess.store.workers('it').length, 4);
  const flows = sess.store.workflows('it');
  assert.equal(flows.length, 1, 'one research task');
  const flow = flows[0]!;
  const counted = truth.counts;
  await waitUntil(() => latest(sess, 'nexus_tasks', { status: 'completed' }) !== undefined, 1_000, 'task counts');
  assert.ok(flow.stages && flow.stages.some((st) => st.status === 'running'), 'current phase running');
  assert.ok(flow.total >= flow.done && flow.total > 0);
  assert.ok(latest(sess, 'nexus_tasks', { status: 'completed' })! <= (counted["completed"] ?? 0));
  assert.ok(sess.store.series().some((x) => x.name === 'nexus_phase_active'), 'phase activity');
  assert.ok(sess.store.series().some((x) => x.name === 'nexus_queue_depth' && x.labels['queue'] === 'high_priority'), 'queue depth by priority');
  assert.ok(sess.store.tasks('it').some((t) => t.status === 'completed'), 'tasks with their status');
});

test('events are de-duplicated by event_id (stats go out twice; a replayed event is dropped)', async () => {
  const s = await sim();
  const { sess, source } = await session(s.url);
  await connected(sess);
  for (let i = 0; i < 6; i++) s.step();
  await waitUntil(() => source().seen.duplicates > 0, 2_000, 'duplicate stats dropped');
  const e = { event_id: 'evt-1', ts: new Date().toISOString(), event_type: 'custom_event', project_id: null, parent_task_id: null, task_id: null, task_type: null, phase: null, worker_id: null, retry_count: null, status: null, duration_ms: null, counts: null, queue: null, message: 'hello', error: null, meta: null };
  s.sendRaw(JSON.stringify(e));
  s.sendRaw(JSON.stringify(e));
  s.sendRaw(JSON.stringify({ ...e, event_id: 'evt-2' }));
  await waitUntil(() => sess.store.recentEvents(100).some((x) => x.type === 'generic' && /evt-2/.test(x.summary)), 2_000, 'second event');
  assert.equal(sess.store.recentEvents(100).filter((x) => x.type === 'generic' && /evt-1/.test(x.summary)).length, 1, 'evt-1 once');
});

test('ping/pong: the server pings are accepted, our `ping` gets a pong; nothing is rejected', async () => {
  const s = await sim({ pingMs: 150 });
  const { sess } = await session(s.url, { pingIntervalMs: 1_000 });
  await connected(sess);
  await waitUntil(() => s.pongsSent() >= 1, 3_000, 'pong for our ping');
  assert.equal(sess.store.connection('it')?.rejectedFrames, 0);
  assert.equal(sess.store.connection('it')?.state, 'connected');
});

test('server down mid-stream: not connected meanwhile, synced within 2 s of its return, no duplicate entities', async () => {
  const s = await sim();
  const { sess } = await session(s.url);
  await connected(sess);
  for (let i = 0; i < 10; i++) s.step();
  await waitUntil(() => inSync(sess, s), 2_000, 'synced');
  const workersOnline = () => latest(sess, 'nexus_workers_online') === s.state().workersOnline;
  await s.server.down();
  await waitUntil(() => sess.store.connection('it')?.state !== 'connected', 2_000, 'shown as not connected');
  for (let i = 0; i < 5; i++) s.step();
  await new Promise((r) => setTimeout(r, 1_200));
  const back = Date.now();
  await s.server.up();
  // The snapshot on connect is all Nexus offers to catch up: queue depths and the number of workers online.
  await waitUntil(() => sess.store.connection('it')?.state === 'connected' && inSync(sess, s, { queues: true }) && workersOnline(), 2_000, 'synced within 2 s of the return');
  assert.ok(Date.now() - back <= 2_000);
  // Worker busy/idle changes missed during the outage are corrected by each worker's next task event.
  for (let i = 0; i < 5; i++) s.step();
  await waitUntil(() => inSync(sess, s, { queues: true }) && workersOnline(), 2_000, 'live again');
  assert.equal(sess.store.queues('it').length, 3);
  assert.equal(sess.store.workers('it').length, 4);
  assert.equal(sess.store.workflows('it').length, 1);
});
