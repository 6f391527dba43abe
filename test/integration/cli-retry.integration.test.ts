// `taskscope retry` against a real redis-server with a real bullmq job: the job goes back to wait; a
// read-only profile is refused with exit 4 before anything is written; a missing job exits 5.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Queue, Worker } from 'bullmq6';
import Redis from 'ioredis';
import { runCli } from '../../src/cli/main';
import { startRedisServer, type RedisServerHandle } from '../helpers/servers';

let redis: RedisServerHandle;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await runCli(args, { stdout, stderr, stdin: new PassThrough() });
  return { code, out, err };
}

test('retry puts a failed job back in wait; read-only is refused (4); a missing job exits 5', async () => {
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new Queue('cli', { connection });
  const job = await q.add('x', {});
  const worker = new Worker('cli', async () => { throw new Error('no'); }, { connection });
  await new Promise((r) => worker.once('failed', r));
  await worker.close();
  const dir = mkdtempSync(join(tmpdir(), 'taskscope-cli-'));
  const config = join(dir, 'c.json');
  writeFileSync(config, JSON.stringify({ connections: [
    { id: 'rw', kind: 'redis', system: 'bullmq', url: redis.url },
    { id: 'ro', kind: 'redis', system: 'bullmq', url: redis.url, readOnly: true },
  ] }));
  const raw = new Redis(redis.port, '127.0.0.1');

  const refused = await cli(['retry', '--config', config, '--connection', 'ro', '--queue', 'cli', '--job', job.id!]);
  assert.equal(refused.code, 4);
  assert.match(refused.err, /read-only/);
  assert.equal(await raw.zcard('bull:cli:failed'), 1);

  const ok = await cli(['retry', '--config', config, '--connection', 'rw', '--queue', 'cli', '--job', job.id!]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /Retried 1 of 1/);
  assert.deepEqual(await raw.lrange('bull:cli:wait', 0, -1), [job.id]);
  assert.equal(await raw.zcard('bull:cli:failed'), 0);

  const missing = await cli(['retry', '--config', config, '--connection', 'rw', '--queue', 'cli', '--job', 'nope']);
  assert.equal(missing.code, 5);
  assert.match(missing.err, /no longer exists/);
  const usage = await cli(['retry', '--config', config, '--connection', 'rw']);
  assert.equal(usage.code, 2);
  raw.disconnect();
  await q.close();
});
