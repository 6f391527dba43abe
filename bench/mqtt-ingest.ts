// MQTT ingest into the store (generic MQTT source with a mapping, topic browser on, MonitorStore applying
// every event) vs a raw mqtt.js subscriber doing JSON.parse, on the same mosquitto, same traffic: 100k
// messages of ~200 B JSON on 100k distinct topics at QoS 0, published by a child process. Target ≥ 0.8×.
// One warm-up run of each side is not counted (JIT); then ROUNDS rounds in rotating order, medians reported.
// Ours reads the socket on a worker thread (src/sources/mqtt/mqtt-thread.ts): the CPU line counts the whole process
// (both threads), the host-thread line only the main thread, which is what the extension host shares with others.
// Run: node --import tsx bench/mqtt-ingest.ts [messages] [rounds]
// With BENCH_CPU_PROFILE=<dir>, each counted round writes a CPU profile of its timed window only
// (<dir>/mqtt-<side>-<round>.cpuprofile, node:inspector), to see where this process's CPU goes per message.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../demo/support/local-servers';
import { MonitorSession } from '../src/sources/monitor-session';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import type { GenericMqttSource } from '../src/sources/mqtt/generic';
import { mainThreadCpuMs } from './support/thread-cpu';

const COUNT = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const IDLE_MS = 1_500;
const publisher = fileURLToPath(new URL('./support/mqtt-publisher.ts', import.meta.url));

function publish(url: string, run: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', publisher, url, String(COUNT), String(COUNT), run], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}`))));
  });
}

interface Result { rate: number; got: number; cpuUs: number; mainCpuUs: number | undefined }

/**
 * Messages per second between the first and the last message, how many arrived, and this process's CPU time per
 * message received (what decides whether the socket is read as fast as mosquitto writes it: QoS 0 messages a slow
 * subscriber does not take in time are dropped by the broker).
 */
async function measure(received: () => number, url: string, run: string): Promise<Result> {
  const profileDir = process.env['BENCH_CPU_PROFILE'];
  const profiler = profileDir && !run.startsWith('warm-') ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
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
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = mainThreadCpuMs();
  if (profiler && profileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, `mqtt-${run}.cpuprofile`), JSON.stringify(profile));
    profiler.disconnect();
  }
  const elapsed = Math.max(1, last - first) / 1000;
  const mainCpuUs = mainBefore === undefined || mainAfter === undefined ? undefined : ((mainAfter - mainBefore) * 1000) / Math.max(1, seen);
  return { rate: seen / elapsed, got: seen, cpuUs: (cpu.user + cpu.system) / Math.max(1, seen), mainCpuUs };
}

void (async () => {
  const broker = await startMosquitto();
  try {
    let sink = 0;
    /** Baseline: raw mqtt.js subscriber with JSON.parse. */
    const rawSide = async (run: string) => {
      const raw = await mqtt.connectAsync(broker.url, { clientId: `bench-raw-${run}` });
      let rawCount = 0;
      raw.on('message', (_t, p) => { sink += (JSON.parse(p.toString('utf8')) as { value: number }).value; rawCount++; });
      await raw.subscribeAsync(`bench/${run}/#`, { qos: 0 });
      const result = await measure(() => rawCount, broker.url, run);
      await raw.endAsync();
      return result;
    };
    // Ours: the generic MQTT source through the supervisor into the store, (a) with a field mapping (task +
    // worker + metric sample per message), (b) without one (topic browser + one generic event per message).
    const configs: Record<string, Record<string, unknown>> = {
      mapped: { mapping: { taskId: 'id', status: 'state', worker: 'worker', metricValue: 'value' } },
      topics: {},
    };
    const ourSide = async (label: string, run: string) => {
      const { profiles } = parseConnectionProfiles([{ id: 'bench', kind: 'mqtt', system: 'generic', url: broker.url, topics: [`bench/${run}/#`], ...configs[label] }]);
      const session = new MonitorSession({ log: { debug() {}, info() {}, warn: console.warn, error: console.error } });
      await session.setProfiles(profiles);
      session.startAll();
      while (session.store.connection('bench')?.state !== 'connected') await new Promise((r) => setTimeout(r, 20));
      const source = session.supervisor('bench')!.source as GenericMqttSource;
      const result = await measure(() => source.messagesReceived, broker.url, run);
      await session.dispose();
      return result;
    };
    const sides: Record<string, (run: string) => Promise<Result>> = {
      raw: rawSide, mapped: (run) => ourSide('mapped', run), topics: (run) => ourSide('topics', run),
    };
    const results: Record<string, Result[]> = { raw: [], mapped: [], topics: [] };
    for (const name of Object.keys(sides)) await sides[name]!(`warm-${name}`);
    const order = Object.keys(sides);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) {
        const name = order[(k + round) % order.length]!;
        results[name]!.push(await sides[name]!(`${name}-${round}`));
      }
    }
    const median = (xs: Result[]) => [...xs].sort((a, b) => a.rate - b.rate)[Math.floor(xs.length / 2)]!;
    const base = median(results['raw']!);
    const medianCpu = (xs: Result[]) => xs.map((r) => r.cpuUs).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const cpuBase = medianCpu(results['raw']!);
    const medianOf = (xs: (number | undefined)[]): number | undefined => {
      const known = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
      return known[Math.floor(known.length / 2)];
    };
    const show = (r: Result) => `${Math.round(r.rate)} (${r.got}, ${r.cpuUs.toFixed(1)}, ${r.mainCpuUs?.toFixed(1) ?? '?'})`;
    for (const label of ['mapped', 'topics']) {
      const ours = median(results[label]!);
      const ratio = ours.rate / base.rate;
      console.log(`#   rounds ${label}: ${results[label]!.map(show).join(', ')}; raw: ${results['raw']!.map(show).join(', ')}  [msg/s (delivered, CPU µs/msg, host-thread CPU µs/msg)]`);
      console.log(`mqtt-ingest (${label})  ours ${Math.round(ours.rate)} msg/s (${ours.got}/${COUNT} delivered)  baseline raw mqtt.js ${Math.round(base.rate)} msg/s (${base.got}/${COUNT})  ratio ${ratio.toFixed(2)}×  target ≥ 0.8×  ${ratio >= 0.8 ? 'PASS' : 'FAIL'}`);
      // The same comparison in CPU per message (medians of each side's rounds): what decides how far the host keeps up.
      const cpuOurs = medianCpu(results[label]!);
      const cpuRatio = cpuBase / cpuOurs;
      console.log(`mqtt-ingest cpu (${label})  ours ${cpuOurs.toFixed(2)} µs/msg  baseline raw mqtt.js ${cpuBase.toFixed(2)} µs/msg  ratio ${cpuRatio.toFixed(2)}× (raw/ours)  target ≥ 0.8×  ${cpuRatio >= 0.8 ? 'PASS' : 'FAIL'}`);
      // The main thread alone (Linux /proc, 10 ms ticks): the raw subscriber has no other thread.
      const mainOurs = medianOf(results[label]!.map((r) => r.mainCpuUs));
      const mainBase = medianOf(results['raw']!.map((r) => r.mainCpuUs));
      if (mainOurs !== undefined && mainBase !== undefined) {
        console.log(`mqtt-ingest host-thread cpu (${label})  ours ${mainOurs.toFixed(2)} µs/msg  baseline raw mqtt.js ${mainBase.toFixed(2)} µs/msg  ratio ${(mainBase / mainOurs).toFixed(2)}× (raw/ours)`);
      }
    }
    if (sink === -1) console.log('unreachable');
  } finally {
    await broker.stop();
  }
})();
