// BullMQ benchmarks, each a ratio against a baseline measured in the same run (shared/reference/performance.md):
//   1. counts for 100 queues: one pipelined round trip, p95
//   2. a 50-row page at a deep offset: Taskscope's one-script range + HMGET vs bullmq's Queue.getJobs
//   3. events stream ingest (with gap detection) vs a raw XREAD loop, on the same streams filled by real bullmq
//      workers; then live queues trimmed to maxLen 1 000 while our reader is paused: a gap is reported and the
//      counts are resynced to what bullmq's getJobCounts says
// Run: node --import tsx bench/bullmq.ts   (starts its own redis-server; takes well under a minute)
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Queue } from 'bullmq5';
import { startRedisServer } from '../demo/support/local-servers';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import type { MonitorEvent } from '../src/core/model/events';
import type { SourceContext } from '../src/core/source/source';
import { BullmqSource } from '../src/sources/redis/bullmq';
import { BullmqEventsReader } from '../src/sources/redis/bullmq-events';

const QUEUES = 100;
const DEEP_JOBS = Number(process.env.BENCH_DEEP_JOBS ?? 200_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const STREAM_QUEUES = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TRIMMED_MAX_LEN = 1_000;
const PAUSE_MS = 2_000;

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
}

function line(name: string, ours: number, baseline: number | undefined, unit: string, target: string, pass: boolean): void {
  const ratio = baseline ? (ours / baseline).toFixed(2) : '—';
  console.log(`${name.padEnd(44)} ours ${ours.toFixed(2)} ${unit}  baseline ${baseline === undefined ? '—' : `${baseline.toFixed(2)} ${unit}`}  ratio ${ratio}  target ${target}  ${pass ? 'PASS' : 'FAIL'}`);
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const raw = new Redis(server.port, '127.0.0.1');
  try {
    // 1. Counts for 100 queues.
    const fill = raw.pipeline();
    for (let i = 0; i < QUEUES; i++) {
      fill.hset(`bull:q${i}:meta`, 'version', 'bullmq:5.81.5').set(`bull:q${i}:id`, '10');
      fill.rpush(`bull:q${i}:wait`, '1', '2', '3').zadd(`bull:q${i}:completed`, 1, '4', 2, '5');
    }
    await fill.exec();
    const { profiles } = parseConnectionProfiles([{ id: 'bench', kind: 'redis', system: 'bullmq', url: server.url }]);
    const ctx: SourceContext = { emit: () => undefined, reject: () => undefined, log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }, now: () => Date.now() };
    const source = new BullmqSource(profiles[0]!, { createEventsClient: undefined });
    await source.connect(ctx, () => undefined);
    const readCounts = (source as unknown as { readCounts(): Promise<void> }).readCounts.bind(source);
    const countSamples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await readCounts();
      countSamples.push(performance.now() - t);
    }
    line('counts, 100 queues, one round trip (p95)', p95(countSamples), undefined, 'ms', 'p95 ≤ 15 ms', p95(countSamples) <= 15);

    // 2. A 50-row page at a deep offset of a large completed set.
    const now = Date.now();
    for (let start = 0; start < DEEP_JOBS; start += 10_000) {
      const p = raw.pipeline();
      for (let i = start; i < Math.min(DEEP_JOBS, start + 10_000); i++) {
        p.hset(`bull:deep:${i}`, 'name', 'job', 'data', JSON.stringify({ i, pad: 'x'.repeat(200) }), 'opts', '{}', 'timestamp', String(now - i), 'processedOn', String(now - i), 'finishedOn', String(now - i), 'returnvalue', '"ok"', 'atm', '1');
        p.zadd('bull:deep:completed', now - i, String(i));
      }
      await p.exec();
    }
    await raw.hset('bull:deep:meta', 'version', 'bullmq:5.81.5');
    const queue = new Queue('deep', { connection: { host: '127.0.0.1', port: server.port }, skipMetasUpdate: true });
    const offset = Math.floor(DEEP_JOBS * 0.9);
    const ours: number[] = [];
    const theirs: number[] = [];
    // Alternating which goes first: the second reads the job hashes the first just touched (warm in Redis's memory
    // and the CPU caches), which would favour whichever always runs second.
    const timeOurs = async (): Promise<void> => {
      const t = performance.now();
      await source.taskPage({ queue: 'deep', state: 'completed', offset, limit: 50 });
      ours.push(performance.now() - t);
    };
    const timeTheirs = async (): Promise<void> => {
      const t = performance.now();
      await queue.getJobs(['completed'], offset, offset + 49);
      theirs.push(performance.now() - t);
    };
    for (let i = 0; i < 200; i++) {
      if (i % 2 === 0) { await timeOurs(); await timeTheirs(); } else { await timeTheirs(); await timeOurs(); }
    }
    line(`50-row page at offset ${offset} of ${DEEP_JOBS} (p95)`, p95(ours), p95(theirs), 'ms', '≤ 1.0× getJobs; p95 ≤ 10 ms', p95(ours) <= p95(theirs) && p95(ours) <= 10);
    await queue.close();
    await source.disconnect();

    // 3. Events streams written by real bullmq traffic (bench/support/bullmq-traffic.ts, its own process).
    await ingestCapacity(server.port, raw);
    await gapUnderTrimming(server.port, server.url, raw);
  } finally {
    raw.disconnect();
    await server.stop();
  }
}

const run = promisify(execFile);
const TRAFFIC = new URL('./support/bullmq-traffic.ts', import.meta.url).pathname;

/** Runs real bullmq producers + workers on `queues` in a child process until every job completed. */
function traffic(port: number, maxLen: number, jobsPerQueue: number, queues: readonly string[], prefix: string): Promise<{ stdout: string }> {
  return run(process.execPath, ['--import', 'tsx', TRAFFIC, String(port), String(maxLen), String(jobsPerQueue), prefix, ...queues], { maxBuffer: 1 << 20 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** 3a. Both sides read the same streams from their start, in interleaved rounds; the median rates are compared. */
async function ingestCapacity(port: number, raw: Redis): Promise<void> {
  const queues = Array.from({ length: STREAM_QUEUES }, (_, i) => `ev${i}`);
  const keys = queues.map((q) => `bull:${q}:events`);
  // ~4 events per job (added, waiting, active, completed); maxLen high enough to keep the whole backlog.
  await traffic(port, EVENTS * 2, Math.ceil(EVENTS / 4 / STREAM_QUEUES), queues, 'bull');
  const lengths = await Promise.all(keys.map((k) => raw.xlen(k)));
  const total = lengths.reduce((a, b) => a + b, 0);
  const rawRates: number[] = [];
  const ourRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The baseline: the loop anyone would write (one XREAD for all streams, fields into an object).
    const rawClient = new Redis(port, '127.0.0.1');
    await rawClient.ping();
    let t = performance.now();
    const lastIds = keys.map(() => '0-0');
    let rawRead = 0;
    while (rawRead < total) {
      const reply = (await rawClient.xread('COUNT', 1000, 'STREAMS', ...keys, ...lastIds)) as [string, [string, string[]][]][] | null;
      for (const [key, entries] of reply ?? []) {
        const k = keys.indexOf(key);
        for (const [id, flat] of entries) {
          const fields: Record<string, string> = {};
          for (let j = 0; j + 1 < flat.length; j += 2) fields[flat[j]!] = flat[j + 1]!;
          lastIds[k] = id;
        }
        rawRead += entries.length;
      }
    }
    rawRates.push(total / ((performance.now() - t) / 1000));
    rawClient.disconnect();

    const readerClient = new Redis(port, '127.0.0.1');
    await readerClient.ping();
    let got = 0;
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { finished = resolve; });
    t = performance.now();
    const reader = new BullmqEventsReader(readerClient, 'bull', {
      onEvents: (events) => { got += events.length; if (got >= total) finished(); },
      onGap: () => undefined, onBadKey: () => undefined, onError: () => undefined,
    }, { blockMs: 100, count: 1000 });
    await reader.start(queues, 'start');
    await done;
    ourRates.push(total / ((performance.now() - t) / 1000));
    await reader.stop();
    readerClient.disconnect();
  }
  const ours = median(ourRates);
  const base = median(rawRates);
  console.log(`${`events ingest, ${STREAM_QUEUES} streams, ${total} bullmq events/s`.padEnd(44)} ours ${Math.round(ours)}  baseline ${Math.round(base)}  ratio ${(ours / base).toFixed(2)}  target ≥ 0.8×  ${ours / base >= 0.8 ? 'PASS' : 'FAIL'}  (median of ${ROUNDS} interleaved rounds; ours ${ourRates.map(Math.round).join('/')}, raw ${rawRates.map(Math.round).join('/')})`);
}

/**
 * 3b. Live queues trimmed by bullmq to maxLen 1 000 while the process reading them (ours) is blocked for
 * PAUSE_MS, as a busy extension host would be: bullmq trims past our last id, the reader must report a gap,
 * and the source must resync its counts to what bullmq's getJobCounts reports once the traffic ended.
 */
async function gapUnderTrimming(port: number, url: string, raw: Redis): Promise<void> {
  const prefix = 'gapbench';
  const names = Array.from({ length: STREAM_QUEUES }, (_, i) => `trimmed${i}`);
  const connection = { host: '127.0.0.1', port };
  const queues = names.map((n) => new Queue(n, { connection, prefix, streams: { events: { maxLen: TRIMMED_MAX_LEN } } }));
  await Promise.all(queues.map((q) => q.waitUntilReady()));
  const latest = new Map<string, Record<string, number>>();
  const resyncs: string[] = [];
  const ctx: SourceContext = {
    emit: (e: MonitorEvent) => {
      if (e.type === 'queue.upsert') latest.set(e.queue.name, { ...e.queue.counts });
      if (e.type === 'generic' && e.name === 'bullmq.resync') resyncs.push(e.summary);
    },
    reject: () => undefined,
    log: { debug: () => undefined, info: () => undefined, warn: (m) => console.error(m), error: (m) => console.error(m) },
    now: () => Date.now(),
  };
  const { profiles } = parseConnectionProfiles([{ id: 'gap', kind: 'redis', system: 'bullmq', url, prefix }]);
  const source = new BullmqSource(profiles[0]!, { pollIntervalMs: 3_600_000, eventsDebounceMs: 50 });
  await source.connect(ctx, () => undefined);
  const reader = (source as unknown as { events: BullmqEventsReader }).events;
  const jobsPerQueue = 5_000;
  const load = traffic(port, TRIMMED_MAX_LEN, jobsPerQueue, names, prefix);
  // Follow live until every queue's events are being read (its counts were re-read from them and show completed
  // jobs), then stall this process (not the producers): each reader cursor is then past real entries.
  const started = Date.now();
  const following = (): boolean => names.every((n) => (latest.get(n)?.['completed'] ?? 0) > 0);
  while (!following() && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 5));
  const before = reader.stats.entries;
  const gapsBefore = reader.stats.gaps;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, PAUSE_MS);
  await load;
  const expected = await Promise.all(queues.map((q) => q.getJobCounts()));
  const deadline = Date.now() + 10_000;
  const same = (): number => names.filter((n, i) => sameCounts(latest.get(n), expected[i]!)).length;
  while ((same() < names.length || source.resyncs === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const lengths = await Promise.all(names.map((n) => raw.xlen(`${prefix}:${n}:events`)));
  const eventsConnections = String(await raw.call('CLIENT', 'LIST')).split('\n').filter((l) => l.includes('name=taskscope:events')).length;
  const ok = reader.stats.gaps > 0 && resyncs.length > 0 && same() === names.length && eventsConnections === 1;
  console.log(`${`gap: maxLen ${TRIMMED_MAX_LEN}, reader paused ${PAUSE_MS} ms`.padEnd(44)} gaps reported ${reader.stats.gaps} (${gapsBefore} while following live, ${reader.stats.gaps - gapsBefore} after the pause), resyncs ${source.resyncs}, counts = getJobCounts for ${same()}/${names.length} queues (completed ${expected.map((c) => c['completed']).join('/')}; events read ${before} before the pause, ${reader.stats.entries} in all, streams now ${lengths.join('/')} long; ${eventsConnections} events connection for ${names.length} queues)  target a gap is reported  ${ok ? 'PASS' : 'FAIL'}`);
  if (resyncs[0]) console.log(`${''.padEnd(44)} e.g. ${resyncs[0]}`);
  await source.disconnect();
  await Promise.all(queues.map((q) => q.close()));
}

function sameCounts(a: Record<string, number> | undefined, b: Record<string, number>): boolean {
  if (!a) return false;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
