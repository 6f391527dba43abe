// `taskscope snapshot` of push sources against the demo simulators: Propeller through a real mosquitto,
// Mahavishnu and Nexus over WebSocket. Nothing there is retained, so the snapshot listens (3 s by default for
// MQTT/WebSocket profiles, or --listen) before printing; with --listen 0 it prints right after connecting.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';
import type { SnapshotDocument } from '../../src/cli/snapshot-document';
import { startMosquitto, type MosquittoHandle } from '../helpers/servers';
import { startPropellerSimulator, type PropellerSimulator } from '../../demo/propeller/simulator';
import { startMahavishnuSimulator, type MahavishnuSimulator } from '../../demo/mahavishnu/simulator';
import { startNexusSimulator, type NexusSimulator } from '../../demo/nexus-ws/simulator';

let dir: string;
let mosquitto: MosquittoHandle;
let propeller: PropellerSimulator;
let mahavishnu: MahavishnuSimulator;
let nexus: NexusSimulator;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taskscope-cli-listen-'));
  mosquitto = await startMosquitto();
  [propeller, mahavishnu, nexus] = await Promise.all([
    startPropellerSimulator({ mqttUrl: mosquitto.url, proplets: 3, intervalMs: 400 }),
    startMahavishnuSimulator({ tickMs: 300 }),
    startNexusSimulator({ tickMs: 300 }),
  ]);
});
after(async () => {
  await Promise.all([propeller?.stop(), mahavishnu?.stop(), nexus?.stop()]);
  await mosquitto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function snapshot(connections: unknown[], ...extra: string[]): Promise<{ code: number; doc: SnapshotDocument; err: string; ms: number }> {
  const config = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(config, JSON.stringify({ connections }));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const started = Date.now();
  const code = await runCli(['snapshot', '--config', config, ...extra], { stdout, stderr, stdin: new PassThrough() });
  return { code, doc: JSON.parse(out) as SnapshotDocument, err, ms: Date.now() - started };
}

test('snapshot listens 3 s by default for push sources and shows what Propeller, Mahavishnu and Nexus sent', { timeout: 60_000 }, async () => {
  const r = await snapshot([
    { id: 'prop', kind: 'mqtt', system: 'propeller', url: mosquitto.url },
    { id: 'maha', kind: 'websocket', system: 'mahavishnu', url: mahavishnu.url, channels: mahavishnu.channels },
    { id: 'nexus', kind: 'websocket', system: 'nexus', url: nexus.url },
  ]);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.ms >= 3_000, `listened ${r.ms} ms`);
  assert.deepEqual(r.doc.connections.map((c) => `${c.id}:${c.state}`), ['prop:connected', 'maha:connected', 'nexus:connected']);
  const workers = (id: string) => r.doc.workers.filter((w) => w.connection === id);
  assert.deepEqual(workers('prop').map((w) => w.id).sort(), [...propeller.propletIds].sort(), 'every proplet, from its alive messages');
  const tasks = r.doc.queues.find((q) => q.connection === 'prop' && q.name === 'tasks');
  assert.ok(tasks && Object.values(tasks.counts).reduce((a, b) => a + b, 0) > 0, 'Propeller tasks counted by state');
  assert.ok(Object.keys(tasks.counts).includes('Running'));
  assert.ok(workers('maha').length > 0, 'Mahavishnu pool workers');
  assert.ok(r.doc.workflows.some((w) => w.connection === 'maha'), 'Mahavishnu workflows');
  assert.ok(workers('nexus').length > 0, 'Nexus workers');
  assert.ok(r.doc.queues.some((q) => q.connection === 'nexus'), 'Nexus queue depths');
});

test('--listen sets the collection time; --listen 0 prints right after connecting', { timeout: 30_000 }, async () => {
  const prop = [{ id: 'prop', kind: 'mqtt', system: 'propeller', url: mosquitto.url }];
  const short = await snapshot(prop, '--listen', '0');
  assert.equal(short.code, 0, short.err);
  assert.ok(short.ms < 2_000, `no listening: ${short.ms} ms`);
  const longer = await snapshot(prop, '--listen', '1500ms');
  assert.equal(longer.code, 0, longer.err);
  assert.ok(longer.ms >= 1_500 && longer.ms < 3_000, `listened ${longer.ms} ms`);
  assert.equal(longer.doc.workers.length, 3, 'alive messages within 1.5 s bring all three proplets');
});
