// Propeller simulator: proplets announce themselves (`control/proplet/create`), send `alive` and proplet
// metrics, the "manager" starts tasks on them, proplets publish task metrics (current and legacy field names,
// all three timestamp forms) and results; one proplet dies without a goodbye, so the broker publishes its
// offline last-will. Each proplet is its own MQTT client, as in Propeller. Used by `npm run demo` and tests.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

export interface PropellerSimulatorOptions {
  readonly mqttUrl: string;
  readonly domain?: string;
  readonly channel?: string;
  readonly proplets?: number;
  /** Alive/metrics period; Propeller's default is 10 s, the demo uses less. */
  readonly intervalMs?: number;
  /** Index of the proplet that crashes after `crashAfterMs` (last-will published by the broker); -1 = none. */
  readonly crashIndex?: number;
  readonly crashAfterMs?: number;
  readonly log?: (msg: string) => void;
}

export interface PropellerSimulator {
  readonly propletIds: readonly string[];
  readonly base: string;
  /** Tasks started so far, by id → proplet. */
  readonly tasks: ReadonlyMap<string, string>;
  /** Every stop command the manager topic carried (from Taskscope's "Stop task"). */
  readonly stopsSeen: readonly unknown[];
  /** Crashes proplet `index` now (its last-will goes out). */
  crash(index: number): void;
  /** Stops the ticking, so nothing changes until `resume()` (a UI test holding a row still); `step()` still works. */
  pause(): void;
  resume(): void;
  /** One tick now: alive, metrics, task progress; idle proplets start a task. */
  step(): void;
  /** Ids of the tasks the live proplets are running now. */
  runningTasks(): string[];
  stop(): Promise<void>;
}

interface Proplet { readonly id: string; readonly client: MqttClient; crashed: boolean; task?: string; taskStarted?: number }

export async function startPropellerSimulator(opts: PropellerSimulatorOptions): Promise<PropellerSimulator> {
  const domain = opts.domain ?? 'demo-domain';
  const channel = opts.channel ?? 'demo-channel';
  const base = `m/${domain}/c/${channel}`;
  const interval = opts.intervalMs ?? 2_000;
  const log = opts.log ?? (() => undefined);
  const count = opts.proplets ?? 3;
  const tasks = new Map<string, string>();
  const stopsSeen: unknown[] = [];
  const timers: ReturnType<typeof setInterval | typeof setTimeout>[] = [];

  const manager = await mqtt.connectAsync(opts.mqttUrl, { clientId: `propeller-manager-${randomUUID().slice(0, 8)}`, reconnectPeriod: 1_000 });
  await manager.subscribeAsync(`${base}/control/manager/stop`);
  manager.on('message', (_topic, payload) => {
    try { stopsSeen.push(JSON.parse(payload.toString())); } catch { stopsSeen.push(payload.toString()); }
  });

  const proplets: Proplet[] = [];
  for (let i = 0; i < count; i++) {
    const id = `proplet-${i + 1}-${randomUUID().slice(0, 8)}`;
    const client = await mqtt.connectAsync(opts.mqttUrl, {
      clientId: id, reconnectPeriod: 1_000,
      will: { topic: `${base}/control/proplet/alive`, payload: Buffer.from(JSON.stringify({ status: 'offline', proplet_id: id, namespace: 'default' })), qos: 1, retain: false },
    });
    proplets.push({ id, client, crashed: false });
    await client.publishAsync(`${base}/control/proplet/create`, JSON.stringify({
      proplet_id: id, namespace: 'default',
      metadata: { environment: i % 2 ? 'binary' : 'docker', os: 'linux', cpu_arch: 'x86_64', total_memory_bytes: 8_589_934_592, proplet_version: '0.4.0', wasm_runtime: i === count - 1 ? 'wamr' : 'wasmtime-internal', hostname: `edge-${i + 1}` },
    }));
  }
  log(`propeller: ${count} proplets announced under ${base}`);

  const send = (p: Proplet, suffix: string, body: unknown): void => {
    if (p.crashed) return;
    p.client.publish(`${base}/${suffix}`, JSON.stringify(body), { qos: 0 });
  };
  let tick = 0;
  let paused = false;
  const step = (): void => {
    tick++;
    proplets.forEach((p, i) => {
      send(p, 'control/proplet/alive', { proplet_id: p.id, status: 'alive', namespace: 'default' });
      const now = Date.now();
      // The three timestamp forms: RFC3339Nano (Go), serde SystemTime (Rust), uptime ms (embedded).
      const ts = i % 3 === 0 ? new Date(now).toISOString().replace('Z', '123456Z') : i % 3 === 1 ? { secs_since_epoch: Math.floor(now / 1000), nanos_since_epoch: (now % 1000) * 1e6 } : 123_456 + tick;
      send(p, 'control/proplet/metrics', {
        proplet_id: p.id, namespace: 'default', timestamp: ts,
        cpu_metrics: { user_seconds: tick * 0.4, system_seconds: tick * 0.1, percent: 10 + ((tick * 7 + i * 13) % 60) },
        memory_metrics: { rss_bytes: 40_000_000 + i * 1_000_000 + (tick % 10) * 100_000, heap_alloc_bytes: 10_000_000, heap_sys_bytes: 20_000_000, heap_inuse_bytes: 12_000_000 },
      });
      if (!p.task) {
        const taskId = randomUUID();
        p.task = taskId;
        p.taskStarted = now;
        tasks.set(taskId, p.id);
        manager.publish(`${base}/control/manager/start`, JSON.stringify({ id: taskId, name: ['resize', 'infer', 'hash'][tick % 3], state: 2, cli_args: null, broadcast: false, daemon: false, latent: false, encrypted: false, proplet_id: p.id }));
      } else {
        const metrics = i % 2 === 0
          ? { cpu_percent: 20 + (tick % 50), memory_bytes: 64_000_000 + tick * 1000, memory_percent: 1.5, disk_read_bytes: tick * 4096, disk_write_bytes: tick * 2048, uptime_seconds: Math.round((now - (p.taskStarted ?? now)) / 1000), thread_count: 4, file_descriptor_count: 12 }
          : { cpu_usage_percent: 30 + (tick % 40), memory_usage_bytes: 32_000_000, memory_usage_percent: 0.8, disk_read_bytes: 1024, disk_write_bytes: 512, network_rx_bytes: 4096, network_tx_bytes: 8192, uptime_seconds: 3, thread_count: 2, file_descriptor_count: 9, timestamp: new Date(now).toISOString() };
        const topic = i % 2 === 0 ? 'control/proplet/task_metrics' : 'metrics/proplet';
        send(p, topic, {
          task_id: p.task, proplet_id: p.id, metrics, timestamp: ts,
          aggregated: { avg_cpu_usage: 25, max_cpu_usage: 65, avg_memory_usage: 60_000_000, max_memory_usage: 70_000_000, total_disk_read: 2_097_152, total_disk_write: 1_048_576, sample_count: tick },
        });
        if ((tick + i) % 3 === 0) {
          const failed = (tick + i) % 9 === 0;
          send(p, 'control/proplet/results', { task_id: p.task, proplet_id: p.id, results: failed ? '' : `ok ${tick}`, error: failed ? 'wasm trap: unreachable' : null });
          p.task = undefined;
        }
      }
    });
  };
  step();
  timers.push(setInterval(() => { if (!paused) step(); }, interval));

  const crash = (index: number): void => {
    const p = proplets[index];
    if (!p || p.crashed) return;
    p.crashed = true;
    log(`propeller: ${p.id} crashed; the broker publishes its offline last-will`);
    p.client.stream.destroy(); // no DISCONNECT packet: the broker sends the will
    p.client.end(true);
  };
  if ((opts.crashIndex ?? -1) >= 0) timers.push(setTimeout(() => crash(opts.crashIndex ?? 0), opts.crashAfterMs ?? 5_000));

  return {
    propletIds: proplets.map((p) => p.id), base, tasks, stopsSeen, crash, step,
    pause: () => { paused = true; },
    resume: () => { paused = false; },
    runningTasks: () => proplets.filter((p) => !p.crashed && p.task).map((p) => p.task!),
    async stop() {
      for (const t of timers) clearTimeout(t as ReturnType<typeof setTimeout>);
      await Promise.all([manager, ...proplets.filter((p) => !p.crashed).map((p) => p.client)].map((c) => c.endAsync().catch(() => undefined)));
    },
  };
}
