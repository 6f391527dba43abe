// The polling sources (rhailib, Nexus, pynenc, Rustvello) against a real redis-server: a poll reads every task's
// marker and the full record only of new tasks and of those whose marker changed. Each test proves it both ways:
// a record rewritten without its marker keeps its old content in the store (it was not read; without the marker
// cache it would show at once), the marker's change brings the new state, and the Redis command counts (INFO
// commandstats) show what was read. A task that vanished is forgotten; a reconnect and the Refresh action read
// everything again. Records are hand-built after shared/reference/protocols.md §1–3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog, waitUntil, type RecordingLog } from '../../helpers/source-session';
import type { MonitorSession } from '../../../src/sources/monitor-session';
import type { MonitorEvent } from '../../../src/core/model/events';

let redis: RedisServerHandle;
let client: Redis;
before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
});
after(async () => {
  client?.disconnect();
  await redis?.stop();
});

// No timer poll during a test: every poll is an explicit session.refresh.
const profile = (system: string) => aProfile({ system, url: redis.url, pollIntervalMs: 3_600_000 });

/** Calls per command since the last CONFIG RESETSTAT. */
async function commandCounts(): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  const counts: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

/** One poll; returns the commands it sent and the task upserts it emitted. */
async function poll(session: MonitorSession): Promise<{ commands: Record<string, number>; upserts: string[] }> {
  const upserts: string[] = [];
  const sub = session.onEvent((e: MonitorEvent) => { if (e.type === 'task.upsert') upserts.push(e.task.id); });
  await client.config('RESETSTAT');
  await session.refresh('it');
  await new Promise((r) => setImmediate(r));
  sub.dispose();
  const commands = await commandCounts();
  delete commands['config']; // RESETSTAT itself
  delete commands['info'];
  return { commands, upserts: upserts.sort() };
}

/** The reader connection dies (CLIENT KILL, as on a failover or a server restart); the supervisor connects again. */
async function reconnect(session: MonitorSession, clientName: string): Promise<void> {
  const list = await client.client('LIST') as string;
  const ids = [...list.matchAll(/^id=(\d+) .*name=(\S*)/gm)].filter((m) => m[2] === clientName).map((m) => m[1]!);
  assert.equal(ids.length, 1, list);
  await client.client('KILL', 'ID', ids[0]!);
  await waitUntil('the connection lost', () => session.store.connection('it')!.state !== 'connected');
  session.reconnect('it'); // skips the backoff delay
  await waitUntil('the reconnect', () => session.store.connection('it')!.state === 'connected', 10_000);
}

const taskOf = (session: MonitorSession, id: string) => session.store.tasks('it').find((t) => t.id === id);

test('rhailib: unchanged rows are not read again; a changed one is; removal, reconnect and Refresh', async () => {
  await client.flushall();
  const job = (id: string, fields: Record<string, string>) => client.hset(`hero:job:${id}`, {
    id, worker_id: 'osis', caller_id: 'caller-one', created_at: '2026-01-01T00:00:00Z', script: '1', ...fields,
  });
  await job('a', { status: 'started', updated_at: '2026-01-01T00:00:01Z' });
  await job('b', { status: 'started', updated_at: '2026-01-01T00:00:02Z' });
  await client.rpush('hero:work_queue:osis', 'c');
  const session = await connectedSession(profile('rhailib'));
  try {
    assert.equal(taskOf(session, 'a')?.name, 'from caller-one');

    // A field outside the marker changes on a; b finishes (status and updated_at, as a worker writes them).
    await client.hset('hero:job:a', 'caller_id', 'caller-two');
    await client.hset('hero:job:b', { status: 'finished', updated_at: '2026-01-01T00:00:09Z' });
    const first = await poll(session);
    assert.equal(first.commands['hmget'], 2 + 1, 'two marker reads, one row read (b)');
    assert.deepEqual(first.upserts, ['b']);
    assert.equal(taskOf(session, 'a')?.name, 'from caller-one', 'a was not read again');
    assert.equal(taskOf(session, 'b')?.status, 'finished');
    assert.equal(taskOf(session, 'b')?.finishedAt, Date.parse('2026-01-01T00:00:09Z'));
    assert.deepEqual({ ...session.store.queue('queue:it:hero:work_queue:osis')!.counts }, { dispatched: 0, started: 1, error: 0, finished: 1 });

    const quiet = await poll(session);
    assert.equal(quiet.commands['hmget'], 2, 'nothing changed: markers only');
    assert.deepEqual(quiet.upserts, []);

    // Removal: b leaves the counts, and is forgotten: written again with the same marker, it is read in full.
    await client.del('hero:job:b');
    await poll(session);
    assert.deepEqual({ ...session.store.queue('queue:it:hero:work_queue:osis')!.counts }, { dispatched: 0, started: 1, error: 0, finished: 0 });
    await job('b', { status: 'finished', updated_at: '2026-01-01T00:00:09Z', caller_id: 'caller-three' });
    const back = await poll(session);
    assert.deepEqual(back.upserts, ['b']);
    assert.equal(taskOf(session, 'b')?.name, 'from caller-three');

    // A key of another type is rejected at its marker read, every poll, as before; the rest stays.
    await client.set('hero:job:z', 'not a hash');
    const rejected = session.store.connection('it')!.rejectedFrames;
    await poll(session);
    await poll(session);
    assert.equal(session.store.connection('it')!.rejectedFrames, rejected + 2);
    await client.del('hero:job:z');

    // A reconnect reads every row again.
    await reconnect(session, 'taskscope:rhailib');
    assert.equal(taskOf(session, 'a')?.name, 'from caller-two');

    // So does the Refresh action.
    await client.hset('hero:job:a', 'caller_id', 'caller-four');
    await poll(session);
    assert.equal(taskOf(session, 'a')?.name, 'from caller-two');
    await session.runAction('it', 'refresh', { kind: 'connection' }, { report: () => undefined, signal: new AbortController().signal });
    assert.equal(taskOf(session, 'a')?.name, 'from caller-four');
  } finally {
    await session.dispose();
  }
});

test('Nexus: data is read only when the status or the data key\'s expiry changed; removal and reconnect', async () => {
  await client.flushall();
  const data = (id: string, type: string, extra: Record<string, unknown> = {}) => JSON.stringify({
    id, type, priority: 1, status: 'processing', created_at: '2026-01-01T00:00:00Z', started_at: '2026-01-01T00:00:01Z',
    completed_at: null, error: null, retry_count: 0, parent_task_id: null, ...extra,
  });
  for (const id of ['x', 'y']) {
    await client.set(`nexus:task:${id}:status`, 'processing', 'EX', 3600);
    await client.set(`nexus:task:${id}:data`, data(id, 'search'), 'EX', 3600);
  }
  const session = await connectedSession(profile('nexus'));
  try {
    assert.equal(taskOf(session, 'x')?.name, 'search');

    // x: data rewritten keeping its TTL (no marker change); y: data rewritten with a new EX and the same status,
    // the coordinator's second SET landing after a poll already read the new status.
    await client.set('nexus:task:x:data', data('x', 'summarization'), 'KEEPTTL');
    await new Promise((r) => setTimeout(r, 5));
    await client.set('nexus:task:y:data', data('y', 'reasoning', { retry_count: 1 }), 'EX', 3600);
    const first = await poll(session);
    assert.equal(first.commands['pexpiretime'], 2);
    assert.equal(first.commands['get'], 2 + 1, 'two statuses, one data (y)');
    assert.deepEqual(first.upserts, ['y']);
    assert.equal(taskOf(session, 'x')?.name, 'search', 'x was not read again');
    assert.equal(taskOf(session, 'y')?.name, 'reasoning');
    assert.equal(taskOf(session, 'y')?.attempts, 1);

    // A status change alone is enough.
    await client.set('nexus:task:x:status', 'completed', 'KEEPTTL');
    const second = await poll(session);
    assert.deepEqual(second.upserts, ['x']);
    assert.equal(taskOf(session, 'x')?.status, 'completed');
    assert.equal(taskOf(session, 'x')?.name, 'summarization');
    assert.deepEqual((await poll(session)).upserts, []);

    // Removal: y's status key expires; y is forgotten, and read in full when it comes back with the same marker.
    await client.del('nexus:task:y:status');
    await poll(session);
    assert.equal(session.store.queue('queue:it:normal_priority')!.counts['processing'], 0);
    await client.set('nexus:task:y:status', 'processing', 'EX', 3600);
    await client.set('nexus:task:y:data', data('y', 'entity_extraction'), 'KEEPTTL');
    await poll(session);
    assert.equal(taskOf(session, 'y')?.name, 'entity_extraction');
    assert.equal(session.store.queue('queue:it:normal_priority')!.counts['processing'], 1);

    // A reconnect reads every task's data again.
    await client.set('nexus:task:x:data', data('x', 'data_aggregation_extract', { status: 'completed' }), 'KEEPTTL');
    await poll(session);
    assert.equal(taskOf(session, 'x')?.name, 'summarization');
    await reconnect(session, 'taskscope:nexus');
    assert.equal(taskOf(session, 'x')?.name, 'data_aggregation_extract');
  } finally {
    await session.dispose();
  }
});

test('pynenc: the invocation JSON is read only for new invocations and changed status records; removal and reconnect', async () => {
  await client.flushall();
  const p = '__pynenc__:app1:';
  const record = (status: string, at: string) => JSON.stringify({ status, runner_id: 'r1', timestamp: at });
  const invocation = (id: string, task: string) => JSON.stringify({ invocation_id: id, task_id_key: task });
  for (const [n, id] of ['i1', 'i2'].entries()) {
    await client.sadd(`${p}orchestrator:status:running`, id);
    await client.zadd(`${p}orchestrator:all_invocations_by_time`, n, id);
    await client.set(`${p}orchestrator:invocation_status:${id}`, record('running', '2026-01-01T00:00:01+00:00'));
    await client.set(`${p}state_backend:invocation:${id}`, invocation(id, 'mod.task_one'));
  }
  const session = await connectedSession(profile('pynenc'));
  try {
    assert.equal(taskOf(session, 'i1')?.name, 'mod.task_one');

    await client.set(`${p}state_backend:invocation:i1`, invocation('i1', 'mod.renamed'));
    await client.set(`${p}orchestrator:invocation_status:i2`, record('success', '2026-01-01T00:00:05+00:00'));
    const first = await poll(session);
    assert.equal(first.commands['get'], 2 + 1, 'two status records, one invocation (i2)');
    assert.deepEqual(first.upserts, ['i2']);
    assert.equal(taskOf(session, 'i1')?.name, 'mod.task_one', 'i1 was not read again');
    assert.equal(taskOf(session, 'i2')?.status, 'success');
    assert.deepEqual((await poll(session)).upserts, []);

    // Removal: i2 purged, then registered again with the same record: read in full.
    await client.del(`${p}orchestrator:invocation_status:${'i2'}`);
    await poll(session);
    await client.set(`${p}orchestrator:invocation_status:i2`, record('success', '2026-01-01T00:00:05+00:00'));
    await client.set(`${p}state_backend:invocation:i2`, invocation('i2', 'mod.task_two'));
    assert.deepEqual((await poll(session)).upserts, ['i2']);
    assert.equal(taskOf(session, 'i2')?.name, 'mod.task_two');

    await reconnect(session, 'taskscope:pynenc');
    assert.equal(taskOf(session, 'i1')?.name, 'mod.renamed');
  } finally {
    await session.dispose();
  }
});

test('Rustvello: an unchanged status record is neither parsed nor emitted again; a changed one is', async () => {
  await client.flushall();
  const key = (id: string) => `rustvello:app1:orch:status:${id}`;
  const record = (status: string, at: string) => JSON.stringify({ status, runner_id: 'r1', timestamp: at });
  await client.set(key('v1'), record('Running', '2026-01-01T00:00:01Z'));
  await client.set(key('v2'), record('Running', '2026-01-01T00:00:02Z'));
  const session = await connectedSession(profile('rustvello'));
  try {
    await client.set(key('v2'), record('Success', '2026-01-01T00:00:09Z'));
    const first = await poll(session);
    assert.deepEqual(first.upserts, ['v2']);
    assert.equal(taskOf(session, 'v2')?.status, 'success');
    assert.deepEqual({ ...session.store.queue('queue:it:app1')!.counts }, { Running: 1, Success: 1 });
    assert.deepEqual((await poll(session)).upserts, []);
    await client.del(key('v2'));
    await poll(session);
    assert.deepEqual({ ...session.store.queue('queue:it:app1')!.counts }, { Running: 1 });
  } finally {
    await session.dispose();
  }
});

test('Nexus on a Redis without PEXPIRETIME (before 7.0): every task is read in full on each poll, and the log says so once', async () => {
  // A real server whose PEXPIRETIME is renamed away answers it as an unknown command, as Redis 6 does.
  const old = await startRedisServer({ args: ['--rename-command', 'PEXPIRETIME', ''] });
  const direct = new Redis(old.url);
  const log = recordingInfoLog();
  try {
    await assert.rejects(direct.call('PEXPIRETIME', 'k'), /unknown command/);
    const data = (id: string, type: string) => JSON.stringify({ id, type, priority: 2, status: 'processing', created_at: '2026-01-01T00:00:00Z', retry_count: 0 });
    for (const id of ['x', 'y']) {
      await direct.set(`nexus:task:${id}:status`, 'processing', 'EX', 3600);
      await direct.set(`nexus:task:${id}:data`, data(id, 'search'), 'EX', 3600);
    }
    const session = await connectedSession(aProfile({ system: 'nexus', url: old.url, pollIntervalMs: 3_600_000 }), log);
    try {
      assert.equal(session.store.tasks('it').length, 2);
      // Without a marker a data rewrite that keeps the status is still seen: the data is read every poll.
      await direct.set('nexus:task:x:data', data('x', 'summarization'), 'KEEPTTL');
      await direct.config('RESETSTAT');
      await session.refresh('it');
      const info = await direct.info('commandstats');
      assert.equal(Number(/^cmdstat_get:calls=(\d+)/m.exec(info)?.[1]), 4, 'two statuses and two data, every poll');
      assert.equal(session.store.tasks('it').find((t) => t.id === 'x')?.name, 'summarization');
      assert.equal(session.store.queue('queue:it:high_priority')?.counts['processing'], 2);
      await session.refresh('it');
      assert.equal(log.infos.filter((m) => m.includes('PEXPIRETIME failed')).length, 1, log.infos.join('\n'));
      assert.deepEqual(log.warnings, []);
    } finally {
      await session.dispose();
    }
  } finally {
    direct.disconnect();
    await old.stop();
  }
});

/** A RecordingLog that keeps the info lines too. */
function recordingInfoLog(): RecordingLog & { readonly infos: string[] } {
  const infos: string[] = [];
  return { ...recordingLog(), infos, info: (m: string) => { infos.push(m); } };
}
