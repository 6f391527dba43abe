// MQTT ingest into the store (generic MQTT source with a mapping, topic browser on, MonitorStore applying
// every event) vs a raw mqtt.js subscriber doing JSON.parse, on the same mosquitto, same traffic: 100k
// messages of ~200 B JSON on 100k distinct topics at QoS 0, published by a child process. Target ≥ 0.8×.
// Run: node --import tsx bench/mqtt-ingest.ts [messages]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../demo/support/local-servers';
import { MonitorSession } from '../src/sources/monitor-session';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import type { GenericMqttSource } from '../src/sources/mqtt/generic';

const COUNT = Number(process.argv[2] ?? 100_000);
const IDLE_MS = 1_500;
const publisher = fileURLToPath(new URL('./support/mqtt-publisher.ts', import.meta.url));

function publish(url: string, run: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', publisher, url, String(COUNT), String(COUNT), run], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}`))));
  });
}

/** Messages per second between the first and the last message, and how many arrived. */
async function measure(received: () => number, url: string, run: string): Promise<{ rate: number; got: number }> {
  let first = 0;
  let last = 0;
  let seen = 0;
  const poll = setInterval(() => {
    const n = received();
    if (n > seen) { if (!first) first = performance.now(); last = performance.now(); seen = n; }
  }, 5);
  await publish(url, run);
  while (performance.now() - last < IDLE_MS && seen < COUNT) await new Promise((r) => setTimeout(r, 50));
  clearInterval(poll);
  const elapsed = Math.max(1, last - first) / 1000;
  return { rate: seen / elapsed, got: seen };
}

void (async () => {
  const broker = await startMosquitto();
  try {
    // Baseline: raw mqtt.js subscriber with JSON.parse.
    const raw = await mqtt.connectAsync(broker.url, { clientId: 'bench-raw' });
    let rawCount = 0;
    let sink = 0;
    raw.on('message', (_t, p) => { sink += (JSON.parse(p.toString('utf8')) as { value: number }).value; rawCount++; });
    await raw.subscribeAsync('bench/raw/#', { qos: 0 });
    const base = await measure(() => rawCount, broker.url, 'raw');
    await raw.endAsync();

    // Ours: the generic MQTT source through the supervisor into the store, (a) with a field mapping (task +
    // worker + metric sample per message), (b) without one (topic browser + one generic event per message).
    const configs: [string, Record<string, unknown>][] = [
      ['mapped', { mapping: { taskId: 'id', status: 'state', worker: 'worker', metricValue: 'value' } }],
      ['topics', {}],
    ];
    for (const [label, extra] of configs) {
      const { profiles } = parseConnectionProfiles([{ id: 'bench', kind: 'mqtt', system: 'generic', url: broker.url, topics: [`bench/${label}/#`], ...extra }]);
      const session = new MonitorSession({ log: { debug() {}, info() {}, warn: console.warn, error: console.error } });
      await session.setProfiles(profiles);
      session.startAll();
      while (session.store.connection('bench')?.state !== 'connected') await new Promise((r) => setTimeout(r, 20));
      const source = session.supervisor('bench')!.source as GenericMqttSource;
      const ours = await measure(() => source.messagesReceived, broker.url, label);
      await session.dispose();
      const ratio = ours.rate / base.rate;
      console.log(`mqtt-ingest (${label})  ours ${Math.round(ours.rate)} msg/s (${ours.got}/${COUNT} delivered)  baseline raw mqtt.js ${Math.round(base.rate)} msg/s (${base.got}/${COUNT})  ratio ${ratio.toFixed(2)}×  target ≥ 0.8×  ${ratio >= 0.8 ? 'PASS' : 'FAIL'}`);
    }
    if (sink === -1) console.log('unreachable');
  } finally {
    await broker.stop();
  }
})();
