// TLS against a real redis-server (`--port 0 --tls-port`, certificates made by openssl for this run): a BullMQ
// profile with `rediss://` and the CA file sees queues real bullmq wrote over TLS; `rejectUnauthorized: false`
// connects without the CA; with neither (or the wrong CA) the connection stays down with the TLS error named,
// after one attempt — no crash, no silent retry loop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq5';
import { makeTestCertificates, startTlsRedisServer, type TestCertificates } from '../../helpers/redis-secure';
import type { RedisServerHandle } from '../../helpers/servers';
import { aProfile, connectedSession, recordingLog, waitUntil } from '../../helpers/source-session';
import { MonitorSession } from '../../../src/sources/monitor-session';

let certs: TestCertificates;
let server: RedisServerHandle;
let queue: Queue;

before(async () => {
  certs = await makeTestCertificates();
  server = await startTlsRedisServer(certs);
  queue = new Queue('over-tls', { connection: { host: '127.0.0.1', port: server.port, tls: { ca: readFileSync(certs.caFile) } } });
  await queue.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
  await queue.add('later', {}, { delay: 60_000 });
});

after(async () => {
  await queue?.close();
  await server?.stop();
  await certs?.remove();
});

test('the server speaks TLS only: a rediss:// URL and the port redis-server was given', () => {
  assert.match(server.url, /^rediss:\/\/127\.0\.0\.1:\d+$/);
});

test('rediss:// with tls.caFile: real bullmq queues, counts equal getJobCounts()', async () => {
  const log = recordingLog();
  const session = await connectedSession(aProfile({ system: 'bullmq', url: server.url, tls: { caFile: certs.caFile } }), log);
  try {
    assert.deepEqual({ ...session.store.queues('it').find((q) => q.name === 'over-tls')?.counts }, await queue.getJobCounts());
    assert.deepEqual(log.warnings, []);
  } finally {
    await session.dispose();
  }
});

test('tls.rejectUnauthorized: false connects without the CA', async () => {
  const session = await connectedSession(aProfile({ system: 'bullmq', url: server.url, tls: { rejectUnauthorized: false } }));
  try {
    assert.equal(session.store.queues('it').find((q) => q.name === 'over-tls')?.counts['waiting'], 2);
  } finally {
    await session.dispose();
  }
});

/** Starts a session that must fail; resolves with the connection's final state and every state it went through. */
async function failingSession(fields: Record<string, unknown>): Promise<{ state: string; error: string; attempts: number; warnings: string[] }> {
  const log = recordingLog();
  const session = new MonitorSession({ log });
  try {
    await session.setProfiles([aProfile(fields)]);
    session.setVisible(true);
    session.startAll();
    await waitUntil('connection to give up', () => session.store.connection('it')?.state === 'disconnected', 10_000).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(session.store.connection('it'))} ${JSON.stringify(log.warnings)}`);
    });
    // Stays down: no retry is scheduled behind the user's back.
    await new Promise((r) => setTimeout(r, 1_500));
    const c = session.store.connection('it')!;
    return { state: c.state, error: c.error ?? '', attempts: log.warnings.filter((w) => /connect failed/.test(w)).length, warnings: log.warnings };
  } finally {
    await session.dispose();
  }
}

test('rediss:// with neither CA nor rejectUnauthorized: false fails once, naming the TLS error', async () => {
  const r = await failingSession({ system: 'bullmq', url: server.url });
  assert.equal(r.state, 'disconnected');
  assert.match(r.error, /^TLS: the server's certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN): .+\); set tls\.caFile/);
  assert.equal(r.attempts, 1, JSON.stringify(r.warnings));
});

test('a CA that did not sign the server certificate is refused the same way (rhailib polling source too)', async () => {
  const r = await failingSession({ system: 'rhailib', url: server.url, tls: { caFile: certs.otherCaFile } });
  assert.equal(r.state, 'disconnected');
  assert.match(r.error, /^TLS: the server's certificate is not trusted/);
  assert.equal(r.attempts, 1, JSON.stringify(r.warnings));
});

test('an unreadable CA file is reported by field, without retrying', async () => {
  const r = await failingSession({ system: 'bullmq', url: server.url, tls: { caFile: `${certs.dir}/missing.crt` } });
  assert.match(r.error, /cannot read the CA file tls\.caFile ".*missing\.crt": ENOENT/);
  assert.equal(r.attempts, 1);
});

test('redis:// (plain) against the TLS-only port is a connection failure that is retried, not a crash', async () => {
  const log = recordingLog();
  const session = new MonitorSession({ log });
  try {
    await session.setProfiles([aProfile({ system: 'bullmq', url: `redis://127.0.0.1:${server.port}` })]);
    session.setVisible(true);
    session.startAll();
    await waitUntil('a retry to be scheduled', () => session.store.connection('it')?.state === 'reconnecting', 10_000);
    assert.ok(session.store.connection('it')?.error, JSON.stringify(session.store.connection('it')));
  } finally {
    await session.dispose();
  }
});
