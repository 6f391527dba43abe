// Nexus pub/sub ingest: NexusRedisSource (validate, de-dup, map, apply to the store) vs a raw ioredis
// subscriber that only JSON.parses, over the same redis-server and the same 100k events, in two ways:
// - "one copy": every event published once, on `nexus:events`; both sides subscribe to that channel only. The
//   strict measure: every message costs us a parse and a mapping.
// - "as Nexus publishes" (src/monitoring/event_bus.py, protocols.md §2): every event on `nexus:events`, again on
//   `nexus:events:project:{id}` (it has a project), and stats events on `nexus:events:stats` too, in Python's
//   `json.dumps` spelling; both sides subscribe to what our source subscribes to (the two channels and the project
//   pattern), so both receive every copy and the raw side parses each.
// Target (shared/reference/performance.md): ours ≥ 0.8× the raw subscriber's messages per second.
//
// How: each subscriber runs in a process of its own (this file with `--side`), so that neither side's heap, garbage
// collection or threads tax the other's rounds; this process publishes. A round pauses the subscriber's socket,
// publishes all of the round's messages (Redis keeps them in the client's output buffer), then resumes it with the
// clock started: what is timed is the consumer alone, not the publisher, which on a shared machine would otherwise
// set the pace for both. Ours applies through MonitorSession.apply (the production path: one batched change set per
// tick), and its clock stops only after the tick that applies the last aggregated events. Each side stays connected
// for all the rounds of a scenario, as a subscription does: the first round after connecting is printed but not
// counted (our reader thread is a new isolate whose code is not optimized yet, and the store fills); the order of
// the two sides alternates between rounds.
// Run: npm run bench -- nexus-pubsub [--events N] [--rounds N] [--in-process] (bundled, as it ships: bench/run-all.ts
// says why); `node --import tsx bench/nexus-pubsub-ingest.ts` runs it unbundled, which costs ours ~0.4 µs a message.
import { fork, type ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { startRedisServer } from '../demo/support/local-servers';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import { MonitorSession } from '../src/sources/monitor-session';
import type { SourceContext } from '../src/core/source/source';
import { NexusRedisSource } from '../src/sources/redis/nexus';
import type { ThreadedSubscriber } from '../src/sources/redis/pubsub-thread';
import { numberFlag, textFlag } from './support/flags';
import { mainThreadCpuMs, threadCpuMsByName, threadCpuPerItem } from './support/thread-cpu';

const N = numberFlag('events', 100_000);
const ROUNDS = numberFlag('rounds', 3);
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

interface Measured {
  readonly rate: number;
  /** CPU per message, µs: of the subscriber's whole process (every thread) and of its main thread alone (NaN without /proc). */
  readonly cpuUs: number;
  readonly mainCpuUs: number;
  /** µs per message by thread name (main, the reader thread, V8's GC helpers), as text. */
  readonly threads: string;
  /** The redis-server's CPU per message, µs (INFO cpu): what else the two cores spent on the round. */
  readonly serverUs: number;
}

/** Parent → subscriber process. */
type Command = { readonly type: 'pause' } | { readonly type: 'drain'; readonly messages: number } | { readonly type: 'exit' };
/** Subscriber process → parent. */
type Reply = { readonly type: 'ready' | 'paused' } | { readonly type: 'drained'; readonly elapsedMs: number; readonly cpuUs: number; readonly mainCpuUs: number; readonly threads: string };

/** A subscriber process: the raw side, or ours. */
interface Side {
  readonly child: ChildProcess;
  send(command: Command): Promise<Reply>;
}

async function startSide(side: 'raw' | 'ours', url: string, allChannels: boolean): Promise<Side> {
  const child = fork(process.argv[1] as string, ['--side', side, '--url', url, ...(allChannels ? ['--all-channels'] : []), ...(IN_PROCESS ? ['--in-process'] : [])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: ((reply: Reply) => void) | undefined;
  child.on('message', (reply: Reply) => {
    const w = waiting;
    waiting = undefined;
    w?.(reply);
  });
  const next = (): Promise<Reply> => new Promise((resolve, reject) => {
    waiting = resolve;
    child.once('exit', (code) => reject(new Error(`the ${side} subscriber exited (${code})`)));
  });
  const ready = next();
  await ready;
  return { child, send: (command) => { const reply = next(); child.send(command); return reply; } };
}

/** redis-server's own CPU time so far, ms (user + system, from INFO cpu). */
async function serverCpuMs(pub: Redis): Promise<number> {
  const info = await pub.info('cpu');
  const seconds = (field: string): number => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

/** One round: the subscriber paused, the round published, then drained with the clock running. */
async function measure(side: Side, pub: Redis, payloads: readonly Publication[]): Promise<Measured> {
  await side.send({ type: 'pause' });
  await publishAll(pub, payloads);
  const serverBefore = await serverCpuMs(pub);
  const reply = await side.send({ type: 'drain', messages: payloads.length });
  const serverAfter = await serverCpuMs(pub);
  if (reply.type !== 'drained') throw new Error(`unexpected reply ${reply.type}`);
  return {
    rate: payloads.length / (reply.elapsedMs / 1000), cpuUs: reply.cpuUs, mainCpuUs: reply.mainCpuUs, threads: reply.threads,
    serverUs: ((serverAfter - serverBefore) * 1000) / payloads.length,
  };
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const pub = new Redis(server.url);
  // A slow subscriber must not be cut off by the pub/sub output buffer limit while the publisher races ahead.
  await pub.config('SET', 'client-output-buffer-limit', 'pubsub 0 0 0');
  const results: { scenario: string; messages: number; ours: Measured[]; raw: Measured[]; coldOurs: Measured; coldRaw: Measured }[] = [];
  try {
    const scenarios = [
      { scenario: 'one copy on nexus:events', publications: oneCopy, allChannels: false },
      { scenario: 'as Nexus publishes (global + project + stats copies)', publications: asNexusPublishes, allChannels: true },
    ];
    for (const { scenario, publications, allChannels } of scenarios) {
      const raw = await startSide('raw', server.url, allChannels);
      const ours = await startSide('ours', server.url, allChannels);
      try {
        // Warm-up (not counted): both sides' code compiled, the store filled and the server's buffers grown.
        const coldRaw = await measure(raw, pub, publications(-1));
        const coldOurs = await measure(ours, pub, publications(-2));
        const result = { scenario, messages: 0, ours: [] as Measured[], raw: [] as Measured[], coldOurs, coldRaw };
        for (let round = 0; round < ROUNDS; round++) {
          const payloads = publications(round);
          result.messages = payloads.length;
          if (round % 2 === 0) {
            result.raw.push(await measure(raw, pub, payloads));
            result.ours.push(await measure(ours, pub, payloads));
          } else {
            result.ours.push(await measure(ours, pub, payloads));
            result.raw.push(await measure(raw, pub, payloads));
          }
        }
        results.push(result);
      } finally {
        for (const side of [raw, ours]) {
          side.child.send({ type: 'exit' } satisfies Command);
          await new Promise((r) => side.child.once('exit', r));
        }
      }
    }
  } finally {
    pub.disconnect();
    await server.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (r: number) => `${Math.round(r).toLocaleString('en-US')} msg/s`;
  const mode = IN_PROCESS ? 'on the host thread' : 'read by a worker thread';
  for (const { scenario, messages, ours, raw, coldOurs, coldRaw } of results) {
    const ratio = median(ours.map((m) => m.rate)) / median(raw.map((m) => m.rate));
    process.stdout.write(`#   ${scenario}: rounds ours ${ours.map((m) => fmt(m.rate)).join(', ')}; raw ${raw.map((m) => fmt(m.rate)).join(', ')}\n`);
    process.stdout.write(`#   first round after connecting (not counted): ours ${fmt(coldOurs.rate)}, raw ${fmt(coldRaw.rate)} (${(coldOurs.rate / coldRaw.rate).toFixed(2)}×)\n`);
    const us = (xs: Measured[], f: (m: Measured) => number) => `${median(xs.map(f)).toFixed(2)} µs`;
    process.stdout.write(`#   CPU per message: ours ${us(ours, (m) => m.cpuUs)} (main thread ${us(ours, (m) => m.mainCpuUs)}), raw ${us(raw, (m) => m.cpuUs)} → ratio ${(median(raw.map((m) => m.cpuUs)) / median(ours.map((m) => m.cpuUs))).toFixed(2)}× in CPU\n`);
    process.stdout.write(`#   by thread, µs per message, each round: ours ${ours.map((m) => `[${m.threads}; redis-server ${m.serverUs.toFixed(2)}]`).join(' ')}; raw ${raw.map((m) => `[${m.threads}; redis-server ${m.serverUs.toFixed(2)}]`).join(' ')}\n`);
    process.stdout.write(`nexus pub/sub ingest, ${scenario}, ours ${mode} (${N} events = ${messages} messages × ${ROUNDS}, median) | ours ${fmt(median(ours.map((m) => m.rate)))} | raw ioredis ${fmt(median(raw.map((m) => m.rate)))} | ratio ${ratio.toFixed(2)}× | target ≥ 0.80× | ${ratio >= 0.8 ? 'pass' : 'FAIL'}\n`);
  }
}

/** A subscriber's socket and the count of what it handled; `onMessage` runs after each message. */
interface Subscriber {
  readonly socket: { pause(): void | Promise<void>; resume(): void };
  /** Messages handled plus copies dropped unhandled (ours, by its reader thread), so far. */
  seen(): number;
  onMessage?: () => void;
}

/** ioredis keeps its socket in `stream` (made when it connects); there is no public accessor. */
function socketOf(client: Redis): Subscriber['socket'] {
  return (client as unknown as { stream: Subscriber['socket'] }).stream;
}

async function rawSubscriber(url: string, allChannels: boolean): Promise<Subscriber> {
  const sub = new Redis(url);
  let sink = 0;
  let handled = 0;
  const subscriber: Subscriber = { get socket() { return socketOf(sub); }, seen: () => handled };
  process.on('exit', () => { if (sink < 0) process.stdout.write(''); }); // the parsed values are used
  const onText = (m: string): void => {
    sink += (JSON.parse(m) as { worker_id: number }).worker_id;
    handled++;
    subscriber.onMessage?.();
  };
  sub.on('message', (_c: string, m: string) => onText(m));
  sub.on('pmessage', (_p: string, _c: string, m: string) => onText(m));
  if (allChannels) {
    await sub.subscribe('nexus:events', 'nexus:events:stats');
    await sub.psubscribe('nexus:events:project:*');
  } else await sub.subscribe('nexus:events');
  return subscriber;
}

async function ourSubscriber(url: string): Promise<Subscriber> {
  const { profiles } = parseConnectionProfiles([{ id: 'bench', kind: 'redis', system: 'nexus', url, pollIntervalMs: 3_600_000 }]);
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const session = new MonitorSession({ log: quiet });
  const source = new NexusRedisSource(profiles[0]!, { subscriberThread: !IN_PROCESS });
  const ctx: SourceContext = {
    emit: session.apply,
    reject: (kind, detail) => { throw new Error(`rejected ${kind}: ${detail}`); },
    log: quiet,
    now: () => Date.now(),
  };
  let handled = 0;
  // Count at the same point as the baseline: when the subscriber's message handler has run (on the host thread,
  // every message; from the worker thread, every message it handed on, plus the copies it dropped).
  const counted = (): void => {
    handled++;
    subscriber.onMessage?.();
  };
  if (IN_PROCESS) {
    const ingestBytes = source.ingestBytes.bind(source);
    source.ingestBytes = (m: Buffer) => { ingestBytes(m); counted(); };
  } else {
    const ingestScanned = source.ingestScanned.bind(source);
    source.ingestScanned = (bytes: Buffer, start: number, end: number, records: Int32Array, at: number) => { ingestScanned(bytes, start, end, records, at); counted(); };
  }
  await source.connect(ctx, () => undefined);
  const { subscriber: client, threadedSubscriber } = source as unknown as { subscriber?: Redis; threadedSubscriber?: ThreadedSubscriber };
  const subscriber: Subscriber = threadedSubscriber
    ? { socket: threadedSubscriber, seen: () => handled + threadedSubscriber.copies }
    : { socket: socketOf(client!), seen: () => handled };
  return subscriber;
}

/** The subscriber process: connects, then pauses and drains rounds as the parent says. */
async function runSide(side: string, url: string, allChannels: boolean): Promise<void> {
  const sub = side === 'ours' ? await ourSubscriber(url) : await rawSubscriber(url, allChannels);
  const reply = (r: Reply): void => { process.send?.(r); };
  process.on('message', (command: Command) => {
    if (command.type === 'exit') process.exit(0);
    if (command.type === 'pause') {
      void Promise.resolve(sub.socket.pause()).then(() => reply({ type: 'paused' }));
      return;
    }
    const target = sub.seen() + command.messages;
    let finish!: () => void;
    const finished = new Promise<void>((r) => { finish = r; });
    const check = (): void => { if (sub.seen() >= target) finish(); };
    sub.onMessage = check;
    // A batch of nothing but copies hands nothing on: the count is also checked every millisecond.
    const poll = setInterval(check, 1);
    const cpuBefore = process.cpuUsage();
    const mainBefore = mainThreadCpuMs();
    const threadsBefore = threadCpuMsByName();
    const started = performance.now();
    sub.socket.resume();
    void finished
      .then(() => new Promise((r) => setImmediate(r))) // what was aggregated this tick reaches the store
      .then(() => {
        const elapsedMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const mainAfter = mainThreadCpuMs();
        const threads = threadCpuPerItem(threadsBefore, threadCpuMsByName(), command.messages);
        clearInterval(poll);
        sub.onMessage = undefined;
        reply({
          type: 'drained', elapsedMs, cpuUs: (cpu.user + cpu.system) / command.messages, threads,
          mainCpuUs: mainBefore === undefined || mainAfter === undefined ? Number.NaN : ((mainAfter - mainBefore) * 1000) / command.messages,
        });
      });
  });
  reply({ type: 'ready' });
}

const side = textFlag('side');
(side === undefined ? main() : runSide(side, textFlag('url') ?? '', process.argv.includes('--all-channels'))).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
