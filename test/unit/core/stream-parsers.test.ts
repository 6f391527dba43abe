// Pure parsers and buffers used by the stream sources: byte-capped ring, payload previews, timestamps, dot
// paths, the topic browser, the Prometheus text format and the Rustvello/pynenc log line formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRing } from '../../../src/core/store/byte-ring';
import { previewBytes, previewText, oneLine, utf8Length } from '../../../src/core/util/payload-preview';
import { parseIsoTimestamp, toEpochMs } from '../../../src/core/util/timestamps';
import { getNumber, getPath, getString } from '../../../src/core/util/json-path';
import { TopicBrowser } from '../../../src/core/topics/topic-browser';
import { CounterRates, histogramQuantile, histogramSeries, parsePrometheusText } from '../../../src/core/prometheus/text-format';
import { parseContext, parseLogLine } from '../../../src/core/logs/log-line';

test('ByteRing keeps the newest entries within the byte cap and counts drops', () => {
  const ring = new ByteRing<string>(10, (s) => s.length);
  for (const s of ['aaaa', 'bbbb', 'cc']) ring.push(s);
  assert.deepEqual(ring.toArray(), ['aaaa', 'bbbb', 'cc']);
  ring.push('ddd');
  assert.deepEqual(ring.toArray(), ['bbbb', 'cc', 'ddd']);
  assert.equal(ring.byteSize, 9);
  assert.equal(ring.push('x'.repeat(11)), false, 'larger than the cap alone');
  assert.equal(ring.dropped, 2);
  for (let i = 0; i < 1000; i++) ring.push(String(i % 10));
  assert.equal(ring.size, 10);
  assert.deepEqual(ring.newest(2), ['9', '8']);
});

test('payload previews cut at the byte limit with a flag, multi-byte safe', () => {
  const big = new Uint8Array(1024 * 1024).fill(0x61);
  const p = previewBytes(big, 20 * 1024);
  assert.equal(p.truncated, true);
  assert.equal(p.text.length, 20 * 1024);
  assert.equal(p.bytes, 1024 * 1024);
  assert.match(oneLine(p, 10), /\[truncated, 1048576 bytes\]$/);
  const euro = previewText('€'.repeat(100), 10);
  assert.equal(euro.truncated, true);
  assert.equal(euro.bytes, 300);
  assert.equal(utf8Length('a€😀'), 1 + 3 + 4);
  assert.deepEqual(previewText('small', 100), { text: 'small', bytes: 5, truncated: false });
});

test('timestamps: RFC3339Nano, offsets, serde SystemTime, epoch numbers, uptime falls back', () => {
  assert.equal(parseIsoTimestamp('2025-01-15T10:30:00.123456789Z'), Date.UTC(2025, 0, 15, 10, 30, 0, 123));
  assert.equal(parseIsoTimestamp('2025-01-15 10:30:00.123+02:00'), Date.UTC(2025, 0, 15, 8, 30, 0, 123));
  assert.equal(toEpochMs({ secs_since_epoch: 1_700_000_000, nanos_since_epoch: 500_000_000 }, 0), 1_700_000_000_500);
  assert.equal(toEpochMs(1_700_000_000_123, 0), 1_700_000_000_123);
  assert.equal(toEpochMs(1_700_000_000, 0), 1_700_000_000_000);
  assert.equal(toEpochMs(123_456, 42), 42, 'uptime in ms since boot has no wall-clock meaning');
  assert.equal(toEpochMs('not a date', 7), 7);
  assert.equal(toEpochMs(null, 7), 7);
});

test('dot paths read nested fields and arrays', () => {
  const v = { a: { b: [{ c: 5 }], s: 'x', n: '3.5' } };
  assert.equal(getPath(v, 'a.b.0.c'), 5);
  assert.equal(getString(v, 'a.b.0.c'), '5');
  assert.equal(getNumber(v, 'a.n'), 3.5);
  assert.equal(getPath(v, 'a.__proto__'), undefined);
  assert.equal(getString(v, 'a.missing'), undefined);
});

test('topic browser: trie, last value, rate, byte-capped history, topic cap', () => {
  const tb = new TopicBrowser({ historyBytesPerTopic: 200, maxTopics: 3, rateWindowMs: 10_000 });
  for (let i = 0; i < 20; i++) tb.record('m/d/c/ch/control/proplet/alive', previewText(`{"n":${i}}`), 1_000_000 + i * 100);
  tb.record('m/d/c/ch/control/proplet/metrics', previewText('{}'), 1_002_000);
  const roots = tb.children('', 1_002_000);
  assert.deepEqual(roots.map((r) => r.name), ['m']);
  assert.equal(roots[0]!.topicCount, 2);
  const leaves = tb.children('m/d/c/ch/control/proplet', 1_002_000);
  assert.deepEqual(leaves.map((l) => l.name), ['alive', 'metrics']);
  const alive = leaves[0]!.stats!;
  assert.equal(alive.count, 20);
  assert.equal(alive.last?.text, '{"n":19}');
  assert.ok(alive.ratePerSecond > 1.9 && alive.ratePerSecond <= 2.1, `rate ${alive.ratePerSecond}`);
  assert.ok(alive.historyBytes <= 200 && alive.historySize < 20, 'history capped in bytes');
  assert.equal(tb.stats('m/d/c/ch/control/proplet/alive', 1_000_000 + 60_000)?.ratePerSecond, 0, 'rate decays');
  tb.record('a', previewText('1'), 1);
  tb.record('b', previewText('1'), 1);
  assert.equal(tb.topicCount, 3);
  assert.equal(tb.topicsRefused, 1);
});

const EXPOSITION = `# HELP rustvello_tasks_succeeded_total Tasks that succeeded.
# TYPE rustvello_tasks_succeeded_total counter
rustvello_tasks_succeeded_total{task_id="rust::my_app.add"} 42
rustvello_tasks_succeeded_total{task_id="weird \\"quoted\\" \\\\ back\\nslash"} 1 1700000000000
# TYPE rustvello_queue_depth gauge
rustvello_queue_depth{queue="global"} 7
# TYPE rustvello_task_duration_seconds histogram
rustvello_task_duration_seconds_bucket{task_id="t",le="0.1"} 10
rustvello_task_duration_seconds_bucket{task_id="t",le="0.5"} 30
rustvello_task_duration_seconds_bucket{task_id="t",le="1"} 40
rustvello_task_duration_seconds_bucket{task_id="t",le="+Inf"} 40
rustvello_task_duration_seconds_sum{task_id="t"} 12.5
rustvello_task_duration_seconds_count{task_id="t"} 40
# TYPE rpc_duration summary
rpc_duration{quantile="0.5"} NaN
rpc_duration{quantile="0.99"} +Inf
rpc_duration_sum -Inf
rpc_duration_count 0
# a plain comment
untyped_thing 3e-2
bad line {
`;

test('Prometheus text format: types, escapes, histograms, summaries, NaN/Inf, timestamps, errors', () => {
  const { families, errors } = parsePrometheusText(EXPOSITION);
  const byName = new Map(families.map((f) => [f.name, f]));
  const counter = byName.get('rustvello_tasks_succeeded_total')!;
  assert.equal(counter.type, 'counter');
  assert.equal(counter.help, 'Tasks that succeeded.');
  assert.equal(counter.samples[1]!.labels['task_id'], 'weird "quoted" \\ back\nslash');
  assert.equal(counter.samples[1]!.timestamp, 1_700_000_000_000);
  assert.equal(byName.get('rustvello_queue_depth')!.samples[0]!.value, 7);
  const hist = byName.get('rustvello_task_duration_seconds')!;
  assert.equal(hist.type, 'histogram');
  assert.equal(hist.samples.length, 6);
  const [series] = histogramSeries(hist);
  assert.deepEqual(series!.labels, { task_id: 't' });
  assert.equal(series!.count, 40);
  assert.equal(series!.sum, 12.5);
  assert.equal(histogramQuantile(0.5, series!.buckets), 0.1 + 0.4 * (10 / 20));
  assert.equal(histogramQuantile(0.99, series!.buckets), 0.5 + 0.5 * ((39.6 - 30) / 10));
  const summary = byName.get('rpc_duration')!;
  assert.equal(summary.type, 'summary');
  assert.ok(Number.isNaN(summary.samples[0]!.value));
  assert.equal(summary.samples[1]!.value, Infinity);
  assert.equal(summary.samples[2]!.value, -Infinity);
  assert.equal(byName.get('untyped_thing')!.samples[0]!.value, 0.03);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 21);
});

test('counter rates: per second between scrapes, reset restarts', () => {
  const r = new CounterRates();
  assert.equal(r.update('a', 10, 1000), undefined);
  assert.equal(r.update('a', 30, 3000), 10);
  assert.equal(r.update('a', 5, 4000), undefined, 'counter reset');
  assert.equal(r.update('a', 7, 5000), 2);
});

test('unified [R]/[P] lines with context, JSON (Rustvello and pynenc), span, pynenc text and plain lines', () => {
  const now = 5;
  const r = parseLogLine('2026-03-27T10:23:45.123Z INFO  [R] my_app [PTR(a86ab1f8).W(d1241003)cc6c0e34-5678-9abc-def0-123456789abc:core_tasks.recover] rustvello::runner Invocation completed', now)!;
  assert.equal(r.format, 'unified');
  assert.equal(r.timestamp, Date.UTC(2026, 2, 27, 10, 23, 45, 123));
  assert.equal(r.level, 'info');
  assert.equal(r.origin, 'rust');
  assert.equal(r.app, 'my_app');
  assert.equal(r.runnerClass, 'PTR');
  assert.equal(r.runner, 'a86ab1f8');
  assert.equal(r.worker, 'd1241003');
  assert.equal(r.invocation, 'cc6c0e34-5678-9abc-def0-123456789abc');
  assert.equal(r.task, 'core_tasks.recover');
  assert.equal(r.message, 'rustvello::runner Invocation completed');
  const p = parseLogLine('2026-03-27T10:23:45.123Z WARN  [P] [R(12345678)] pynenc.runner slow', now)!;
  assert.equal(p.origin, 'python');
  assert.equal(p.level, 'warn');
  assert.equal(p.runner, '12345678');
  assert.equal(p.app, undefined);
  const noApp = parseLogLine('2026-03-27T10:23:45.123Z ERROR [R] rustvello::broker lost lease', now)!;
  assert.equal(noApp.level, 'error');
  assert.equal(noApp.message, 'rustvello::broker lost lease');

  const rj = parseLogLine(JSON.stringify({ timestamp: '2026-03-27T10:23:45.123Z', severity: 'WARNING', system: 'rust', logger: 'rustvello::runner', message: 'retrying', runner_class: 'PTR', runner_id: 'a86ab1f8-full', worker_id: 'w-1', invocation_id: 'inv-1', task_id: 'app.t', text: '…' }), now)!;
  assert.deepEqual([rj.format, rj.level, rj.origin, rj.runner, rj.worker, rj.invocation, rj.task, rj.message], ['json', 'warn', 'rust', 'a86ab1f8-full', 'w-1', 'inv-1', 'app.t', 'retrying']);
  const pj = parseLogLine(JSON.stringify({ timestamp: '2026-03-27 11:23:45.123+01:00', severity: 'ERROR', logger: 'pynenc.runner', message: 'boom', runner_class: 'ThreadRunner', runner_id: 'r1', parent_runner_class: null, parent_runner_id: null, invocation_id: 'i2', task_id: 'mod.fn', text: 'x', exception: 'Traceback' }), now)!;
  assert.deepEqual([pj.level, pj.timestamp, pj.worker, pj.runner, pj.task], ['error', Date.UTC(2026, 2, 27, 10, 23, 45, 123), undefined, 'r1', 'mod.fn']);

  const span = parseLogLine('2026-03-27T10:23:45.123Z INFO runner{runner_id=abc cls=PTR}:worker{worker_id=w9}:invocation{invocation_id=i9 task_id=t.k}: rustvello::runner: done', now)!;
  assert.deepEqual([span.format, span.runner, span.runnerClass, span.worker, span.invocation, span.task], ['span', 'abc', 'PTR', 'w9', 'i9', 't.k']);
  const pt = parseLogLine('2026-03-27 11:23:45.123+01:00 WARNING  pynenc.orchestrator [ThreadRunner(r1)] stalled', now)!;
  assert.deepEqual([pt.format, pt.level, pt.logger, pt.runnerClass, pt.runner, pt.message], ['pynenc-text', 'warn', 'pynenc.orchestrator', 'ThreadRunner', 'r1', 'stalled']);
  const plain = parseLogLine('ERROR: disk full', now)!;
  assert.deepEqual([plain.format, plain.level, plain.timestamp], ['plain', 'error', now]);
  assert.equal(parseLogLine('   ', now), undefined);
  assert.equal(parseLogLine('{not json', now)!.format, 'plain');
  assert.deepEqual(parseContext('PTR(a).W(b)'), { runnerClass: 'PTR', runner: 'a', worker: 'b', invocation: undefined, task: undefined });
});
