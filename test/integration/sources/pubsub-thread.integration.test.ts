// The pub/sub reader thread (src/sources/redis/pubsub-thread.ts) against a real redis-server: copies of a message
// published to several subscribed channels reach the main thread once; a main thread that falls behind makes the
// worker stop reading (Redis holds the rest, nothing is lost, order is kept); a server that goes away is reported
// as lost, and one that cannot be reached or refuses the password fails the start with the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, findFreePort, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, waitUntil } from '../../helpers/source-session';
import { ReaderThreadError, ThreadedSubscriber, type PubSubPlan } from '../../../src/sources/redis/pubsub-thread';
import { NexusRedisSource } from '../../../src/sources/redis/nexus';
import { MonitorSession } from '../../../src/sources/monitor-session';
import type { ConnectionProfile } from '../../../src/core/config/connection-profile';
import { PermanentSourceError } from '../../../src/core/source/source';

let redis: RedisServerHandle;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

const PLAN: PubSubPlan = { connectionName: 'taskscope:test-events', channels: ['ev', 'ev:stats'], patterns: ['ev:project:*'], copies: 'leading-event-id' };
const event = (id: string, extra = '') => `{"event_id": "${id}", "ts": "2026-11-23T10:00:00Z", "event_type": "worker_heartbeat"${extra}}`;

function collector() {
  const texts: string[] = [];
  const lost: Error[] = [];
  return { texts, lost, handlers: { onMessage: (text: string) => { texts.push(text); }, onLost: (e: Error) => { lost.push(e); } } };
}

test('a message published on the global, project and stats channels reaches the main thread once; the copies are counted', async () => {
  const { texts, handlers } = collector();
  const sub = await ThreadedSubscriber.start(aProfile({ system: 'nexus', url: redis.url }), PLAN, handlers);
  const pub = new Redis(redis.url);
  try {
    for (let i = 0; i < 50; i++) {
      const text = event(`e${i}`, ', "worker_id": 1');
      await pub.publish('ev', text);
      await pub.publish('ev:project:p1', text);
      if (i % 5 === 0) await pub.publish('ev:stats', text);
    }
    // Same id, different text (another length): not a copy, handed on (the main thread's de-dup decides).
    await pub.publish('ev', event('e0', ', "worker_id": 22'));
    // Without a leading event_id: always handed on.
    await pub.publish('ev', '{"type":"ping"}');
    await pub.publish('ev:project:p1', '{"type":"ping"}');
    await waitUntil('all messages', () => texts.length === 53);
    assert.deepEqual(texts.slice(0, 3), [event('e0', ', "worker_id": 1'), event('e1', ', "worker_id": 1'), event('e2', ', "worker_id": 1')], 'in publishing order, decoded as UTF-8');
    await waitUntil('copies counted', () => sub.copies === 60);
    assert.equal(texts.length, 53);
  } finally {
    pub.disconnect();
    await sub.close();
  }
});

test('a main thread that falls behind: the worker stops reading and Redis holds the rest; nothing is lost, order is kept', async () => {
  const seen: number[] = [];
  const sub = await ThreadedSubscriber.start(aProfile({ system: 'nexus', url: redis.url }), { ...PLAN, copies: 'none' }, {
    onMessage: (text) => {
      const until = performance.now() + 0.05; // a slow consumer: 50 µs a message
      while (performance.now() < until) { /* busy */ }
      seen.push(Number(text.slice(0, text.indexOf(':'))));
    },
    onLost: (e) => assert.fail(e),
  });
  const pub = new Redis(redis.url);
  const watcher = new Redis(redis.url);
  // 60 MB of 1 KB messages: far more than the batches in flight and the kernel's socket buffers hold, so a paused
  // reader shows in the server's output buffer.
  const total = 60_000;
  const padding = 'x'.repeat(1_000);
  try {
    await pub.config('SET', 'client-output-buffer-limit', 'pubsub 0 0 0');
    // Published by the server itself in one call: the publisher does not wait for this (busy) thread.
    await pub.eval(`for i = 0, tonumber(ARGV[1]) - 1 do redis.call('PUBLISH', 'ev', i .. ':' .. ARGV[2]) end`, 0, total, padding);
    // A quarter through, the server still holds what the paused worker has not read (without backpressure the worker
    // would have read everything into batches queued for this thread long before).
    const omem = async () => {
      const line = String(await watcher.client('LIST')).split('\n').find((l) => l.includes('name=taskscope:test-events'));
      return Number(/ omem=(\d+)/.exec(line ?? '')?.[1] ?? 0);
    };
    await waitUntil('a quarter consumed', () => seen.length >= total / 4, 30_000);
    assert.ok(await omem() > 0, 'the server holds messages while the reader is paused');
    await waitUntil('all consumed', () => seen.length === total, 30_000);
    assert.equal(seen.length, total);
    assert.ok(seen.every((v, i) => v === i), 'every message once, in order');
  } finally {
    pub.disconnect();
    watcher.disconnect();
    await sub.close();
  }
});

test('the server going away is reported as lost; an unreachable server or a refused password fails the start', async () => {
  const server = await startRedisServer({ args: ['--requirepass', 'sekret'] });
  const { lost, handlers } = collector();
  const sub = await ThreadedSubscriber.start(aProfile({ system: 'nexus', url: `redis://:sekret@127.0.0.1:${server.port}` }), PLAN, handlers);
  await server.stop();
  await waitUntil('lost reported', () => lost.length === 1);
  await sub.close();

  const closedPort = await findFreePort();
  await assert.rejects(ThreadedSubscriber.start(aProfile({ system: 'nexus', url: `redis://127.0.0.1:${closedPort}` }), PLAN, collector().handlers), /ECONNREFUSED/);
  const guarded = await startRedisServer({ args: ['--requirepass', 'sekret'] });
  try {
    await assert.rejects(ThreadedSubscriber.start(aProfile({ system: 'nexus', url: `redis://:wrong@127.0.0.1:${guarded.port}` }), PLAN, collector().handlers),
      (error: unknown) => error instanceof PermanentSourceError && /authentication refused/.test(error.message));
  } finally {
    await guarded.stop();
  }
});

test('a reader thread that cannot start is a ReaderThreadError, and the Nexus source then reads on the host thread', async () => {
  // A profile the thread cannot be given (a function is not cloneable) stands for any failure to start it.
  const unclonable = { ...aProfile({ system: 'nexus', url: redis.url, pollIntervalMs: 3_600_000 }), options: { hook: () => 1 } } as unknown as ConnectionProfile;
  await assert.rejects(ThreadedSubscriber.start(unclonable, PLAN, collector().handlers), (error: unknown) => error instanceof ReaderThreadError);

  const warnings: string[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => { warnings.push(m); }, error: () => undefined };
  const session = new MonitorSession({ log });
  const source = new NexusRedisSource(unclonable);
  await source.connect({ emit: session.apply, reject: () => assert.fail('nothing is rejected'), log, now: () => Date.now() }, (e) => assert.fail(e));
  const pub = new Redis(redis.url);
  try {
    assert.match(warnings.join('\n'), /read on the extension host's thread: the pub\/sub reader thread could not start/);
    const text = event('fallback-1', ', "worker_id": 7');
    await pub.publish('nexus:events', text);
    await pub.publish('nexus:events:project:p1', text);
    await waitUntil('worker 7 from the host-thread subscription', () => session.store.workers('it').some((w) => w.id === '7'));
    assert.equal(source.duplicatesDropped, 1, 'the project copy dropped');
  } finally {
    pub.disconnect();
    await source.disconnect();
  }
});

test('the reader thread reads the replies itself: UTF-8 and 3 MB messages arrive whole; a channel the ACL forbids fails the start with the reason', async () => {
  const { texts, handlers } = collector();
  const sub = await ThreadedSubscriber.start(aProfile({ system: 'nexus', url: redis.url }), { ...PLAN, copies: 'none' }, handlers);
  const pub = new Redis(redis.url);
  try {
    const big = `{"event_id": "big", "message": "${'ä'.repeat(1_500_000)}"}`;
    await pub.publish('ev', event('ü-1', ', "message": "naïve — 漢字 \\r\\n"'));
    await pub.publish('ev:project:p9', big);
    await pub.publish('ev:stats', '');
    await waitUntil('three messages', () => texts.length === 3);
    assert.equal(texts[0], event('ü-1', ', "message": "naïve — 漢字 \\r\\n"'));
    assert.equal(texts[1], big, 'a message far larger than one socket read, intact');
    assert.equal(texts[2], '', 'an empty message is a message');
  } finally {
    pub.disconnect();
    await sub.close();
  }

  // ACL: a user that may connect but not subscribe to these channels.
  const admin = new Redis(redis.url);
  try {
    await admin.acl('SETUSER', 'reader', 'on', '>pw', 'resetchannels', '&other:*', '+@all', '~*');
    await assert.rejects(ThreadedSubscriber.start(aProfile({ system: 'nexus', url: `redis://reader:pw@127.0.0.1:${redis.port}` }), PLAN, collector().handlers),
      (error: unknown) => error instanceof PermanentSourceError && /refused the subscription: NOPERM/.test(error.message));
  } finally {
    await admin.acl('DELUSER', 'reader');
    admin.disconnect();
  }
});
