// Series math behind the metric charts: counter rates with resets, bucketing, min/max downsampling,
// quantiles, aligning series onto one axis, range slicing, units — and the derived Taskscope series.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { alignSeries, bucketize, counterRate, minMaxDownsample, quantile, sliceRange, type Point } from '../../../src/core/series/series-math';
import { formatValue, seriesMeaning } from '../../../src/core/series/units';
import { DerivedMetrics, GAUGE_RESAMPLE_MS } from '../../../src/core/series/derived-metrics';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import type { MetricSample, Task } from '../../../src/core/model';

describe('counterRate', () => {
  test('per-second increase between adjacent samples', () => {
    assert.deepEqual(counterRate([[0, 10], [1000, 20], [3000, 30]]), [[1000, 10], [3000, 5]]);
  });
  test('a drop is a counter reset: the increase is the new value', () => {
    assert.deepEqual(counterRate([[0, 100], [1000, 120], [2000, 4]]), [[1000, 20], [2000, 4]]);
  });
  test('duplicate or backwards timestamps are skipped, not divided by zero', () => {
    assert.deepEqual(counterRate([[0, 1], [0, 5], [1000, 3]]), [[1000, 2]]);
  });
  test('fewer than two samples give no rate', () => {
    assert.deepEqual(counterRate([]), []);
    assert.deepEqual(counterRate([[5, 5]]), []);
  });
  test('never negative for any counter with resets', () => {
    fc.assert(fc.property(fc.array(fc.nat(1_000_000), { minLength: 2, maxLength: 200 }), (values) => {
      const pts: Point[] = values.map((v, i) => [i * 1000, v]);
      for (const [, r] of counterRate(pts)) assert.ok(r >= 0);
    }));
  });
});

describe('bucketize', () => {
  const pts: Point[] = [[0, 1], [500, 3], [999, 2], [1000, 10], [2500, 7]];
  test('aggregates per bucket aligned to the epoch, leaving out empty buckets', () => {
    assert.deepEqual(bucketize(pts, 1000, 'sum'), [[0, 6], [1000, 10], [2000, 7]]);
    assert.deepEqual(bucketize(pts, 1000, 'avg'), [[0, 2], [1000, 10], [2000, 7]]);
    assert.deepEqual(bucketize(pts, 1000, 'max'), [[0, 3], [1000, 10], [2000, 7]]);
    assert.deepEqual(bucketize(pts, 1000, 'min'), [[0, 1], [1000, 10], [2000, 7]]);
    assert.deepEqual(bucketize(pts, 1000, 'last'), [[0, 2], [1000, 10], [2000, 7]]);
    assert.deepEqual(bucketize(pts, 1000, 'count'), [[0, 3], [1000, 1], [2000, 1]]);
  });
  test('rejects a non-positive bucket', () => {
    assert.throws(() => bucketize(pts, 0, 'sum'), RangeError);
  });
  test('sum is preserved for any input', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(100_000), fc.integer({ min: -1000, max: 1000 }))), fc.integer({ min: 1, max: 5000 }), (raw, size) => {
      const sorted = raw.sort((a, b) => a[0] - b[0]) as Point[];
      const total = sorted.reduce((s, p) => s + p[1], 0);
      assert.equal(bucketize(sorted, size, 'sum').reduce((s, p) => s + p[1], 0), total);
    }));
  });
});

describe('minMaxDownsample', () => {
  test('returns small inputs unchanged', () => {
    const pts: Point[] = [[0, 1], [1, 2]];
    assert.equal(minMaxDownsample(pts, 10), pts);
  });
  test('keeps every spike and stays within the budget, in time order', () => {
    const pts: Point[] = Array.from({ length: 100_000 }, (_, i) => [i, i === 31_337 ? 1e6 : i === 77_000 ? -1e6 : Math.sin(i / 100)] as Point);
    const out = minMaxDownsample(pts, 2000);
    assert.ok(out.length <= 2000, `${out.length} points`);
    assert.ok(out.some((p) => p[1] === 1e6) && out.some((p) => p[1] === -1e6));
    for (let i = 1; i < out.length; i++) assert.ok(out[i]![0] > out[i - 1]![0]);
  });
});

describe('quantile', () => {
  test('interpolates between closest ranks', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([5, 1, 3], 0), 1);
    assert.equal(quantile([5, 1, 3], 1), 5);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });
});

describe('alignSeries', () => {
  test('one series becomes x in seconds plus its values', () => {
    assert.deepEqual(alignSeries([[[1000, 1], [2000, 2]]]), [[1, 2], [1, 2]]);
  });
  test('several series share the union of timestamps with nulls for gaps', () => {
    assert.deepEqual(alignSeries([[[1000, 1], [3000, 3]], [[2000, 20], [3000, 30]]]), [[1, 2, 3], [1, null, 3], [null, 20, 30]]);
  });
  test('every input point lands in its column', () => {
    fc.assert(fc.property(fc.array(fc.uniqueArray(fc.nat(10_000), { maxLength: 50 }), { minLength: 1, maxLength: 4 }), (tss) => {
      const series = tss.map((ts) => ts.sort((a, b) => a - b).map((t) => [t * 1000, t] as Point));
      const [xs, ...ys] = alignSeries(series);
      series.forEach((s, i) => assert.equal(ys[i]!.filter((v) => v !== null).length, s.length));
      for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! > xs[i - 1]!);
    }));
  });
});

describe('sliceRange', () => {
  test('keeps the samples inside the closed range', () => {
    const pts: Point[] = [[1, 0], [2, 0], [2, 1], [3, 0], [4, 0]];
    assert.deepEqual(sliceRange(pts, 2, 3), [[2, 0], [2, 1], [3, 0]]);
    assert.deepEqual(sliceRange(pts, 5, 9), []);
    assert.equal(sliceRange(pts, 0, 10), pts);
  });
});

describe('units', () => {
  test('counters and units are read from Prometheus-style names', () => {
    assert.deepEqual(seriesMeaning('http_requests_total'), { kind: 'counter', unit: 'count' });
    assert.deepEqual(seriesMeaning('process_cpu_seconds_total'), { kind: 'counter', unit: 'seconds' });
    assert.deepEqual(seriesMeaning('proplet_memory_bytes'), { kind: 'gauge', unit: 'bytes' });
    assert.deepEqual(seriesMeaning('taskscope_task_processing_seconds'), { kind: 'gauge', unit: 'seconds' });
    assert.deepEqual(seriesMeaning('proplet_cpu_percent'), { kind: 'gauge', unit: 'percent' });
  });
  test('values are formatted with their unit', () => {
    assert.equal(formatValue(0.25, 'seconds'), '250 ms');
    assert.equal(formatValue(3 * 1024 * 1024, 'bytes'), '3 MiB');
    assert.equal(formatValue(12.5, 'count', true), '12.5/s');
    assert.equal(formatValue(null, 'count'), '–');
  });
});

describe('DerivedMetrics', () => {
  const task = (id: string, status: string, extra: Partial<Task> = {}): Task => ({ connectionId: 'c', system: 'bullmq', id, queue: 'mail', status, updatedAt: 0, ...extra });

  test('counts transitions to completed and failed once per task, with latency percentiles', () => {
    const store = new MonitorStore();
    const d = new DerivedMetrics();
    d.observe({ type: 'task.upsert', task: task('1', 'active') });
    d.observe({ type: 'task.upsert', task: task('1', 'completed', { createdAt: 0, startedAt: 1000, finishedAt: 3000 }) });
    d.observe({ type: 'task.upsert', task: task('1', 'completed', { createdAt: 0, startedAt: 1000, finishedAt: 3000 }) }); // repeat: no new transition
    d.observe({ type: 'task.upsert', task: task('2', 'failed') });
    const samples = d.flush(store, 5000);
    const get = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    assert.equal(get('taskscope_tasks_completed_total', { queue: 'mail' }), 1);
    assert.equal(get('taskscope_tasks_failed_total', { queue: 'mail' }), 1);
    assert.equal(get('taskscope_task_processing_seconds', { queue: 'mail', quantile: '0.5' }), 2);
    assert.equal(get('taskscope_task_wait_seconds', { queue: 'mail', quantile: '0.99' }), 1);
    assert.ok(samples.every((s) => s.timestamp === 5000));
    assert.deepEqual(d.flush(store, 6000), [], 'nothing new, nothing emitted');
  });

  test('queue depth and workers online come from the store at flush time', () => {
    const store = new MonitorStore();
    const d = new DerivedMetrics();
    const events = [
      { type: 'queue.upsert', queue: { connectionId: 'c', system: 'bullmq', name: 'q', counts: { waiting: 4, failed: 1 }, updatedAt: 0 } },
      { type: 'worker.upsert', worker: { connectionId: 'c', system: 'bullmq', id: 'w1', status: 'online', updatedAt: 0 } },
      { type: 'worker.upsert', worker: { connectionId: 'c', system: 'bullmq', id: 'w2', status: 'offline', updatedAt: 0 } },
    ] as const;
    for (const e of events) { store.apply(e); d.observe(e); }
    const samples = d.flush(store, 1);
    assert.deepEqual(samples.filter((s) => s.name === 'taskscope_queue_jobs').map((s) => [s.labels.state, s.value]), [['waiting', 4], ['failed', 1]]);
    assert.equal(samples.find((s) => s.name === 'taskscope_workers_online')?.value, 1);
  });

  test('unchanged gauges are sampled again every GAUGE_RESAMPLE_MS, so a quiet queue charts as a line', () => {
    const store = new MonitorStore();
    const d = new DerivedMetrics();
    const e = { type: 'queue.upsert', queue: { connectionId: 'c', system: 'bullmq', name: 'q', counts: { failed: 3 }, updatedAt: 0 } } as const;
    store.apply(e);
    d.observe(e);
    const depth = (samples: MetricSample[]) => samples.filter((s) => s.name === 'taskscope_queue_jobs').map((s) => [s.timestamp, s.value]);
    assert.deepEqual(depth(d.flush(store, 10_000)), [[10_000, 3]]);
    assert.deepEqual(depth(d.flush(store, 10_000 + GAUGE_RESAMPLE_MS - 1)), [], 'not yet due, nothing changed');
    assert.deepEqual(depth(d.flush(store, 10_000 + GAUGE_RESAMPLE_MS)), [[10_000 + GAUGE_RESAMPLE_MS, 3]]);
  });
});
