// Generic WebSocket source against a plain `ws` server sending a team's own JSON: the field mapping (nested
// dot paths, arrays of records, constant metric names, epoch-second timestamps), the subscribe message, custom
// headers and the bearer token on the handshake, wss:// with a CA file, unknown messages kept as generic events.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import { startSimServer } from '../../../demo/support/ws-sim-server';
import { connected, profileFrom, recordingLog, startSession, waitUntil } from '../../helpers/ws-source-session';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

const MAPPING = { items: 'jobs', taskId: 'job.id', status: 'job.state', worker: 'host', queue: 'lane', timestamp: 'at', eventType: 'kind' };

async function server(tls?: { key: Buffer; cert: Buffer }) {
  const sockets: WebSocket[] = [];
  const received: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const s = await startSimServer((socket, req) => {
    sockets.push(socket);
    headers.push(req.headers);
    socket.on('message', (d) => received.push(d.toString()));
  }, { tls });
  cleanups.push(() => s.close());
  return { s, sockets, received, headers, send: (m: unknown) => { for (const k of sockets) k.send(typeof m === 'string' ? m : JSON.stringify(m)); } };
}

test('maps tasks, workers, metrics and queues through the profile mapping; sends the subscribe message and headers', async () => {
  const srv = await server();
  const log = recordingLog();
  const profile = { ...profileFrom({ kind: 'websocket', system: 'generic', url: `ws://127.0.0.1:${srv.s.port}/feed`, mapping: MAPPING, headers: { 'X-Api-Key': 'k1' }, subscribeMessage: { op: 'subscribe', topic: 'jobs' } }), token: 'tok-9' };
  const sess = await startSession(profile, log);
  cleanups.push(() => sess.dispose());
  await connected(sess);
  await waitUntil(() => srv.received.length === 1, 2_000, 'subscribe message');
  assert.deepEqual(JSON.parse(srv.received[0]!), { op: 'subscribe', topic: 'jobs' });
  assert.equal(srv.headers[0]?.['x-api-key'], 'k1');
  assert.equal(srv.headers[0]?.['authorization'], 'Bearer tok-9');

  srv.send({ kind: 'batch', jobs: [
    { job: { id: 'j1', state: 'running' }, host: 'box-a', lane: 'fast', at: 1_767_225_600 },
    { job: { id: 'j2', state: 'queued' }, lane: 'slow', at: '2026-01-01T00:00:05Z' },
  ] });
  const j1 = await waitUntil(() => sess.store.task('task:it:fast:j1'), 2_000, 'task j1');
  assert.equal(j1.status, 'running');
  assert.equal(j1.worker, 'box-a');
  assert.equal(j1.updatedAt, 1_767_225_600_000, 'epoch seconds read as a timestamp');
  assert.equal(sess.store.task('task:it:slow:j2')?.updatedAt, Date.parse('2026-01-01T00:00:05Z'));
  const w = await waitUntil(() => sess.store.worker('worker:it:box-a'), 2_000, 'worker');
  assert.equal(w.status, 'busy');
  assert.equal(w.currentTask, 'j1');

  srv.send({ kind: 'other', jobs: [{ note: 'nothing mapped here' }] });
  await waitUntil(() => sess.store.recentEvents(20).find((e) => e.type === 'generic' && e.name === 'other' && /nothing mapped/.test(e.summary)), 2_000, 'generic event');
  srv.send('not json');
  srv.send({ kind: 'x', jobs: 'not-an-array' });
  await waitUntil(() => sess.store.connection('it')?.rejectedFrames === 2, 2_000, 'two rejects');
});

test('metrics: a constant series name, a value path, and queue counts built from them', async () => {
  const srv = await server();
  const sess = await startSession(profileFrom({ kind: 'websocket', system: 'generic', url: `ws://127.0.0.1:${srv.s.port}`, mapping: { queue: 'q', metric: '=depth', value: 'stats.n' } }), recordingLog());
  cleanups.push(() => sess.dispose());
  await connected(sess);
  for (const n of [3, 5, 8]) srv.send({ q: 'emails', stats: { n } });
  const q = await waitUntil(() => { const x = sess.store.queue('queue:it:emails'); return x?.counts['depth'] === 8 ? x : undefined; }, 2_000, 'queue depth');
  assert.deepEqual({ ...q.counts }, { depth: 8 });
  const series = sess.store.series().find((s) => s.name === 'depth' && s.labels['queue'] === 'emails');
  assert.ok(series && series.samples.size >= 1);
});

test('wss:// with the CA file from the profile; without it the certificate is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskscope-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`openssl is needed for the wss:// test: sudo apt-get install openssl (${String(error)})`);
  }
  const srv = await server({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
  const url = `wss://127.0.0.1:${srv.s.port}`;
  const trusted = await startSession(profileFrom({ kind: 'websocket', system: 'generic', url, tls: { caFile: join(dir, 'cert.pem') }, mapping: { taskId: 'id', status: 's' } }), recordingLog());
  cleanups.push(() => trusted.dispose());
  await connected(trusted);
  srv.send({ id: 't1', s: 'done' });
  await waitUntil(() => trusted.store.task('task:it::t1'), 2_000, 'task over wss');

  const untrusted = await startSession(profileFrom({ kind: 'websocket', system: 'generic', url }), recordingLog());
  cleanups.push(() => untrusted.dispose());
  const c = await waitUntil(() => { const x = untrusted.store.connection('it'); return x?.error ? x : undefined; }, 3_000, 'certificate refused');
  assert.notEqual(c.state, 'connected');
  assert.match(c.error ?? '', /certificate/i);
});
