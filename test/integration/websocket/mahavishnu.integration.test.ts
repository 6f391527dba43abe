// Mahavishnu source against the protocol simulator (a real `ws` server speaking the mcp-common envelope):
// subscriptions with matched replies, pool/workflow status, live worker and stage changes, JWT auth (good,
// bad, missing), FORBIDDEN rooms, error frames surfaced, the second frame shape, unknown events, oversize
// frames, and a server that goes away and comes back.
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAHAVISHNU_DEMO_POOLS, signJwt, startMahavishnuSimulator, type MahavishnuSimulator } from '../../../demo/mahavishnu/simulator';
import { connected, profileFrom, recordingLog, startSession, waitUntil } from '../../helpers/ws-source-session';
import type { MonitorSession } from '../../../src/sources/monitor-session';
import { MahavishnuError, type MahavishnuSource } from '../../../src/sources/websocket/mahavishnu';

const SECRET = 'test-secret';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });
after(() => undefined);

async function sim(opts: Parameters<typeof startMahavishnuSimulator>[0] = {}): Promise<MahavishnuSimulator> {
  const s = await startMahavishnuSimulator({ tickMs: 0, ...opts });
  cleanups.push(() => s.stop());
  return s;
}

async function session(s: MahavishnuSimulator, extra: Record<string, unknown> = {}, token?: string) {
  const log = recordingLog();
  const profile = { ...profileFrom({ kind: 'websocket', system: 'mahavishnu', url: s.url, channels: s.channels, ...extra }), token };
  const sess = await startSession(profile, log, { supervisor: { policy: { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 } } });
  cleanups.push(() => sess.dispose());
  return { sess, log, source: () => sess.supervisor('it')?.source as MahavishnuSource };
}

/** The store's view of the simulation equals the simulator's truth. */
function inSync(sess: MonitorSession, s: MahavishnuSimulator): boolean {
  const truth = s.state();
  for (const [poolId, pool] of Object.entries(truth.pools)) {
    const q = sess.store.queue(`queue:it:${poolId}`);
    if (!q || q.counts['queued'] !== pool.queueSize) return false;
    for (const [w, status] of Object.entries(pool.workers)) {
      if (sess.store.worker(`worker:it:${poolId}/${w}`)?.status !== status) return false;
    }
  }
  for (const [id, wf] of Object.entries(truth.workflows)) {
    const w = sess.store.workflow(`workflow:it:${id}`);
    if (wf.status === 'pending') continue;
    if (!w || w.status !== wf.status) return false;
    if (wf.status === 'running' && w.done !== wf.stage) return false;
  }
  return true;
}

test('subscribes to every configured room with id and correlation_id, reads status, follows live changes', async () => {
  const s = await sim();
  const { sess, source } = await session(s);
  await connected(sess);
  assert.deepEqual(s.subscriptions(), [[...s.channels].sort()]);
  assert.deepEqual(s.requests.filter((r) => r === 'subscribe').length, s.channels.length);
  assert.equal(s.requests.filter((r) => r === 'get_pool_status').length, MAHAVISHNU_DEMO_POOLS.length);
  assert.equal(s.requests.filter((r) => r === 'get_workflow_status').length, 2);
  assert.ok(source().session?.connectionId, 'session.created welcome read');
  await waitUntil(() => inSync(sess, s), 2_000, 'initial sync');
  assert.equal(sess.store.workers('it').length, 6);
  assert.deepEqual(sess.store.queues('it').map((q) => q.name).sort(), ['pool_gpu', 'pool_local']);

  for (let i = 0; i < 25; i++) {
    s.step();
    await waitUntil(() => inSync(sess, s), 2_000, `sync after step ${i + 1}`);
  }
  const release = sess.store.workflow('workflow:it:wf_release');
  assert.ok(release, 'workflow shown');
  assert.equal(release.total, 5);
  assert.ok(release.stages && release.stages.length === 5, 'planned stages listed');
  const states = new Set(sess.store.workers('it').map((w) => w.status));
  assert.ok(states.size >= 2, `workers change state (${[...states].join(',')})`);
  assert.equal(sess.store.workers('it').length, 6, 'no duplicate workers');
  assert.ok(sess.store.series().some((x) => x.name === 'mahavishnu_pool_queue_size'), 'queue size as a metric series');
});

test('a running workflow shows its current stage, the stages done and the history', async () => {
  const s = await sim();
  const { sess } = await session(s);
  await connected(sess);
  s.broadcast('workflow:wf_ingest', 'workflow.started', { workflow_id: 'wf_ingest', stages: ['fetch', 'chunk', 'embed', 'index'] });
  s.broadcast('workflow:wf_ingest', 'workflow.stage_completed', { workflow_id: 'wf_ingest', stage_name: 'fetch', result: {} });
  s.broadcast('workflow:wf_ingest', 'workflow.stage_completed', { workflow_id: 'wf_ingest', stage_name: 'chunk', result: {} });
  const wf = await waitUntil(() => { const w = sess.store.workflow('workflow:it:wf_ingest'); return w?.done === 2 ? w : undefined; }, 2_000, 'two stages done');
  assert.equal(wf.status, 'running');
  assert.equal(wf.total, 4);
  assert.deepEqual(wf.stages, [
    { name: 'fetch', status: 'completed' }, { name: 'chunk', status: 'completed' }, { name: 'embed', status: 'running' }, { name: 'index', status: 'pending' },
  ]);
  s.broadcast('workflow:wf_ingest', 'workflow.failed', { workflow_id: 'wf_ingest', error: 'embedding service down' });
  const failed = await waitUntil(() => { const w = sess.store.workflow('workflow:it:wf_ingest'); return w?.status === 'failed' ? w : undefined; }, 2_000, 'failed');
  assert.equal(failed.blockedReason, 'embedding service down');
  assert.equal(failed.stages?.[2]?.status, 'failed');
});

test('JWT auth: the token goes first; a bad token or none is a permanent error with the reason', async () => {
  const s = await sim({ jwtSecret: SECRET });
  const good = await session(s, {}, signJwt({ user_id: 'alice', permissions: ['admin'] }, SECRET));
  await connected(good.sess);
  assert.equal(s.requests[0], 'auth');
  await good.sess.dispose();

  const bad = await session(s, {}, signJwt({ user_id: 'mallory', permissions: ['admin'] }, 'wrong-secret'));
  const c = await waitUntil(() => { const x = bad.sess.store.connection('it'); return x?.state === 'disconnected' ? x : undefined; }, 3_000, 'bad token refused');
  assert.match(c.error ?? '', /AUTH_FAILED/);
  assert.equal(bad.sess.supervisor('it')?.phase, 'stopped', 'no retry with a refused token');
  await bad.sess.dispose();

  const none = await session(s);
  const n = await waitUntil(() => { const x = none.sess.store.connection('it'); return x?.state === 'disconnected' ? x : undefined; }, 3_000, 'missing token');
  assert.match(n.error ?? '', /requires authentication/);
});

test('a FORBIDDEN room is shown to the user; the permitted rooms still work', async () => {
  const s = await sim({ jwtSecret: SECRET });
  const { sess, log, source } = await session(s, {}, signJwt({ user_id: 'bob', permissions: ['pool:read'] }, SECRET));
  await connected(sess);
  assert.deepEqual([...source().subscribed].sort(), ['pool:pool_gpu', 'pool:pool_local']);
  assert.deepEqual([...source().refused.keys()].sort(), ['global', 'workflow:wf_ingest', 'workflow:wf_release']);
  assert.match(log.text(), /subscription to "workflow:wf_release" refused: FORBIDDEN/);
  assert.ok(sess.store.logs().some((l) => l.level === 'warn' && /FORBIDDEN/.test(l.message)), 'in the log store too');
  s.step();
  await waitUntil(() => sess.store.workers('it').length === 6, 2_000, 'pool workers');
});

test('error frames are surfaced, not swallowed: DECODE_ERROR, UNKNOWN_REQUEST, RATE_LIMIT_EXCEEDED', async () => {
  const s = await sim();
  const { sess, log, source } = await session(s);
  await connected(sess);
  await assert.rejects(source().request('bogus_request', {}), (e: unknown) => e instanceof MahavishnuError && e.code === 'UNKNOWN_REQUEST');
  s.sendRaw(JSON.stringify({ id: 'x', correlation_id: null, type: 'error', event: null, data: {}, timestamp: null, room: null, error_code: 'DECODE_ERROR', error_message: 'Failed to decode message' }));
  await waitUntil(() => /DECODE_ERROR/.test(log.text()), 2_000, 'decode error logged');
  // Flood past the server's burst of 150: its RATE_LIMIT_EXCEEDED frames reach the user.
  for (let i = 0; i < 200; i++) source().request('get_workflow_status', { workflow_id: 'wf_ingest' }).catch(() => undefined);
  await waitUntil(() => sess.store.logs().some((l) => /RATE_LIMIT_EXCEEDED/.test(l.message)), 3_000, 'rate limit surfaced');
  assert.equal(sess.store.connection('it')?.state, 'connected');
});

test('frames of the second shape (event_type/payload) are read; unknown events are kept as generic events', async () => {
  const s = await sim();
  const { sess } = await session(s);
  await connected(sess);
  s.sendRaw(JSON.stringify({ event_type: 'workflow.stage_completed', event_id: 'e1', source: 'mahavishnu', correlation_id: null, causation_id: null, payload: { workflow_id: 'wf_side', stage_name: 'prepare' }, metadata: {}, timestamp: '2026-01-01T10:00:00+00:00', version: 1 }));
  s.broadcast('global', 'adapter.health_changed', { adapter: 'llamaindex', is_healthy: false, status: 'degraded', consecutive_failures: 3 });
  const wf = await waitUntil(() => sess.store.workflow('workflow:it:wf_side'), 2_000, 'workflow from event_type frame');
  assert.equal(wf.done, 1);
  await waitUntil(() => sess.store.recentEvents(50).some((e) => e.type === 'generic' && e.name === 'adapter.health_changed' && /degraded/.test(e.summary)), 2_000, 'generic event');
});

test('1 MB payloads are cut to the preview budget with a visible flag; frames above maxFrameBytes are rejected', async () => {
  const s = await sim();
  const { sess } = await session(s, { maxFrameBytes: 2 * 1024 * 1024 });
  await connected(sess);
  s.broadcast('global', 'learning.metrics', { blob: 'x'.repeat(1024 * 1024) });
  const ev = await waitUntil(() => sess.store.recentEvents(20).find((e) => e.type === 'generic' && e.name === 'learning.metrics'), 3_000, 'big generic event');
  assert.ok(ev.type === 'generic' && ev.summary.length < 21 * 1024 && /truncated/.test(ev.summary), 'summary truncated and flagged');
  s.broadcast('workflow:wf_ingest', 'workflow.failed', { workflow_id: 'wf_ingest', error: 'e'.repeat(1024 * 1024) });
  const wf = await waitUntil(() => { const w = sess.store.workflow('workflow:it:wf_ingest'); return w?.status === 'failed' ? w : undefined; }, 3_000, 'failed workflow');
  assert.ok((wf.blockedReason ?? '').length <= 2_000);
  const before = sess.store.connection('it')?.rejectedFrames ?? 0;
  s.broadcast('global', 'learning.metrics', { blob: 'y'.repeat(3 * 1024 * 1024) });
  await waitUntil(() => (sess.store.connection('it')?.rejectedFrames ?? 0) === before + 1, 3_000, 'oversize frame rejected');
  assert.equal(sess.store.connection('it')?.state, 'connected');
});

test('server down mid-stream: shown disconnected, reconnects, resubscribes, synced within 2 s of its return, no duplicates', async () => {
  const s = await sim();
  const { sess } = await session(s);
  await connected(sess);
  for (let i = 0; i < 5; i++) s.step();
  await waitUntil(() => inSync(sess, s), 2_000, 'synced before the fault');

  await s.server.down();
  await waitUntil(() => sess.store.connection('it')?.state !== 'connected', 2_000, 'shown as not connected');
  for (let i = 0; i < 6; i++) s.step(); // changes the client cannot see
  await new Promise((r) => setTimeout(r, 1_500));
  assert.notEqual(sess.store.connection('it')?.state, 'connected');

  const back = Date.now();
  await s.server.up();
  await waitUntil(() => sess.store.connection('it')?.state === 'connected' && inSync(sess, s), 2_000, 'synced within 2 s of the server returning');
  const syncedAfter = Date.now() - back;
  assert.ok(syncedAfter <= 2_000, `synced after ${syncedAfter} ms`);
  assert.deepEqual(s.subscriptions(), [[...s.channels].sort()], 'resubscribed to every room');
  assert.equal(sess.store.workers('it').length, 6, 'no duplicate workers');
  assert.equal(sess.store.queues('it').length, 2, 'no duplicate pools');
  assert.equal(sess.store.workflows('it').length, 2, 'no duplicate workflows');
  for (let i = 0; i < 3; i++) s.step();
  await waitUntil(() => inSync(sess, s), 2_000, 'live again');
});
