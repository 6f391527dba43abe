// 100 000 fuzzed or malformed frames per stream protocol (fast-check): Propeller MQTT messages, generic
// MQTT with a mapping, Prometheus expositions and log lines. Zero crashes; every bad frame is counted by
// ctx.reject exactly once, and every frame is accounted for (emitted, rejected or kept as generic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MonitorEvent } from '../../../src/core/model/events';
import type { SourceContext } from '../../../src/core/source/source';
import { parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import { PropellerSource } from '../../../src/sources/mqtt/propeller';
import { GenericMqttSource } from '../../../src/sources/mqtt/generic';
import { PROPELLER_SUFFIXES } from '../../../src/sources/mqtt/propeller-model';
import { PrometheusSource } from '../../../src/sources/prometheus/scrape';
import { parsePrometheusText } from '../../../src/core/prometheus/text-format';
import { LogFileSource } from '../../../src/sources/logfile/tail';

const RUNS = 100_000;

function profile(entry: Record<string, unknown>): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([entry]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

function countingCtx(): SourceContext & { events: number; generic: number; rejects: Map<string, number>; rejectTotal(): number } {
  const rejects = new Map<string, number>();
  let t = 1_700_000_000_000;
  const ctx = {
    events: 0, generic: 0, rejects,
    emit(e: MonitorEvent) { ctx.events++; if (e.type === 'generic') ctx.generic++; },
    reject(kind: string) { rejects.set(kind, (rejects.get(kind) ?? 0) + 1); },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    now: () => (t += 7),
    rejectTotal: () => [...rejects.values()].reduce((a, b) => a + b, 0),
  };
  return ctx;
}

/** Valid messages of every Propeller topic, to mutate. */
const VALID: Record<string, unknown> = {
  'control/proplet/create': { proplet_id: 'p1', namespace: 'default', metadata: { os: 'linux', cpu_arch: 'x86_64' } },
  'control/proplet/alive': { proplet_id: 'p1', status: 'alive', namespace: 'default' },
  'control/proplet/results': { task_id: 't1', proplet_id: 'p1', results: 'ok', error: null },
  'control/proplet/invoke_results': { task_id: 't1', invocation_id: 'i1', proplet_id: 'p1', results: 'ok', error: null },
  'control/proplet/task_metrics': { task_id: 't1', proplet_id: 'p1', metrics: { cpu_percent: 1, memory_bytes: 2 }, aggregated: null, timestamp: { secs_since_epoch: 1, nanos_since_epoch: 2 } },
  'control/proplet/metrics': { proplet_id: 'p1', timestamp: '2025-01-01T00:00:00.123456789Z', cpu_metrics: { percent: 3 }, memory_metrics: { rss_bytes: 4 } },
  'control/manager/start': { id: 't1', name: 'n', state: 1, proplet_id: 'p1' },
  'control/manager/stop': { id: 't1', broadcast: true },
  'control/manager/invoke': { id: 't1', proplet_id: 'p1', invocation_id: 'i1', inputs: [] },
  'metrics/proplet': { task_id: 't1', metrics: { cpu_usage_percent: 5, memory_usage_bytes: 6 } },
};

const jsonValue = fc.jsonValue({ maxDepth: 3 });
/** A valid message with one field replaced by arbitrary JSON, or removed. */
const mutated = fc.tuple(fc.constantFrom(...PROPELLER_SUFFIXES), fc.nat(), jsonValue, fc.boolean()).map(([suffix, pick, value, remove]) => {
  const base = { ...(VALID[suffix] as Record<string, unknown>) };
  const keys = Object.keys(base);
  const key = keys[pick % keys.length]!;
  if (remove) delete base[key]; else base[key] = value;
  return { suffix, payload: Buffer.from(JSON.stringify(base)) };
});
const garbage = fc.tuple(fc.constantFrom(...PROPELLER_SUFFIXES), fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), jsonValue.map((v) => Buffer.from(JSON.stringify(v) ?? 'null'))))
  .map(([suffix, payload]) => ({ suffix, payload }));

test(`Propeller: ${RUNS} fuzzed frames, no crash, every reject counted`, { timeout: 120_000 }, () => {
  const source = new PropellerSource(profile({ id: 'fz', kind: 'mqtt', system: 'propeller', url: 'mqtt://127.0.0.1:1' }));
  const ctx = countingCtx();
  (source as unknown as { ctx: SourceContext }).ctx = ctx;
  let expectedMin = 0;
  let frames = 0;
  fc.assert(fc.property(fc.oneof(mutated, garbage), ({ suffix, payload }) => {
    frames++;
    const before = ctx.rejectTotal();
    const eventsBefore = ctx.events;
    source.receive(`m/d/c/ch/${suffix}`, payload);
    const rejected = ctx.rejectTotal() - before;
    const emitted = ctx.events - eventsBefore;
    assert.ok(rejected <= 1, 'at most one reject per frame');
    // A valid frame may change nothing (metrics without numbers for a finished task), but topology frames always map.
    if (['control/proplet/create', 'control/proplet/alive', 'control/proplet/results', 'control/manager/start'].includes(suffix)) {
      assert.ok(rejected === 1 || emitted > 0, `frame neither rejected nor mapped: ${payload.toString().slice(0, 200)}`);
    }
    let parsed: unknown;
    try { parsed = JSON.parse(payload.toString()); } catch { expectedMin++; }
    if (parsed !== undefined && (parsed === null || typeof parsed !== 'object')) assert.equal(rejected, 1, 'a non-object is rejected');
  }), { numRuns: RUNS });
  assert.equal(frames, RUNS);
  assert.ok(ctx.rejectTotal() >= expectedMin, 'every non-JSON frame rejected');
  assert.ok((ctx.rejects.get('propeller-json') ?? 0) === expectedMin);
  // A topic outside the layout is kept as a generic event, not dropped.
  source.receive('m/d/c/ch/registry/server', Buffer.from('{}'));
  assert.equal(ctx.generic, 1);
});

test(`generic MQTT: ${RUNS} fuzzed payloads through a mapping, no crash, unmapped kept as generic`, { timeout: 120_000 }, () => {
  const source = new GenericMqttSource(profile({ id: 'gz', kind: 'mqtt', system: 'generic', url: 'mqtt://127.0.0.1:1', mapping: { taskId: 'job.id', status: 'job.state', worker: 'host', metricValue: 'value', timestamp: 'ts' } }));
  const ctx = countingCtx();
  (source as unknown as { ctx: SourceContext }).ctx = ctx;
  fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.oneof(jsonValue, fc.record({ job: fc.record({ id: jsonValue, state: jsonValue }), host: jsonValue, value: jsonValue, ts: jsonValue })), (topic, value) => {
    const before = ctx.events;
    source.receive(topic || 't', Buffer.from(JSON.stringify(value) ?? 'null'));
    assert.ok(ctx.events > before, 'every message is mapped or kept as generic');
  }), { numRuns: RUNS });
  assert.equal(ctx.rejectTotal(), 0, 'mapping never throws');
  assert.ok(source.topicBrowser.topicCount <= 10_000);
});

test(`Prometheus: ${RUNS} malformed lines, no crash, each counted once`, { timeout: 120_000 }, () => {
  const source = new PrometheusSource(profile({ id: 'pz', kind: 'prometheus', system: 'rustvello', url: 'http://127.0.0.1:1/metrics' }));
  const ctx = countingCtx();
  const line = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.tuple(fc.constantFrom('rustvello_queue_depth', 'x_bucket', 'rustvello_tasks_failed_total', 'a:b', '1bad'), fc.string({ maxLength: 20 }), fc.string({ maxLength: 12 }))
      .map(([n, l, v]) => `${n}{${l}} ${v}`),
    fc.constantFrom('# TYPE x histogram', '# TYPE rustvello_tasks_failed_total counter', '# TYPE y bogus', 'x_bucket{le="+Inf"} 3', 'x_bucket{le="1"} NaN', 'rustvello_workers_active{runner_id="r"} 1'),
  );
  let bodies = 0;
  fc.assert(fc.property(fc.array(line, { minLength: 10, maxLength: 10 }), (lines) => {
    bodies++;
    const body = lines.join('\n');
    const before = ctx.rejectTotal();
    source.ingest(body, ctx);
    assert.equal(ctx.rejectTotal() - before, parsePrometheusText(body).errors.length, 'one reject per bad line');
  }), { numRuns: RUNS / 10 });
  assert.equal(bodies, RUNS / 10);
  assert.ok(ctx.rejectTotal() > 0);
});

test(`log lines: ${RUNS} fuzzed lines, no crash, ndjson rejects counted`, { timeout: 120_000 }, () => {
  const auto = new LogFileSource(profile({ id: 'lz', kind: 'logfile', system: 'rustvello', url: '/nonexistent/x.log' }));
  const strict = new LogFileSource(profile({ id: 'lz2', kind: 'logfile', system: 'pynenc', url: '/nonexistent/x.log', logFormat: 'ndjson' }));
  const a = countingCtx();
  const b = countingCtx();
  (auto as unknown as { ctx: SourceContext }).ctx = a;
  (strict as unknown as { ctx: SourceContext }).ctx = b;
  const unifiedish = fc.tuple(fc.constantFrom('2026-03-27T10:23:45.123Z', '2026-13-99T99:99:99.999Z', 'x'), fc.constantFrom('INFO ', 'WARN ', 'ERROR', 'NOPE'), fc.constantFrom('[R]', '[P]', '[Q]'), fc.string({ maxLength: 40 }))
    .map(([ts, lvl, o, rest]) => `${ts} ${lvl} ${o} ${rest}`);
  const line = fc.oneof(fc.string({ maxLength: 80 }), unifiedish, jsonValue.map((v) => JSON.stringify(v) ?? ''));
  let nonBlank = 0;
  fc.assert(fc.property(line, (l) => {
    const before = b.events + b.rejectTotal();
    auto.emitLine(l);
    strict.emitLine(l);
    if (l.trim().length > 0) {
      nonBlank++;
      assert.equal(b.events + b.rejectTotal(), before + 1, 'strict: every non-blank line emitted or rejected');
    }
  }), { numRuns: RUNS });
  assert.equal(a.rejectTotal(), 0);
  assert.equal(a.events, nonBlank, 'auto: every non-blank line becomes a log record');
});
