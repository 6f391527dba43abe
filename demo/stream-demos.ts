// The stream-source simulators of `npm run demo`: Propeller over MQTT (mosquitto, or the embedded aedes
// broker when mosquitto is not installed) and Rustvello (unified logs written to the demo workspace, and
// `/metrics` over HTTP). Registered in catalog.ts DEMO_SIMULATORS.
import { basename, dirname } from 'node:path';
import type { DemoServices, RunningSimulator } from './catalog';
import { startPropellerSimulator } from './propeller/simulator';
import { startRustvelloSimulator } from './rustvello/simulator';

export async function startPropellerDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const mqttUrl = await services.mqttUrl();
  const sim = await startPropellerSimulator({ mqttUrl, proplets: 4, intervalMs: 2_000, crashIndex: 3, crashAfterMs: 20_000, log });
  return {
    name: 'Propeller',
    connections: [{ id: 'demo-propeller', name: 'Demo Propeller', kind: 'mqtt', system: 'propeller', url: mqttUrl, domain: '+', channel: '+', allowPublish: true }],
    readme: [
      '### Propeller (connection `demo-propeller`, MQTT)',
      '',
      `Four proplets under \`${sim.base}/\` announce themselves, send \`alive\` and CPU/memory metrics every 2 s, run`,
      'tasks started on `control/manager/start`, publish task metrics (current and legacy field names) and results.',
      'After 20 s one proplet crashes: the broker publishes its offline last-will and it shows offline in Workers.',
      '"Stop Task" is allowed on this connection (`allowPublish: true`).',
    ],
    stop: () => sim.stop(),
  };
}

export async function startRustvelloDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const sim = await startRustvelloSimulator({ logDir: services.logDir, intervalMs: 700, rotateEveryLines: 400, log });
  return {
    name: 'Rustvello',
    connections: [
      { id: 'demo-rustvello-metrics', name: 'Demo Rustvello /metrics', kind: 'prometheus', system: 'rustvello', url: sim.metricsUrl, pollIntervalMs: 5_000 },
      { id: 'demo-rustvello-logs', name: 'Demo Rustvello logs', kind: 'logfile', system: 'rustvello', url: `${basename(services.logDir)}/rustvello.*`, baseDir: dirname(services.logDir) },
    ],
    readme: [
      '### Rustvello (connections `demo-rustvello-metrics` and `demo-rustvello-logs`)',
      '',
      `Invocations on two runners; \`${sim.metricsUrl}\` serves Rustvello's Prometheus series (tasks submitted/`,
      'started/succeeded/failed/retried, task duration histogram, queue depth, active workers). `logs/rustvello.log`',
      'gets unified `[R]`/`[P]` lines and rotates every 400 lines; `logs/rustvello.ndjson` gets JSON lines of both',
      'shapes (Rustvello and pynenc).',
    ],
    stop: () => sim.stop(),
  };
}
