// Redis ACL users against a real redis-server (`ACL SETUSER`): the profile's username + password (in the extension
// the password comes from SecretStorage into `profile.password`; here it is set on the profile, as the source
// receives it). A wrong password stops after one AUTH with the reason shown (the server's ACL LOG proves there
// was no retry storm); a read-only user without scripts and without CLIENT LIST still reads counts, and names
// the workers processing jobs from bullmq's processedBy, saying why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker } from 'bullmq5';
import Redis from 'ioredis';
import { setAclUser } from '../../helpers/redis-secure';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog, waitUntil } from '../../helpers/source-session';
import { MonitorSession } from '../../../src/sources/monitor-session';

let server: RedisServerHandle;
let queue: Queue;
let worker: Worker;
let releaseJob: () => void = () => undefined;

before(async () => {
  server = await startRedisServer();
  await setAclUser(server, 'taskscope', ['on', '>s3cret', '~*', '&*', '+@all']);
  // Reads only: no scripts (@scripting), no writes, and CLIENT LIST taken away from @connection.
  await setAclUser(server, 'viewer', ['on', '>view-only', '~*', '&*', '-@all', '+@read', '+@connection', '+info', '-client|list']);
  const connection = { host: '127.0.0.1', port: server.port };
  queue = new Queue('acl-q', { connection });
  await queue.addBulk([{ name: 'hold', data: {} }, { name: 'b', data: {} }, { name: 'c', data: {} }]);
  await queue.add('later', {}, { delay: 60_000 });
  const held = new Promise<void>((resolve) => { releaseJob = resolve; });
  worker = new Worker('acl-q', async (job) => { if (job.name === 'hold') await held; }, { connection: { ...connection, maxRetriesPerRequest: null }, name: 'acl-worker', autorun: false });
  void worker.run();
  // The held job keeps the worker busy; the two others stay waiting (concurrency 1).
  await new Promise<void>((resolve) => worker.once('active', () => resolve()));
});

after(async () => {
  releaseJob();
  await worker?.close();
  await queue?.close();
  await server?.stop();
});

/** Failed AUTH attempts the server recorded (ACL LOG groups repeats in `count`). */
async function authFailures(): Promise<number> {
  const admin = new Redis(server.port, '127.0.0.1');
  try {
    const entries = (await admin.call('ACL', 'LOG')) as unknown[][];
    return entries.map((e) => Object.fromEntries(Array.from({ length: e.length / 2 }, (_, i) => [e[2 * i], e[2 * i + 1]])))
      .filter((e) => e['reason'] === 'auth').reduce((sum, e) => sum + Number(e['count']), 0);
  } finally {
    admin.disconnect();
  }
}

test('username + password of an ACL user: counts equal getJobCounts(), workers from CLIENT LIST', async () => {
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'bullmq', url: server.url, username: 'taskscope', password: 's3cret' }), log);
  try {
    assert.deepEqual({ ...session.store.queues('it').find((q) => q.name === 'acl-q')?.counts }, await queue.getJobCounts());
    assert.ok(session.store.workers('it').some((w) => /^acl-q\/acl-worker@/.test(w.id)), JSON.stringify(session.store.workers('it')));
    assert.deepEqual(log.warnings, []);
  } finally {
    await session.dispose();
  }
});

test('a wrong password: one AUTH, the connection stays down with "authentication refused"', async () => {
  const admin = new Redis(server.port, '127.0.0.1');
  await admin.call('ACL', 'LOG', 'RESET').finally(() => admin.disconnect());
  const log = recordingLog();
  const session = new MonitorSession({ log });
  try {
    await session.setProfiles([aProfile({ system: 'bullmq', url: server.url, username: 'taskscope', password: 'wrong' })]);
    session.setVisible(true);
    session.startAll();
    await waitUntil('the connection to give up', () => session.store.connection('it')?.state === 'disconnected', 10_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a backoff retry would have happened by now
    const c = session.store.connection('it')!;
    assert.equal(c.state, 'disconnected');
    assert.match(c.error ?? '', /^authentication refused: WRONGPASS .*Set Connection Password or Token/);
    assert.equal(log.warnings.filter((w) => /connect failed/.test(w)).length, 1, JSON.stringify(log.warnings));
    assert.equal(await authFailures(), 1);
  } finally {
    await session.dispose();
  }
});

test('the rhailib polling source gives up the same way on a user that does not exist', async () => {
  const session = new MonitorSession({ log: recordingLog() });
  try {
    await session.setProfiles([aProfile({ system: 'rhailib', url: server.url, username: 'nobody', password: 'x' })]);
    session.startAll();
    await waitUntil('the connection to give up', () => session.store.connection('it')?.state === 'disconnected', 10_000);
    assert.match(session.store.connection('it')?.error ?? '', /^authentication refused: WRONGPASS/);
  } finally {
    await session.dispose();
  }
});

test('a read-only ACL user (no scripts, no CLIENT LIST): counts read, the busy worker named from processedBy, the reason shown', async () => {
  // The user really is read-only and lacks both.
  const probe = new Redis({ port: server.port, host: '127.0.0.1', username: 'viewer', password: 'view-only' });
  try {
    await assert.rejects(probe.call('CLIENT', 'LIST'), /NOPERM/);
    await assert.rejects(probe.eval('return 1', 0), /NOPERM/);
    await assert.rejects(probe.set('x', '1'), /NOPERM/);
  } finally {
    probe.disconnect();
  }
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'bullmq', url: server.url, username: 'viewer', password: 'view-only' }), log);
  try {
    assert.deepEqual({ ...session.store.queues('it').find((q) => q.name === 'acl-q')?.counts }, await queue.getJobCounts());
    const workers = session.store.workers('it');
    assert.equal(workers.length, 1, JSON.stringify(workers));
    assert.equal(workers[0]!.id, 'acl-q/acl-worker');
    assert.equal(workers[0]!.status, 'busy');
    assert.equal(workers[0]!.currentTask, (await queue.getActive())[0]!.id);
    assert.match(workers[0]!.detail ?? '', /processedBy: CLIENT LIST refused/);
    // The Workers view shows this above the list: idle workers are missing, and how to fix it.
    assert.match(session.store.connection('it')?.notices?.workers ?? '', /^Idle workers are not shown: the server refused CLIENT LIST \(NOPERM.*\+client\|list/);
    assert.ok(log.warnings.some((w) => /CLIENT LIST refused \(NOPERM.*only workers processing a job are listed/.test(w)), JSON.stringify(log.warnings));
    // Shown in the event stream of the Overview, not only in the log.
    assert.ok(session.store.recentEvents(100).some((e) => e.type === 'generic' && e.name === 'bullmq.workers' && /CLIENT LIST refused/.test(e.summary)));
    assert.equal(session.store.connection('it')?.state, 'connected');

    // Once its jobs are done the worker processes nothing: a refresh no longer lists it.
    releaseJob();
    await waitUntil('the jobs to run', () => worker.isRunning(), 1_000);
    const deadline = Date.now() + 5_000;
    while ((await queue.getJobCounts())['completed'] !== 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await session.refresh('it');
    await waitUntil('counts after the jobs ran', () => session.store.queues('it').find((q) => q.name === 'acl-q')?.counts['completed'] === 3, 5_000);
    assert.deepEqual(session.store.workers('it'), []);
  } finally {
    await session.dispose();
  }
});
