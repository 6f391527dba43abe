// Every simulator of the demo, as starters that take the servers they need from a `DemoServices`: used by
// `npm run demo` (which starts redis-server / mosquitto itself) and by "Taskscope: Start Demo" inside VS Code
// (the user's Redis, an embedded MQTT broker, logs under the extension's storage). A new system adds its
// starter to DEMO_SIMULATORS.
import type { ConnectionProfileInput } from '../src/core/config/connection-profile';
import { BULLMQ_DEMO_QUEUES, startBullmqSimulator } from './bullmq/simulator';
import { startRhailibDemo } from './rhailib/demo';
import { startNexusDemo } from './nexus/demo';
import { startPynencDemo } from './pynenc/demo';
import { MAHAVISHNU_DEMO_POOLS, MAHAVISHNU_DEMO_WORKFLOWS, signJwt, startMahavishnuSimulator } from './mahavishnu/simulator';
import { NEXUS_PHASES, startNexusSimulator } from './nexus-ws/simulator';
import { startPropellerDemo, startRustvelloDemo } from './stream-demos';

/** The servers and places a simulator may use; each is created on first use by whoever runs the demo. */
export interface DemoServices {
  redisUrl(): Promise<string>;
  mqttUrl(): Promise<string>;
  /** Where file-writing simulators (Rustvello's unified logs) put their files. */
  readonly logDir: string;
  /** Key prefix for the BullMQ queues (default "bull"). */
  readonly bullmqPrefix?: string;
  /** JWT secret for the Mahavishnu simulator; auth is off without one. */
  readonly mahavishnuJwtSecret?: string;
}

/** One entry of `taskscope.connections` (the settings shape, before defaults are applied). */
export type DemoConnection = ConnectionProfileInput;

/** A running simulator: what it is, the connections that show it, and how to stop it. */
export interface RunningSimulator {
  readonly name: string;
  readonly connections: readonly DemoConnection[];
  /** Lines for the workspace README describing what this simulator produces. */
  readonly readme: readonly string[];
  stop(): Promise<void>;
}

export type SimulatorStarter = (services: DemoServices, log: (msg: string) => void) => Promise<RunningSimulator>;

async function startBullmqDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const redisUrl = await services.redisUrl();
  const prefix = services.bullmqPrefix ?? 'bull';
  const sim = await startBullmqSimulator({ redisUrl, prefix, live: true, log });
  return {
    name: 'BullMQ',
    connections: [{ id: 'demo-bullmq', name: 'Demo BullMQ', kind: 'redis', system: 'bullmq', url: redisUrl, readOnly: false, prefix }],
    readme: [
      `### BullMQ (connection \`demo-bullmq\`, prefix \`${prefix}\`)`,
      '',
      'Real `bullmq` producers and workers with live traffic (a few jobs per second, 50–2000 ms per job, some',
      'failures with retries). Queues:',
      '',
      ...BULLMQ_DEMO_QUEUES.map((q) => `- \`${q.name}\` (bullmq v${q.major}): ${q.about}`),
    ],
    stop: () => sim.stop(),
  };
}

async function startMahavishnuDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  // With a secret, auth is on; the token goes to the CLI config only (settings never hold secrets).
  const secret = services.mahavishnuJwtSecret;
  const sim = await startMahavishnuSimulator({ jwtSecret: secret, log });
  const token = secret ? signJwt({ user_id: 'demo', permissions: ['admin'] }, secret, 7 * 24 * 3600) : undefined;
  return {
    name: 'Mahavishnu',
    connections: [{ id: 'demo-mahavishnu', name: 'Demo Mahavishnu', kind: 'websocket', system: 'mahavishnu', url: sim.url, readOnly: true, channels: [...sim.channels], ...(token ? { token } : {}) }],
    readme: [
      '### Mahavishnu (connection `demo-mahavishnu`, WebSocket)',
      '',
      'A Mahavishnu-protocol WebSocket server: pools whose workers change state, and workflows moving through stages.',
      ...MAHAVISHNU_DEMO_POOLS.map((p) => `- pool \`${p.id}\`: ${p.workers} workers, ${p.about}`),
      ...MAHAVISHNU_DEMO_WORKFLOWS.map((w) => `- workflow \`${w.id}\`: ${w.stages.join(' → ')}`),
      ...(token ? ['', `Auth is on: set the token with *Taskscope: Set Connection Password or Token…*: \`${token}\``] : []),
    ],
    stop: () => sim.stop(),
  };
}

async function startNexusWsDemo(_services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const sim = await startNexusSimulator({ log });
  return {
    name: 'Nexus Agents',
    connections: [{ id: 'demo-nexus-ws', name: 'Demo Nexus Agents (WebSocket)', kind: 'websocket', system: 'nexus', url: sim.url, readOnly: true }],
    readme: [
      '### Nexus Agents (connection `demo-nexus-ws`, WebSocket `/ws/monitor`)',
      '',
      'A Nexus monitoring server: four workers with heartbeats, tasks through the high/normal/low priority queues',
      `(some retried or failed), and a research task moving through its phases (${NEXUS_PHASES.join(', ')}).`,
    ],
    stop: () => sim.stop(),
  };
}

/** Every system in the demo, in the order they start. */
export const DEMO_SIMULATORS: readonly SimulatorStarter[] = [
  startBullmqDemo, startRhailibDemo, startNexusDemo, startPynencDemo, startMahavishnuDemo, startNexusWsDemo,
  startPropellerDemo, startRustvelloDemo,
];
