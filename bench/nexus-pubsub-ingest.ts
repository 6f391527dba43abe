// Nexus pub/sub ingest: NexusRedisSource (validate, de-dup, map, apply to the store) vs a raw ioredis
// subscriber that only JSON.parses, over the same redis-server and the same 100k events, in two ways:
// - "one copy": every event published once, on `nexus:events`; both sides subscribe to that channel only. The
//   strict measure: every message costs us a parse and a mapping.
// - "as Nexus publishes" (src/monitoring/event_bus.py, protocols.md §2): every event on `nexus:events`, again on
//   `nexus:events:project:{id}` (it has a project), and stats events on `nexus:events:stats` too, in Python's
//   `json.dumps` spelling; both sides subscribe to what our source subscribes to (the two channels and the project
//   pattern), so both receive every copy and the raw side parses each.
// Target (shared/reference/performance.md): ours ≥ 0.8× the raw subscriber's messages per second. Ours applies
// through MonitorSession.apply (the production path: one batched change set per tick), and the clock stops only
// after the tick that applies the last aggregated events. One warm-up round (JIT) is not counted; the order of
// the two sides alternates between rounds.
// Run: node --import tsx bench/nexus-pubsub-ingest.ts [--events N] [--rounds N]
import Redis from 'ioredis';
import { startRedisServer } from '../demo/support/local-servers';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import { MonitorSession } from '../src/sources/monitor-session';
import type { SourceContext } from '../src/core/source/source';
import { NexusRedisSource } from '../src/sources/redis/nexus';
import type { ThreadedSubscriber } from '../src/sources/redis/pubsub-thread';
import { mainThreadCpuMs } from './support/thread-cpu';

const N = Number(process.argv[process.argv.indexOf('--events') + 1]) || 100_000;
const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
/** `--in-process`: our subscriber on the host's thread instead of the worker thread (the default). */
const IN_PROCESS = process.argv.includes('--in-process');
const TYPES = ['task_enqueued', 'task_started', 'task_completed', 'worker_heartbeat', 'phase_started', 'stats_snapshot'];

interface Publication { readonly channel: string; readonly message: string }

/** ~200-byte MonitoringEvent objects, every field present, as model_dump() gives them. */
function eventObjects(round: number): Record<string, unknown>[] {
  return Array.from({ length: N }, (_, i) => ({
    event_id: `r${round}-${i}`, ts: '2025-08-09T16:05:00.123456+00:00', event_type: TYPES[i % TYPES.length],
    project_id: 'p1', parent_task_id: `research-${i % 50}`, task_id: `t-${i % 5000}`, task_type: 'search', phase: i % 6 === 4 ? 'search' : null,
    worker_id: i % 8, retry_count: 0, status: null, duration_ms: null, counts: i % 6 === 5 ? { completed: 1, failed: 0, pending: 2, processing: 1 } : null,
    queue: null, message: null, error: null, meta: null,
  }));
}

/** Each event once, on the global channel. */
function oneCopy(round: number): Publication[] {
  return eventObjects(round).map((e) => ({ channel: 'nexus:events', message: JSON.stringify(e) }));
}

/** Python's json.dumps spelling: `", "` and `": "` separators (what Nexus puts on the wire). */
function pythonJson(value: Record<string, unknown>): string {
  return JSON.stringify(value).replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (_m, str: string | undefined, sep: string | undefined) => str ?? `${sep} `);
}

/** What event_bus.publish() sends: global, then project (the event has one), then stats for stats events. */
function asNexusPublishes(round: number): Publication[] {
  const out: Publication[] = [];
  for (const e of eventObjects(round)) {
    const message = pythonJson(e);
    out.push({ channel: 'nexus:events', message }, { channel: `nexus:events:project:${String(e['project_id'])}`, message });
    if (e['event_type'] === 'stats_snapshot' || e['event_type'] === 'queue_depth_update') out.push({ channel: 'nexus:events:stats', message });
  }
  return out;
}

async function publishAll(pub: Redis, publications: readonly Publication[]): Promise<void> {
  for (let i = 0; i < publications.length; i += 1_000) {
    const p = pub.pipeline();
    for (const { channel, message } of publications.slice(i, i + 1_000)) p.publish(channel, message);
    await p.exec();
  }
}

interface Subscribed {
  readonly socket: { pause(): void | Promise<void>; resume(): void };
  /** Copies the subscriber dropped without handing them on (ours, read by a worker thread); 0 for the raw side. */
  copiesDropped?(): number;
  close(): Promise<void>;
}

interface Measured {
  readonly rate: number;
  /** CPU per message, µs: of the whole process (every thread) and of the main thread alone (NaN without /proc). */
  readonly cpuUs: number;
  readonly mainCpuUs: number;
}

/**
 * Messages per second a subscriber drains. Its socket is paused while all N events are published (Redis keeps
 * them in the client's output buffer), then resumed with the clock started: what is timed is the consumer
 * alone, not the publisher, which on a loaded shared machine would otherwise set the pace for both.
 */
async function measure(subscribe: (onMessage: () => void) => Promise<Subscribed>, pub: Redis, payloads: readonly Publication[]): Promise<Measured> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  let copies = (): number => 0;
  const check = (): void => { if (received + copies() >= payloads.length) done(); };
  const sub = await subscribe(() => { received++; check(); });
  if (sub.copiesDropped) copies = sub.copiesDropped;
  await sub.socket.pause();
  await publishAll(pub, payloads);
  // A batch of nothing but copies hands nothing on: the count is also checked every millisecond.
  const poll = sub.copiesDropped ? setInterval(check, 1) : undefined;
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const started = performance.now();
  sub.socket.resume();
  await finished;
  await new Promise((r) => setImmediate(r)); // what was aggregated this tick reaches the store
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = mainThreadCpuMs();
  clearInterval(poll);
  await sub.close();
  const n = payloads.length;
  return { rate: n / (elapsed / 1000), cpuUs: (cpu.user + cpu.system) / n, mainCpuUs: mainBefore === undefined || mainAfter === undefined ? Number.NaN : ((mainAfter - mainBefore) * 1000) / n };
}

/** ioredis keeps its socket in `stream`; there is no public accessor. */
function socketOf(client: Redis): Subscribed['socket'] {
  return (client as unknown as { stream: Subscribed['socket'] }).stream;
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const pub = new Redis(server.url);
  // A slow subscriber must not be cut off by the pub/sub output buffer limit while the publisher races ahead.
  await pub.config('SET', 'client-output-buffer-limit', 'pubsub 0 0 0');
  const { profiles } = parseConnectionProfiles([{ id: 'bench', kind: 'redis', system: 'nexus', url: server.url, pollIntervalMs: 3_600_000 }]);
  const results: { scenario: string; messages: number; ours: Measured[]; raw: Measured[] }[] = [];
  try {
    /** `allChannels`: subscribed as our source is (both channels and the project pattern), else the global one only. */
    const rawSide = (allChannels: boolean) => (payloads: readonly Publication[]) => measure(async (onMessage) => {
      const sub = new Redis(server.url);
      let sink = 0;
      const onText = (m: string): void => { sink += (JSON.parse(m) as { worker_id: number }).worker_id; onMessage(); };
      sub.on('message', (_c: string, m: string) => onText(m));
      sub.on('pmessage', (_p: string, _c: string, m: string) => onText(m));
      if (allChannels) {
        await sub.subscribe('nexus:events', 'nexus:events:stats');
        await sub.psubscribe('nexus:events:project:*');
      } else await sub.subscribe('nexus:events');
      return { socket: socketOf(sub), close: async () => { sub.disconnect(); void sink; } };
    }, pub, payloads);
    const ourSide = (payloads: readonly Publication[]) => measure(async (onMessage) => {
      const session = new MonitorSession({ log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
      const source = new NexusRedisSource(profiles[0]!, { subscriberThread: !IN_PROCESS });
      const ctx: SourceContext = {
        emit: session.apply,
        reject: (kind, detail) => { throw new Error(`rejected ${kind}: ${detail}`); },
        log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        now: () => Date.now(),
      };
      // Count at the same point as the baseline: when the subscriber's message handler has run (on the host thread,
      // every message; from the worker thread, every message it handed on, plus the copies it dropped).
      if (IN_PROCESS) {
        const ingestBytes = source.ingestBytes.bind(source);
        source.ingestBytes = (m: Buffer) => { ingestBytes(m); onMessage(); };
      } else {
        const ingest = source.ingest.bind(source);
        source.ingest = (m: string) => { ingest(m); onMessage(); };
      }
      await source.connect(ctx, () => undefined);
      const { subscriber, threadedSubscriber } = source as unknown as { subscriber?: Redis; threadedSubscriber?: ThreadedSubscriber };
      if (threadedSubscriber) {
        return { socket: threadedSubscriber, copiesDropped: () => threadedSubscriber.copies, close: () => source.disconnect() };
      }
      return { socket: socketOf(subscriber!), close: () => source.disconnect() };
    }, pub, payloads);
    const scenarios = [
      { scenario: 'one copy on nexus:events', publications: oneCopy, raw: rawSide(false) },
      { scenario: 'as Nexus publishes (global + project + stats copies)', publications: asNexusPublishes, raw: rawSide(true) },
    ];
    for (const { scenario, publications, raw } of scenarios) {
      // Warm-up (not counted): both sides compiled and the server's buffers grown before anything is timed.
      await raw(publications(-1));
      await ourSide(publications(-2));
      const result = { scenario, messages: 0, ours: [] as Measured[], raw: [] as Measured[] };
      for (let round = 0; round < ROUNDS; round++) {
        const payloads = publications(round);
        result.messages = payloads.length;
        if (round % 2 === 0) {
          result.raw.push(await raw(payloads));
          result.ours.push(await ourSide(payloads));
        } else {
          result.ours.push(await ourSide(payloads));
          result.raw.push(await raw(payloads));
        }
      }
      results.push(result);
    }
  } finally {
    pub.disconnect();
    await server.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (r: number) => `${Math.round(r).toLocaleString('en-US')} msg/s`;
  const mode = IN_PROCESS ? 'on the host thread' : 'read by a worker thread';
  for (const { scenario, messages, ours, raw } of results) {
    const ratio = median(ours.map((m) => m.rate)) / median(raw.map((m) => m.rate));
    process.stdout.write(`#   ${scenario}: rounds ours ${ours.map((m) => fmt(m.rate)).join(', ')}; raw ${raw.map((m) => fmt(m.rate)).join(', ')}\n`);
    const us = (xs: Measured[], f: (m: Measured) => number) => `${median(xs.map(f)).toFixed(2)} µs`;
    process.stdout.write(`#   CPU per message: ours ${us(ours, (m) => m.cpuUs)} (main thread ${us(ours, (m) => m.mainCpuUs)}), raw ${us(raw, (m) => m.cpuUs)} → ratio ${(median(raw.map((m) => m.cpuUs)) / median(ours.map((m) => m.cpuUs))).toFixed(2)}× in CPU\n`);
    process.stdout.write(`nexus pub/sub ingest, ${scenario}, ours ${mode} (${N} events = ${messages} messages × ${ROUNDS}, median) | ours ${fmt(median(ours.map((m) => m.rate)))} | raw ioredis ${fmt(median(raw.map((m) => m.rate)))} | ratio ${ratio.toFixed(2)}× | target ≥ 0.80× | ${ratio >= 0.8 ? 'pass' : 'FAIL'}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
