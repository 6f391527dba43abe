// Generic JSON over Redis pub/sub against a real redis-server: a publisher (ioredis PUBLISH) sends job, worker
// and metric messages on several channels; the profile PSUBSCRIBEs its `channels` patterns and maps them with its
// field mapping. Unmapped messages become generic events named after the channel, bad ones are counted and the
// subscription lives on, channels outside the patterns are not seen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog, waitUntil } from '../../helpers/source-session';
import { GenericRedisSource, MAX_GENERIC_MESSAGE_BYTES } from '../../../src/sources/redis/generic-pubsub';
import { MonitorSession } from '../../../src/sources/monitor-session';

let server: RedisServerHandle;
let publisher: Redis;

before(async () => {
  server = await startRedisServer();
  publisher = new Redis(server.port, '127.0.0.1');
});
after(async () => {
  publisher?.disconnect();
  await server?.stop();
});

const mapping = { taskId: 'job.id', status: 'job.state', name: 'job.type', worker: 'worker', queue: 'queue', error: 'job.error', timestamp: 'ts', metric: 'metric', value: 'value' };

/** PUBLISHes a message: objects as JSON, strings as given. */
async function publish(channel: string, message: unknown): Promise<void> {
  await publisher.publish(channel, typeof message === 'string' ? message : JSON.stringify(message));
}

test('PSUBSCRIBE to the profile channels; tasks, workers, queues and metrics mapped by the field mapping', async () => {
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'generic', url: server.url, channels: ['jobs:*', 'stats'], mapping }), log);
  try {
    const ts = Date.parse('2026-01-02T03:04:05Z');
    await publish('jobs:email', { job: { id: 'j1', state: 'active', type: 'send' }, worker: 'w-1', queue: 'email', ts: '2026-01-02T03:04:05Z' });
    await publish('jobs:email', { job: { id: 'j2', state: 'failed', type: 'send', error: 'SMTP 550' }, queue: 'email' });
    await publish('stats', { queue: 'email', metric: 'waiting', value: 12 });
    await publish('elsewhere', { job: { id: 'not-subscribed', state: 'active' } });
    await waitUntil('three messages mapped', () => session.store.tasks('it').length === 2 && session.store.queues('it').length === 1);

    const byId = new Map(session.store.tasks('it').map((t) => [t.id, t]));
    assert.deepEqual(
      { status: byId.get('j1')?.status, worker: byId.get('j1')?.worker, queue: byId.get('j1')?.queue, name: byId.get('j1')?.name, updatedAt: byId.get('j1')?.updatedAt },
      { status: 'active', worker: 'w-1', queue: 'email', name: 'send', updatedAt: ts },
    );
    assert.equal(byId.get('j2')?.error, 'SMTP 550');
    assert.ok(!byId.has('not-subscribed'));
    const worker = session.store.workers('it').find((w) => w.id === 'w-1');
    assert.equal(worker?.status, 'busy');
    assert.equal(worker?.currentTask, 'j1');
    assert.deepEqual({ ...session.store.queues('it')[0]!.counts }, { waiting: 12 });
    assert.deepEqual(log.warnings, []);
  } finally {
    await session.dispose();
  }
});

test('unmapped JSON is a generic event named after its channel; bad messages are counted, the subscription lives on', async () => {
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'generic', url: server.url, channels: ['app:*'], mapping: { taskId: 'id', status: 'state' } }), log);
  try {
    await publish('app:deploys', { release: 'v2', ok: true });
    await publish('app:jobs', 'not json {');
    await publish('app:jobs', '[1, 2]');
    await publish('app:jobs', { id: 'after-bad', state: 'done' });
    await waitUntil('the good message after the bad ones', () => session.store.tasks('it').some((t) => t.id === 'after-bad'));
    const generic = session.store.recentEvents(50).find((e) => e.type === 'generic' && e.connectionId === 'it');
    assert.ok(generic && generic.type === 'generic');
    assert.equal(generic.name, 'app:deploys');
    assert.match(generic.summary, /"release":"v2"/);
    assert.equal(session.store.connection('it')?.rejectedFrames, 2);
    assert.ok(log.warnings.some((w) => /rejected redis-generic-json: app:jobs: not JSON/.test(w)), JSON.stringify(log.warnings));
    assert.ok(log.warnings.some((w) => /rejected generic-record: app:jobs: a record must be a JSON object/.test(w)), JSON.stringify(log.warnings));
    assert.equal(session.store.connection('it')?.state, 'connected');
  } finally {
    await session.dispose();
  }
});

test('without channels every channel is seen (pattern *); a lost server is reported and retried', async () => {
  const own = await startRedisServer();
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'generic', url: own.url, mapping: { worker: 'name', metric: '=load', value: 'load' } }), log);
  try {
    const pub = new Redis(own.port, '127.0.0.1');
    await pub.publish('any:thing', JSON.stringify({ name: 'box-1', load: 0.5 }));
    pub.disconnect();
    await waitUntil('the worker from an unconfigured channel', () => session.store.workers('it').some((w) => w.id === 'box-1'));
    await own.stop();
    await waitUntil('the loss to be noticed', () => session.store.connection('it')?.state === 'reconnecting', 5_000);
  } finally {
    await session.dispose();
    await own.stop();
  }
});

test('read by the worker thread or on the host thread: the same events, channel names, and a 9 MB message rejected as too large', async () => {
  for (const subscriberThread of [true, false]) {
    const log = recordingLog();
    const session = new MonitorSession({ log });
    const rejects: string[] = [];
    const source = new GenericRedisSource(aProfile({ system: 'generic', url: server.url, channels: ['big:*'], mapping: { taskId: 'id', status: 'state' } }), { subscriberThread });
    await source.connect({ emit: session.apply, reject: (kind, detail) => { rejects.push(`${kind}: ${detail}`); }, log, now: () => Date.now() }, (e) => assert.fail(e));
    try {
      await publish('big:ünï', 'x'.repeat(MAX_GENERIC_MESSAGE_BYTES + 1_000_000));
      await publish('big:ünï', { note: 'unmapped' });
      await publish('big:jobs', { id: `after-big-${subscriberThread}`, state: 'done' });
      await waitUntil('the task after the large message', () => session.store.tasks('it').some((t) => t.id === `after-big-${subscriberThread}`));
      assert.deepEqual(rejects, [`redis-generic-too-large: big:ünï: ${MAX_GENERIC_MESSAGE_BYTES + 1_000_000} bytes (limit ${MAX_GENERIC_MESSAGE_BYTES})`], `thread: ${subscriberThread}`);
      const generic = session.store.recentEvents(20).find((e) => e.type === 'generic' && e.connectionId === 'it');
      assert.equal(generic?.type === 'generic' ? generic.name : undefined, 'big:ünï', 'the channel, decoded as UTF-8');
      assert.equal(source.messagesReceived, 3);
    } finally {
      await source.disconnect();
    }
  }
});
