// Queue discovery over ~1M keys (target: SCAN only, no single Redis call > 10 ms; shared/reference/performance.md).
// A redis-server on a free port gets the demo simulators' real seeds (bullmq, rhailib, Nexus, pynenc/Rustvello
// write their own keys), a few hundred BullMQ-shaped queues written with pipelines (meta, id, wait, completed,
// events and job hashes) and unrelated keys up to ~1M. Then each Redis source runs its discovery while the
// server records every command (SLOWLOG with threshold 0, plus INFO commandstats before/after):
//   - KEYS calls during the run (must be 0), SCAN calls, the slowest single call (server time, ≤ 10 ms; a call
//     over 10 ms is replayed 5 times and its least time kept, so a CPU-starved moment on a shared machine is
//     told apart from a call that is slow every time — the first-seen figures are printed beside it);
//   - BullMQ discovery wall time vs a bare ioredis `SCAN … MATCH <same pattern> COUNT 1000` loop (ratio, context);
//   - per polling system (rhailib, Nexus, pynenc, Rustvello): one read's keyspace walk vs a bare SCAN loop with
//     the same MATCH (≤ 1.2×), and the SCAN calls of one real sync vs that bare walk's (one walk per read).
// Run: node --import tsx bench/discovery-1m.ts [--keys 1000000] [--queues 300]
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { startRedisServer } from '../test/helpers/servers';
import { startBullmqSimulator } from '../demo/bullmq/simulator';
import { startRhailibSimulator } from '../demo/rhailib/simulator';
import { startNexusSimulator } from '../demo/nexus/simulator';
import { startPynencSimulator } from '../demo/pynenc/simulator';
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import type { SystemId } from '../src/core/model/connection';
import type { Source, SourceContext } from '../src/core/source/source';
import { BullmqSource } from '../src/sources/redis/bullmq';
import { createKnownSource } from '../src/sources/source-catalog';
import { KeyWalkClassifier, type KeyPattern } from '../src/core/redis/key-walk';
import { walkKeyspace } from '../src/sources/redis/redis-values';
import { rhaiKeyPatterns } from '../src/sources/redis/rhailib-layout';
import { nexusKeyPatterns } from '../src/sources/redis/nexus';
import { pynencKeyPatterns, rustvelloKeyPatterns } from '../src/sources/redis/pynenc';
import { numberFlag } from './support/flags';

const TOTAL_KEYS = numberFlag('keys', 1_000_000);
const SYNTHETIC_QUEUES = numberFlag('queues', 300);
const JOBS_PER_QUEUE = 200;
const SLOW_CALL_LIMIT_US = 10_000;

function row(name: string, ours: string, baseline: string, ratio: string, target: string, verdict: 'PASS' | 'FAIL' | 'info'): void {
  console.log(`${name.padEnd(48)} ours ${ours.padStart(10)}  baseline ${baseline.padStart(10)}  ratio ${ratio.padStart(6)}  target ${target.padEnd(14)} ${verdict}`);
}

/** What the server saw while `run` ran: SCAN/KEYS calls (commandstats) and every call's server time (SLOWLOG at 0 µs). */
interface CallRecord {
  scans: number; keysCalls: number; calls: number; slowestUs: number; slowestCommand: string; p99Us: number; over10ms: number;
  /** Worst over the calls that took > 10 ms of the least of 5 replays of that exact (read-only) call. */
  replayedUs: number;
}

/**
 * The machine is shared: a SCAN that waited for a CPU shows up in SLOWLOG as slow although the same call is
 * fast. SCAN is read-only and deterministic for a cursor, so each call over the limit is replayed 5 times and
 * its least server time kept: a call that is slow every time is the product's; one that is not was noise.
 */
async function replayedCost(admin: Redis, argv: readonly string[]): Promise<number> {
  if ((argv[0] ?? '').toLowerCase() !== 'scan') return Number.POSITIVE_INFINITY; // only read-only SCANs are replayed
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    await admin.slowlog('RESET');
    await admin.call(argv[0]!, ...argv.slice(1));
    const entries = (await admin.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[]][];
    const replay = entries.find((e) => (e[3][0] ?? '').toLowerCase() === 'scan');
    if (replay) least = Math.min(least, replay[2]);
  }
  return least;
}

async function commandCalls(admin: Redis): Promise<Map<string, number>> {
  const text = await admin.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

async function recordCalls(admin: Redis, clientName: RegExp, run: () => Promise<void>): Promise<CallRecord> {
  await admin.slowlog('RESET');
  const before = await commandCalls(admin);
  await run();
  const after = await commandCalls(admin);
  const delta = (cmd: string): number => (after.get(cmd) ?? 0) - (before.get(cmd) ?? 0);
  // Entry: [id, unix time, duration µs, [command, ...args], client addr, client name].
  const entries = (await admin.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[], string, string][];
  let slowestUs = 0;
  let slowestCommand = '';
  let calls = 0;
  const durations: number[] = [];
  const slowCalls: string[][] = [];
  for (const [, , us, argv, , name] of entries) {
    if (!clientName.test(name)) continue; // the bench's own admin commands are not the source's
    calls++;
    durations.push(us);
    if (us > SLOW_CALL_LIMIT_US) slowCalls.push(argv);
    if (us > slowestUs) { slowestUs = us; slowestCommand = argv.slice(0, 2).join(' ').replace(/\s+/g, ' ').slice(0, 40); }
  }
  durations.sort((a, b) => a - b);
  const p99Us = durations[Math.min(durations.length - 1, Math.floor(durations.length * 0.99))] ?? 0;
  const over10ms = durations.filter((us) => us > SLOW_CALL_LIMIT_US).length;
  // Calls under the limit count as seen; each one over it by its least replayed time.
  let replayedUs = Math.max(0, ...durations.filter((us) => us <= SLOW_CALL_LIMIT_US));
  for (const argv of slowCalls) replayedUs = Math.max(replayedUs, await replayedCost(admin, argv));
  return { scans: delta('scan'), keysCalls: delta('keys'), calls, slowestUs, slowestCommand, p99Us, over10ms, replayedUs };
}

async function fill(raw: Redis): Promise<number> {
  // BullMQ-shaped queues: the keys bullmq writes for a queue with a few hundred finished jobs.
  const now = Date.now();
  for (let q = 0; q < SYNTHETIC_QUEUES; q++) {
    const p = raw.pipeline();
    const base = `bull:tenant-${q}`;
    p.hset(`${base}:meta`, 'version', 'bullmq:5.81.5', 'opts.maxLenEvents', '10000').set(`${base}:id`, String(JOBS_PER_QUEUE));
    p.rpush(`${base}:wait`, 'w1', 'w2', 'w3');
    for (let j = 0; j < JOBS_PER_QUEUE; j++) {
      p.hset(`${base}:${j}`, 'name', 'send', 'data', '{"to":"someone@example.com"}', 'opts', '{}', 'timestamp', String(now - j), 'finishedOn', String(now - j), 'returnvalue', '"ok"');
      p.zadd(`${base}:completed`, now - j, String(j));
    }
    p.xadd(`${base}:events`, '*', 'event', 'completed', 'jobId', '1');
    await p.exec();
  }
  // Unrelated keys (caches, sessions, counters) up to the total, 1000 per MSET, 10 MSETs per round trip.
  const existing = await raw.dbsize();
  const missing = Math.max(0, TOTAL_KEYS - existing);
  const kinds = ['cache:user', 'session', 'rate:ip', 'feature:flag', 'cart'];
  for (let start = 0; start < missing; start += 10_000) {
    const p = raw.pipeline();
    for (let chunk = start; chunk < Math.min(missing, start + 10_000); chunk += 1_000) {
      const args: string[] = [];
      for (let i = chunk; i < Math.min(missing, chunk + 1_000); i++) args.push(`${kinds[i % kinds.length]}:${i}`, 'v');
      p.mset(...args);
    }
    await p.exec();
  }
  return raw.dbsize();
}

/** Context for a slow-call line: is it one outlier (a descheduled server on a busy machine) or a pattern? */
function detail(r: CallRecord): void {
  console.log(`  (${r.calls} calls, p99 ${(r.p99Us / 1000).toFixed(2)} ms, ${r.over10ms} over 10 ms as first seen, slowest ${(r.slowestUs / 1000).toFixed(2)} ms: ${r.slowestCommand})`);
}

const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function context(): SourceContext & { emitted: number } {
  const ctx = { emitted: 0, emit: () => { ctx.emitted++; }, reject: () => undefined, log: quietLog, now: () => Date.now() };
  return ctx;
}

/** The patterns each polling source walks for in one read, with its default caps (the same builders `sync` uses). */
const KEY_WALKS: Partial<Record<SystemId, Record<string, KeyPattern>>> = {
  rhailib: rhaiKeyPatterns(5_000, 10_000),
  nexus: nexusKeyPatterns(2_000, 200),
  pynenc: pynencKeyPatterns(undefined, 200),
  rustvello: rustvelloKeyPatterns(undefined, 2_000),
};

/** A bare ioredis SCAN loop (MATCH as given, COUNT 1000) that only collects the keys: the floor for one walk. */
async function bareWalk(client: Redis, match: string | undefined): Promise<{ keys: number; calls: number }> {
  let cursor = '0';
  let keys = 0;
  let calls = 0;
  do {
    const [next, batch] = match === undefined ? await client.scan(cursor, 'COUNT', 1000) : await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    keys += batch.length;
    calls++;
  } while (cursor !== '0');
  return { keys, calls };
}

/**
 * One read's keyspace walk (`walkKeyspace` with the source's patterns) vs a bare SCAN loop over the same
 * keyspace with the same MATCH, in interleaved rounds (medians); and the SCAN calls one real sync sent vs the
 * bare walk's. For context, the walks before this change: one bare SCAN loop per pattern.
 */
async function compareWalk(port: number, system: SystemId, patterns: Record<string, KeyPattern>, syncScans: number): Promise<void> {
  const ours = new Redis(port, '127.0.0.1', { connectionName: 'bench:walk' });
  const bare = new Redis(port, '127.0.0.1', { connectionName: 'bench:bare-walk' });
  const match = new KeyWalkClassifier(patterns).match;
  const oursMs: number[] = [];
  const bareMs: number[] = [];
  const perPatternMs: number[] = [];
  let bareCalls = 0;
  let kept = 0;
  try {
    const walkOurs = async (): Promise<void> => {
      const t = performance.now();
      const result = await walkKeyspace(ours, patterns);
      oursMs.push(performance.now() - t);
      kept = Object.values(result).reduce((n, r) => n + r.keys.length, 0);
    };
    const walkBare = async (): Promise<void> => {
      const t = performance.now();
      bareCalls = (await bareWalk(bare, match)).calls;
      bareMs.push(performance.now() - t);
    };
    for (let round = 0; round < 7; round++) {
      // Alternating which goes first, so a busy moment on the shared machine does not always hit the same one.
      if (round % 2 === 0) { await walkOurs(); await walkBare(); } else { await walkBare(); await walkOurs(); }
      if (round === 0) {
        const t = performance.now();
        for (const p of Object.values(patterns)) await bareWalk(bare, p.pattern);
        perPatternMs.push(performance.now() - t);
      }
    }
  } finally {
    ours.disconnect();
    bare.disconnect();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const o = median(oursMs);
  const b = median(bareMs);
  const ratio = o / b;
  console.log(`  (${system} walk: MATCH ${match ?? '(none)'}; ${Object.keys(patterns).length} patterns; ${kept} keys kept)`);
  row(`${system} poll: keyspace walk vs bare SCAN (ms)`, o.toFixed(0), b.toFixed(0), `${ratio.toFixed(2)}×`, '≤ 1.2×', ratio <= 1.2 ? 'PASS' : 'FAIL');
  row(`${system} poll: SCAN calls per sync`, String(syncScans), String(bareCalls), (syncScans / Math.max(1, bareCalls)).toFixed(2), '= one walk', syncScans === bareCalls ? 'PASS' : 'FAIL');
  row(`${system} before: one bare walk per pattern (ms)`, median(perPatternMs).toFixed(0), b.toFixed(0), `${(median(perPatternMs) / b).toFixed(2)}×`, 'context', 'info');
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const admin = new Redis(server.port, '127.0.0.1');
  try {
    // Real seeds first (each simulator with live: false writes its state and closes).
    const seeds = [
      await startBullmqSimulator({ redisUrl: server.url, live: false }),
      await startRhailibSimulator({ redisUrl: server.url, live: false }),
      await startNexusSimulator({ redisUrl: server.url, live: false }),
      await startPynencSimulator({ redisUrl: server.url, live: false }),
    ];
    for (const s of seeds) await s.stop();
    const t0 = performance.now();
    const keys = await fill(admin);
    console.log(`(loaded ${keys} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${SYNTHETIC_QUEUES} synthetic BullMQ queues + demo seeds + unrelated keys)`);
    await admin.config('SET', 'slowlog-log-slower-than', '0');
    await admin.config('SET', 'slowlog-max-len', '200000');

    // Baseline: a bare SCAN loop with the same MATCH pattern and COUNT, on its own connection.
    const match = 'bull:*:[mi][ed]*';
    const bare = new Redis(server.port, '127.0.0.1', { connectionName: 'bench:bare-scan' });
    const baselineMs: number[] = [];
    let bareMatches = 0;
    const bareCalls = await recordCalls(admin, /^bench:bare-scan$/, async () => {
      for (let round = 0; round < 3; round++) {
        const t = performance.now();
        let cursor = '0';
        bareMatches = 0;
        do {
          const [next, batch] = await bare.scan(cursor, 'MATCH', match, 'COUNT', 1000);
          cursor = next;
          bareMatches += batch.length;
        } while (cursor !== '0');
        baselineMs.push(performance.now() - t);
      }
    });
    bare.disconnect();

    // Ours: BullmqSource's discovery (the SCAN walk that finds `<prefix>:<queue>:meta|id`), timed three times.
    const { profiles } = parseConnectionProfiles([
      { id: 'bench-bullmq', kind: 'redis', system: 'bullmq', url: server.url },
      { id: 'bench-rhailib', kind: 'redis', system: 'rhailib', url: server.url },
      { id: 'bench-nexus', kind: 'redis', system: 'nexus', url: server.url },
      { id: 'bench-pynenc', kind: 'redis', system: 'pynenc', url: server.url },
      { id: 'bench-rustvello', kind: 'redis', system: 'rustvello', url: server.url },
    ]);
    const bullmq = new BullmqSource(profiles[0]!, { createEventsClient: undefined });
    const ctx = context();
    const connectCalls = await recordCalls(admin, /^taskscope:/, () => bullmq.connect(ctx, () => undefined));
    const discover = (bullmq as unknown as { discover(): Promise<void> }).discover.bind(bullmq);
    const queuesFound = (): number => (bullmq as unknown as { queues: Map<string, unknown> }).queues.size;
    const oursMs: number[] = [];
    const discoveryCalls = await recordCalls(admin, /^taskscope:/, async () => {
      for (let round = 0; round < 3; round++) {
        const t = performance.now();
        await discover();
        oursMs.push(performance.now() - t);
      }
    });
    await bullmq.disconnect();

    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ours = median(oursMs);
    const base = median(baselineMs);
    const ms = (us: number): string => (us / 1000).toFixed(2);
    row(`bullmq discovery: queues found (bare: matching keys)`, String(queuesFound()), String(bareMatches), '', `≥ ${SYNTHETIC_QUEUES}`, queuesFound() >= SYNTHETIC_QUEUES ? 'PASS' : 'FAIL');
    row('bullmq discovery: KEYS calls (3 walks)', String(discoveryCalls.keysCalls), String(bareCalls.keysCalls), '', '= 0', discoveryCalls.keysCalls === 0 ? 'PASS' : 'FAIL');
    row('bullmq discovery: SCAN calls per walk', String(Math.round(discoveryCalls.scans / 3)), String(Math.round(bareCalls.scans / 3)), (discoveryCalls.scans / Math.max(1, bareCalls.scans)).toFixed(2), 'SCAN only', discoveryCalls.calls === discoveryCalls.scans ? 'PASS' : 'FAIL');
    row('bullmq discovery: slowest call (ms, server)', ms(discoveryCalls.replayedUs), ms(bareCalls.replayedUs), (discoveryCalls.replayedUs / Math.max(1, bareCalls.replayedUs)).toFixed(2), '≤ 10 ms', discoveryCalls.replayedUs <= SLOW_CALL_LIMIT_US ? 'PASS' : 'FAIL');
    detail(discoveryCalls);
    row(`bullmq discovery: full walk of ${Math.round(keys / 1000)}k keys (ms)`, ours.toFixed(0), base.toFixed(0), `${(ours / base).toFixed(2)}×`, 'context', 'info');
    row('bullmq first connect: KEYS calls', String(connectCalls.keysCalls), '', '', '= 0', connectCalls.keysCalls === 0 ? 'PASS' : 'FAIL');
    row('bullmq first connect: slowest call (ms, server)', ms(connectCalls.replayedUs), '', '', '≤ 10 ms', connectCalls.replayedUs <= SLOW_CALL_LIMIT_US ? 'PASS' : 'FAIL');
    detail(connectCalls);

    // The other Redis sources discover by SCAN in their first sync: connect() runs it.
    for (const profile of profiles.slice(1)) {
      const source: Source | undefined = createKnownSource(profile);
      if (!source) throw new Error(`no source for ${profile.system}`);
      const sctx = context();
      const t = performance.now();
      const calls = await recordCalls(admin, /^taskscope:/, () => source.connect(sctx, () => undefined));
      const took = performance.now() - t;
      await source.disconnect();
      const system: SystemId = profile.system;
      row(`${system} first sync: KEYS calls (SCAN ${calls.scans})`, String(calls.keysCalls), '', '', '= 0', calls.keysCalls === 0 ? 'PASS' : 'FAIL');
      row(`${system} first sync: slowest call (ms, server)`, ms(calls.replayedUs), '', '', '≤ 10 ms', calls.replayedUs <= SLOW_CALL_LIMIT_US ? 'PASS' : 'FAIL');
      row(`${system} first sync: wall time (ms), ${sctx.emitted} events`, took.toFixed(0), base.toFixed(0), `${(took / base).toFixed(2)}×`, 'context', 'info');
      detail(calls);
      const walk = KEY_WALKS[system];
      if (walk) await compareWalk(server.port, system, walk, calls.scans);
    }
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
