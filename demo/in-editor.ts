// "Taskscope: Start Demo" inside VS Code (bundled as dist/demo-simulator.js, loaded only when the user starts
// it): the demo simulators against the Redis the user picked, an embedded MQTT broker (aedes, in the
// extension host) for Propeller, and Rustvello's log files under the extension's storage. Returns the
// connections that show them and one `stop()` for everything it started.
import { mkdirSync } from 'node:fs';
import { startBullmqSimulator } from './bullmq/simulator';
import { DEMO_SIMULATORS, type DemoConnection, type DemoServices, type RunningSimulator } from './catalog';

export type EditorDemoScope = 'bullmq' | 'all';

export interface EditorDemoOptions {
  readonly redisUrl: string;
  /** `bullmq`: BullMQ queues under `bullmqPrefix` only; `all`: every system of `npm run demo`. */
  readonly scope: EditorDemoScope;
  readonly bullmqPrefix: string;
  /** A folder the demo may write log files to. */
  readonly logDir: string;
  readonly log?: (msg: string) => void;
}

export interface EditorDemo {
  readonly connections: readonly DemoConnection[];
  /** One line per running system, e.g. "BullMQ (4 queues)". */
  readonly systems: readonly string[];
  stop(): Promise<void>;
}

export async function startEditorDemo(opts: EditorDemoOptions): Promise<EditorDemo> {
  const log = opts.log ?? (() => undefined);
  if (opts.scope === 'bullmq') {
    const sim = await startBullmqSimulator({ redisUrl: opts.redisUrl, prefix: opts.bullmqPrefix, live: true, log });
    return {
      connections: [{ id: 'taskscope-demo', name: 'Taskscope Demo (BullMQ)', kind: 'redis', system: 'bullmq', url: opts.redisUrl, readOnly: false, prefix: opts.bullmqPrefix }],
      systems: [`BullMQ (${sim.queueNames.length} queues)`],
      stop: () => sim.stop(),
    };
  }
  mkdirSync(opts.logDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    // Simulators first (they publish into the broker), then the broker; reverse start order.
    for (const stop of stops.splice(0).reverse()) await stop().catch((e: unknown) => log(`stop: ${String(e)}`));
  };
  let broker: Promise<string> | undefined;
  const services: DemoServices = {
    redisUrl: async () => opts.redisUrl,
    mqttUrl: () => {
      broker ??= (async () => {
        const { startAedesBroker } = await import('./support/aedes-broker');
        const handle = await startAedesBroker();
        stops.push(() => handle.stop());
        log(`embedded MQTT broker (aedes) at ${handle.url}`);
        return handle.url;
      })();
      return broker;
    },
    logDir: opts.logDir,
    bullmqPrefix: opts.bullmqPrefix,
  };
  const running: RunningSimulator[] = [];
  try {
    for (const start of DEMO_SIMULATORS) {
      const sim = await start(services, log);
      stops.push(() => sim.stop());
      running.push(sim);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  // Connection ids of the in-editor demo are namespaced so they never meet the user's own.
  const connections = running.flatMap((s) => s.connections).map((c) => ({ ...c, id: c.id.replace(/^demo-/, 'taskscope-demo-') }));
  return { connections, systems: running.map((s) => s.name), stop: stopAll };
}
