// One Nexus deployment watched through a Redis profile and a WebSocket profile with the same `nexusDeployment`
// (a real redis-server and the /ws/monitor simulator): every event is taken once whichever transport brings it
// first, its entities exist once (under the Redis connection, the owner), and when Redis goes away the WebSocket
// connection takes over.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { recordingLog, waitUntil } from '../../helpers/source-session';
import { startNexusSimulator, type NexusSimulator } from '../../../demo/nexus-ws/simulator';
import { parseConnectionProfiles } from '../../../src/core/config/connection-profile';
import type { MonitorEvent } from '../../../src/core/model/events';
import { MonitorSession } from '../../../src/sources/monitor-session';

let redis: RedisServerHandle;
let sim: NexusSimulator;
before(async () => { redis = await startRedisServer(); sim = await startNexusSimulator({ tickMs: 0 }); });
after(async () => { await sim?.stop(); await redis?.stop(); });

const NULLS = { project_id: null, parent_task_id: null, task_id: null, task_type: null, phase: null, worker_id: null, retry_count: null, status: null, duration_ms: null, counts: null, queue: null, message: null, error: null, meta: null };
const ev = (id: string, fields: Record<string, unknown>) => JSON.stringify({ ...NULLS, event_id: id, ts: new Date().toISOString(), ...fields });

async function sessionWith(deployment: string | undefined): Promise<{ session: MonitorSession; events: MonitorEvent[] }> {
  const extra = deployment ? { nexusDeployment: deployment } : {};
  const { profiles, problems } = parseConnectionProfiles([
    { id: 'rd', kind: 'redis', system: 'nexus', url: redis.url, pollIntervalMs: 3_600_000, ...extra },
    { id: 'ws', kind: 'websocket', system: 'nexus', url: sim.url, ...extra },
  ]);
  assert.deepEqual(problems, []);
  const session = new MonitorSession({ log: recordingLog() });
  const events: MonitorEvent[] = [];
  session.onEvent((e) => events.push(e));
  await session.setProfiles(profiles);
  session.setVisible(true);
  session.startAll();
  await waitUntil('both connected', () => session.store.connection('rd')?.state === 'connected' && session.store.connection('ws')?.state === 'connected');
  return { session, events };
}

test('without the option each connection shows the deployment (counted twice); with it, once', async () => {
  const client = new Redis(redis.url);
  try {
    const plain = await sessionWith(undefined);
    await client.publish('nexus:events', ev('p-1', { event_type: 'worker_started', worker_id: 1 }));
    sim.sendRaw(ev('p-1', { event_type: 'worker_started', worker_id: 1 }));
    await waitUntil('worker under both', () => plain.session.store.workers('rd').length === 1 && plain.session.store.workers('ws').length === 1);
    await plain.session.dispose();

    const { session, events } = await sessionWith('prod');
    try {
      // The same events on both transports, in both orders.
      const a = ev('d-1', { event_type: 'task_started', task_id: 't1', worker_id: 1, status: 'processing' });
      const b = ev('d-2', { event_type: 'task_completed', task_id: 't1', worker_id: 1, status: 'completed', duration_ms: 5 });
      await client.publish('nexus:events', a);
      sim.sendRaw(a);
      await waitUntil('t1 started', () => session.store.tasks('rd').some((t) => t.id === 't1'));
      sim.sendRaw(b);
      await client.publish('nexus:events', b);
      await waitUntil('t1 completed', () => session.store.tasks('rd').some((t) => t.id === 't1' && t.status === 'completed'));
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(session.store.tasks('ws'), [], 'no second copy under the WebSocket connection');
      assert.deepEqual(session.store.workers('ws'), []);
      assert.deepEqual(session.store.workers('rd').map((w) => [w.id, w.status]), [['1', 'online']]);
      assert.equal(events.filter((e) => e.type === 'task.upsert' && e.task.id === 't1').length, 2, 'two events, each mapped once');
      assert.equal(events.filter((e) => e.type === 'metric' && e.sample.name === 'nexus_task_duration_ms').length, 1);
      assert.equal(session.store.connection('ws')?.state, 'connected', 'the second feed stays connected');

      // An event only the WebSocket brings still reaches the owner.
      sim.sendRaw(ev('d-3', { event_type: 'worker_started', worker_id: 2 }));
      await waitUntil('worker 2 via the WebSocket', () => session.store.worker('worker:rd:2') !== undefined);

      // Redis gone: the WebSocket connection owns the deployment and shows what comes next.
      await redis.stop();
      await waitUntil('Redis shown lost', () => session.store.connection('rd')?.state !== 'connected');
      sim.sendRaw(ev('d-4', { event_type: 'task_started', task_id: 't2', worker_id: 2 }));
      await waitUntil('t2 under the WebSocket connection', () => session.store.tasks('ws').some((t) => t.id === 't2'));
      assert.ok(!session.store.tasks('rd').some((t) => t.id === 't2'));
    } finally {
      await session.dispose();
    }
  } finally {
    client.disconnect();
  }
});
