// Nexus pub/sub ingest: NexusRedisSource (validate, de-dup, map, apply to the store) vs a raw ioredis
// subscriber that only JSON.parses, over the same redis-server and the same 100k published events.
// Target (shared/reference/performance.md): ours ≥ 0.8× the raw subscriber's messages per second. Ours applies
// through MonitorSession.apply (the production path: one batched change set per tick), and the clock stops only
// after the tick that applies the last aggregated events. One warm-up round (JIT) is not counted; the order of
// the two sides alternates between rounds.
// Run: node --import tsx bench/nexus-pubsub-ingest.ts [--events N]
import Redis from 'ioredis';
import { startRedisServer } from '../demo/support/local-servers';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import { MonitorSession } from '../src/sources/monitor-session';
import type { SourceContext } from '../src/core/source/source';
import { NexusRedisSource } from '../src/sources/redis/nexus';

const N = Number(process.argv[process.argv.indexOf('--events') + 1]) || 100_000;
const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
const TYPES = ['task_enqueued', 'task_started', 'task_completed', 'worker_heartbeat', 'phase_started', 'stats_snapshot'];

/** ~200-byte MonitoringEvent JSON, every field present (json.dumps(model_dump())). */
function events(round: number): string[] {
  return Array.from({ length: N }, (_, i) => JSON.stringify({
    event_id: `r${round}-${i}`, ts: '2025-08-09T16:05:00.123456+00:00', event_type: TYPES[i % TYPES.length],
    project_id: 'p1', parent_task_id: `research-${i % 50}`, task_id: `t-${i % 5000}`, task_type: 'search', phase: i % 6 === 4 ? 'search' : null,
    worker_id: i % 8, retry_count: 0, status: null, duration_ms: null, counts: i % 6 === 5 ? { completed: 1, failed: 0, pending: 2, processing: 1 } : null,
    queue: null, message: null, error: null, meta: null,
  }));
}

async function publishAll(pub: Redis, payloads: readonly string[]): Promise<void> {
  for (let i = 0; i < payloads.length; i += 1_000) {
    const p = pub.pipeline();
    for (const m of payloads.slice(i, i + 1_000)) p.publish('nexus:events', m);
    await p.exec();
  }
}

interface Subscribed { readonly socket: { pause(): void; resume(): void }; close(): Promise<void> }

/**
 * Messages per second a subscriber drains. Its socket is paused while all N events are published (Redis keeps
 * them in the client's output buffer), then resumed with the clock started: what is timed is the consumer
 * alone, not the publisher, which on a loaded shared machine would otherwise set the pace for both.
 */
async function measure(subscribe: (onMessage: () => void) => Promise<Subscribed>, pub: Redis, payloads: readonly string[]): Promise<number> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const sub = await subscribe(() => { if (++received === payloads.length) done(); });
  sub.socket.pause();
  await publishAll(pub, payloads);
  const started = performance.now();
  sub.socket.resume();
  await finished;
  await new Promise((r) => setImmediate(r)); // what was aggregated this tick reaches the store
  const rate = payloads.length / ((performance.now() - started) / 1000);
  await sub.close();
  return rate;
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
  const raw: number[] = [];
  const ours: number[] = [];
  try {
    const rawSide = (payloads: readonly string[]) => measure(async (onMessage) => {
      const sub = new Redis(server.url);
      let sink = 0;
      sub.on('message', (_c: string, m: string) => { sink += (JSON.parse(m) as { worker_id: number }).worker_id; onMessage(); });
      await sub.subscribe('nexus:events');
      return { socket: socketOf(sub), close: async () => { sub.disconnect(); void sink; } };
    }, pub, payloads);
    const ourSide = (payloads: readonly string[]) => measure(async (onMessage) => {
      const session = new MonitorSession({ log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
      const source = new NexusRedisSource(profiles[0]!);
      const ctx: SourceContext = {
        emit: session.apply,
        reject: (kind, detail) => { throw new Error(`rejected ${kind}: ${detail}`); },
        log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        now: () => Date.now(),
      };
      // Count at the same point as the baseline: when the subscriber's message handler has run.
      const ingest = source.ingest.bind(source);
      source.ingest = (m: string) => { ingest(m); onMessage(); };
      await source.connect(ctx, () => undefined);
      const subscriber = (source as unknown as { subscriber: Redis }).subscriber;
      return { socket: socketOf(subscriber), close: () => source.disconnect() };
    }, pub, payloads);
    // Warm-up (not counted): both sides compiled and the server's buffers grown before anything is timed.
    await rawSide(events(-1));
    await ourSide(events(-2));
    for (let round = 0; round < ROUNDS; round++) {
      const payloads = events(round);
      if (round % 2 === 0) {
        raw.push(await rawSide(payloads));
        ours.push(await ourSide(payloads));
      } else {
        ours.push(await ourSide(payloads));
        raw.push(await rawSide(payloads));
      }
    }
  } finally {
    pub.disconnect();
    await server.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = median(ours) / median(raw);
  const fmt = (r: number) => `${Math.round(r).toLocaleString('en-US')} msg/s`;
  process.stdout.write(`#   rounds ours: ${ours.map(fmt).join(', ')}; raw: ${raw.map(fmt).join(', ')}\n`);
  process.stdout.write(`nexus pub/sub ingest (${N} events × ${ROUNDS}, median) | ours ${fmt(median(ours))} | raw ioredis ${fmt(median(raw))} | ratio ${ratio.toFixed(2)}× | target ≥ 0.80× | ${ratio >= 0.8 ? 'pass' : 'FAIL'}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
