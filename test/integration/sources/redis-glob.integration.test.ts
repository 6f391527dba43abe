// Our client-side Redis glob (src/core/redis/redis-glob.ts) against the server's own: for every pattern, the
// keys a real redis-server's SCAN MATCH returns must be exactly the keys compileRedisGlob accepts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { compileRedisGlob, scanMatchFor } from '../../../src/core/redis/redis-glob';

const KEYS = [
  '', 'a', 'b', 'ab', 'abc', 'abcd', 'axb', 'a*b', 'a?', 'a:c', 'abbc', 'acb', 'aabbcc', 'xxaxxbxxcxx', 'cba',
  ']', '^', '_', '`', '-', '\\', 'a\\b', 'ab\\', '[x]', 'x', 'ax', 'dx', ':x', ']x', 'a]:1', 'a-:1', 'a^:1', 'a\\:1',
  'nexus:task:1:status', 'nexus:task:a:b:status', 'nexus:task::status', 'nexus:task:1:data', 'nexus:task_group:p',
  'nexus:worker:heartbeat:w', 'nexus:tasks:high', 'rhai_task_details:1', 'rhai_tasks:c', 'hero:job:j', 'hero:work_queue:w',
  'hero:stop_queue:x', 'rhai_reply:1', 'cache:user:1', 'rustvello:app:orch:status:i', 'rustvello:app:broker:global',
];

const PATTERNS = [
  'abc', '*', 'a*', '*c', 'a**b', 'a?c', '??', '*a*b*c*', 'a*b*c', '[abc]x', '[^abc]x', '[a-c]', '[c-a]', '[a\\-z]',
  '[\\]]', '[\\^a]', '[]x', '[^]x', 'a[bc', '[a-]', 'a\\*b', 'a\\?', '\\[x\\]', 'a\\\\b', 'ab\\', '\\a', 'hero:[jw]*',
  'nexus:task:*:status', 'a[\\-\\\\\\]\\^]:*',
  scanMatchFor(['rhai_task_details:*', 'rhai_tasks:*', 'hero:job:*', 'hero:work_queue:*'])!,
  scanMatchFor(['nexus:task:*:status', 'nexus:task_group:*', 'nexus:worker:heartbeat:*'])!,
  scanMatchFor(['rustvello:*:orch:status:*', 'rustvello:*:orch:heartbeat:*', 'rustvello:*:broker:*'])!,
];

let server: RedisServerHandle;
let redis: Redis;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, '127.0.0.1');
  const p = redis.pipeline();
  for (const k of KEYS) p.set(k, '1');
  await p.exec();
});
after(async () => {
  redis?.disconnect();
  await server?.stop();
});

test('compileRedisGlob accepts exactly the keys the server matches', async () => {
  for (const pattern of PATTERNS) {
    const server = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) server.add(k);
    } while (cursor !== '0');
    const matcher = compileRedisGlob(pattern);
    const ours = KEYS.filter((k) => matcher(k));
    assert.deepEqual(ours.sort(), [...server].sort(), `pattern ${JSON.stringify(pattern)}`);
  }
});
