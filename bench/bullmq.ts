// BullMQ benchmarks, each a ratio against a baseline measured in the same run (shared/reference/performance.md):
//   1. counts for 100 queues: one pipelined round trip, p95
//   2. a 50-row page at a deep offset: Taskscope's one-script range + HMGET vs bullmq's Queue.getJobs
//   3. events stream ingest (with gap detection) vs a raw XREAD loop
// Run: node --import tsx bench/bullmq.ts   (starts its own redis-server; takes well under a minute)
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { Queue } from 'bullmq5';
import { startRedisServer } from '../demo/support/local-servers';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import type { SourceContext } from '../src/core/source/source';
import { BullmqSource } from '../src/sources/redis/bullmq';
import { BullmqEventsReader } from '../src/sources/redis/bullmq-events';

const QUEUES = 100;
const DEEP_JOBS = Number(process.env.BENCH_DEEP_JOBS ?? 200_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);

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
    for (let i = 0; i < 200; i++) {
      let t = performance.now();
      await source.taskPage({ queue: 'deep', state: 'completed', offset, limit: 50 });
      ours.push(performance.now() - t);
      t = performance.now();
      await queue.getJobs(['completed'], offset, offset + 49);
      theirs.push(performance.now() - t);
    }
    line(`50-row page at offset ${offset} of ${DEEP_JOBS} (p95)`, p95(ours), p95(theirs), 'ms', '≤ 1.0× getJobs; p95 ≤ 10 ms', p95(ours) <= p95(theirs) && p95(ours) <= 10);
    await queue.close();
    await source.disconnect();

    // 3. Events stream ingest: our reader (XREAD rounds anchored on the last entry read; XINFO only when needed) vs a raw XREAD loop.
    for (let start = 0; start < EVENTS; start += 10_000) {
      const p = raw.pipeline();
      for (let i = start; i < Math.min(EVENTS, start + 10_000); i++) p.xadd('bull:ev:events', '*', 'event', 'completed', 'jobId', String(i), 'returnvalue', '"ok"', 'prev', 'active');
      await p.exec();
    }
    const rawClient = new Redis(server.port, '127.0.0.1');
    let t = performance.now();
    let lastId = '0-0';
    let rawRead = 0;
    while (rawRead < EVENTS) {
      const reply = (await rawClient.xread('COUNT', 1000, 'STREAMS', 'bull:ev:events', lastId)) as [string, [string, string[]][]][] | null;
      const entries = reply?.[0]?.[1] ?? [];
      for (const [id, flat] of entries) {
        const fields: Record<string, string> = {};
        for (let j = 0; j + 1 < flat.length; j += 2) fields[flat[j]!] = flat[j + 1]!;
        lastId = id;
      }
      rawRead += entries.length;
    }
    const rawMs = performance.now() - t;
    rawClient.disconnect();
    const readerClient = new Redis(server.port, '127.0.0.1');
    let got = 0;
    let gaps = 0;
    t = performance.now();
    const done = new Promise<void>((resolve) => {
      const reader = new BullmqEventsReader(readerClient, 'bull', {
        onEvents: (events) => { got += events.length; if (got >= EVENTS) { void reader.stop(); resolve(); } },
        onGap: () => { gaps++; }, onBadKey: () => undefined, onError: () => undefined,
      }, { blockMs: 100, count: 1000 });
      void reader.start(['ev'], 'start');
    });
    await done;
    const oursMs = performance.now() - t;
    readerClient.disconnect();
    const oursRate = EVENTS / (oursMs / 1000);
    const rawRate = EVENTS / (rawMs / 1000);
    console.log(`${'events ingest, events/s (higher is better)'.padEnd(44)} ours ${Math.round(oursRate)}  baseline ${Math.round(rawRate)}  ratio ${(oursRate / rawRate).toFixed(2)}  target ≥ 0.8×  ${oursRate / rawRate >= 0.8 ? 'PASS' : 'FAIL'}  (gaps reported on an untrimmed stream: ${gaps})`);
  } finally {
    raw.disconnect();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
