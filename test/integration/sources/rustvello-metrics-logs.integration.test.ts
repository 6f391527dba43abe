// Prometheus `/metrics` and log-file tailing against the demo's Rustvello simulator: a real HTTP server
// exposing Rustvello's series, and log files being appended, rotated and truncated on disk.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { startRustvelloSimulator, type RustvelloSimulator } from '../../../demo/rustvello/simulator';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import { connectedState, recordingLog, until } from '../../helpers/session-wait';

let dir: string;
let sim: RustvelloSimulator;

function profile(entry: Record<string, unknown>): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([entry]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

async function session(p: ConnectionProfile, visible = true): Promise<MonitorSession> {
  const s = new MonitorSession({ log: recordingLog() });
  await s.setProfiles([p]);
  s.setVisible(visible);
  s.startAll();
  await until(() => connectedState(s, p.id), 'connected');
  return s;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taskscope-rustvello-'));
  sim = await startRustvelloSimulator({ logDir: join(dir, 'logs') });
});
after(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('Prometheus: Rustvello series map to queues and workers; counters become rates; histograms give quantiles', { timeout: 30_000 }, async () => {
  for (let i = 0; i < 6; i++) sim.step();
  const s = await session(profile({ id: 'prom', kind: 'prometheus', system: 'rustvello', url: sim.metricsUrl, pollIntervalMs: 500 }));
  try {
    const store = s.store;
    const queues = new Map(store.queues('prom').map((q) => [q.name, q]));
    assert.ok(queues.has('global'), [...queues.keys()].join());
    assert.equal(typeof queues.get('global')!.counts['pending'], 'number');
    const perTask = queues.get('rust::my_app.add')!;
    assert.equal(perTask.counts['submitted'], 2);
    assert.equal(perTask.counts['started'], 2);
    const workers = store.workers('prom');
    assert.equal(workers.length, 2);
    assert.ok(workers.every((w) => w.status === 'busy' && /workers? active/.test(w.detail ?? '')));
    const names = new Set(store.series().map((x) => x.name));
    for (const n of ['rustvello_task_duration_seconds:p50', 'rustvello_task_duration_seconds:p99', 'rustvello_queue_depth', 'process_resident_memory_bytes', 'rustvello_workers_active']) assert.ok(names.has(n), `${n} missing`);
    assert.ok(!names.has('rustvello_tasks_submitted_total:rate'), 'no rate after one scrape');
    for (let i = 0; i < 6; i++) sim.step();
    await until(() => store.series().some((x) => x.name === 'rustvello_tasks_submitted_total:rate'), 'a counter rate after the next scrape');
    const rate = store.series().find((x) => x.name === 'rustvello_tasks_submitted_total:rate')!;
    assert.ok(rate.samples.toArray().every(([, v]) => v >= 0));
  } finally {
    await s.dispose();
  }
});

test('Prometheus: scrapes only while visible; an unreachable endpoint reconnects', { timeout: 30_000 }, async () => {
  let hits = 0;
  let up = true;
  const server = createServer((_req, res) => { hits++; if (up) res.end('# TYPE g gauge\ng 1\n'); else res.writeHead(503).end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const s = await session(profile({ id: 'prom2', kind: 'prometheus', system: 'generic', url: `http://127.0.0.1:${port}/metrics`, pollIntervalMs: 500 }), false);
  try {
    const afterConnect = hits;
    await new Promise((r) => setTimeout(r, 1_300));
    assert.equal(hits, afterConnect, 'no scrape while hidden');
    s.setVisible(true);
    await until(() => hits >= afterConnect + 2, 'scrapes while visible');
    up = false;
    await until(() => s.store.connection('prom2')!.state === 'reconnecting', 'reconnecting on HTTP 503');
    up = true;
    await until(() => connectedState(s, 'prom2'), 'connected again', 5_000);
  } finally {
    await s.dispose();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('log files: unified lines, both JSON shapes, plain lines; appended, rotated and truncated', { timeout: 30_000 }, async () => {
  const logs = join(dir, 'logs');
  const s = await session(profile({ id: 'logs', kind: 'logfile', system: 'rustvello', url: 'logs/rustvello.*', baseDir: dir }));
  const source = s.supervisor('logs')!.source as unknown as { tick(): Promise<void> };
  try {
    const store = s.store;
    sim.step();
    await source.tick();
    await until(() => store.logs().some((l) => l.invocation && l.worker && l.task && l.runner), 'a unified line with its context');
    await until(() => store.logs().some((l) => l.message === 'pynenc step 1' && l.level === 'debug' && l.runner), 'a pynenc JSON line');
    await until(() => store.logs().some((l) => l.message === 'step 1' && l.worker), 'a Rustvello JSON line');
    const unified = store.logs().find((l) => l.message.includes('Invocation started'))!;
    assert.equal(unified.system, 'rustvello');
    assert.equal(unified.level, 'info');

    // Rotation: lines written just before the rename and after it are all read exactly once.
    const before = store.logs().filter((l) => l.message.includes('Invocation started')).length;
    sim.step();
    sim.rotate();
    sim.step();
    await source.tick();
    await source.tick();
    await until(() => store.logs().filter((l) => l.message.includes('Invocation started')).length === before + 2, 'lines from both sides of the rotation');
    // The glob also matches rustvello.log.1 once re-expanded: it must not be read again.
    await new Promise((r) => setTimeout(r, 2_600));
    await source.tick();
    assert.equal(store.logs().filter((l) => l.message.includes('Invocation started')).length, before + 2, 'the rotated file is not read twice');

    // Truncation in place, then new lines.
    const plain = join(logs, 'rustvello.plain');
    writeFileSync(plain, 'first plain line\n');
    await until(async () => { await source.tick(); return store.logs().some((l) => l.message === 'first plain line'); }, 'plain line', 5_000);
    truncateSync(plain, 0);
    appendFileSync(plain, 'ERROR after truncate\n');
    await until(() => store.logs().some((l) => l.message === 'ERROR after truncate' && l.level === 'error'), 'line after truncation', 5_000);
    const count = store.logs().filter((l) => l.message === 'first plain line').length;
    assert.equal(count, 1, 'no line read twice');
    // A partial line waits for its newline.
    appendFileSync(plain, 'half ');
    await source.tick();
    assert.ok(!store.logs().some((l) => l.message.startsWith('half')));
    appendFileSync(plain, 'and half\n');
    await until(() => store.logs().some((l) => l.message === 'half and half'), 'the completed line', 5_000);
  } finally {
    await s.dispose();
  }
});

test('log files: ndjson format rejects text lines (counted); huge lines are cut', { timeout: 20_000 }, async () => {
  const file = join(dir, 'strict.ndjson');
  writeFileSync(file, `${JSON.stringify({ timestamp: '2026-01-01T00:00:00.000Z', severity: 'INFO', message: 'ok' })}\nnot json\n${'x'.repeat(200_000)}\n`);
  const s = await session(profile({ id: 'strict', kind: 'logfile', system: 'pynenc', url: file, logFormat: 'ndjson', logFromStart: true }));
  try {
    await until(() => s.store.logs().some((l) => l.message === 'ok'), 'the JSON line');
    await until(() => s.store.connection('strict')!.rejectedFrames >= 2, 'rejects counted');
  } finally {
    await s.dispose();
  }
});
