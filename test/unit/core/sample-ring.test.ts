// SampleRing: a metric series' samples in typed arrays — the newest `capacity` kept, read oldest first, newest
// first, or flattened after a timestamp (the chart's delta), with overwrites counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampleRing } from '../../../src/core/store/sample-ring';

test('keeps the newest capacity samples, oldest first; counts what it overwrote', () => {
  const ring = new SampleRing(3);
  assert.deepEqual(ring.toArray(), []);
  assert.equal(ring.last(), undefined);
  for (let t = 1; t <= 5; t++) ring.push(t * 1000, t / 2);
  assert.deepEqual(ring.toArray(), [[3000, 1.5], [4000, 2], [5000, 2.5]]);
  assert.deepEqual(ring.newest(2), [[5000, 2.5], [4000, 2]]);
  assert.deepEqual(ring.newest(10).length, 3);
  assert.deepEqual(ring.last(), [5000, 2.5]);
  assert.equal(ring.size, 3);
  assert.equal(ring.overwritten, 2);
});

test('flatAfter: only the samples newer than a timestamp, flattened oldest first, across the wrap', () => {
  const ring = new SampleRing(4);
  for (let t = 1; t <= 6; t++) ring.push(t, t * 10); // holds 3..6, wrapped
  assert.deepEqual(ring.flatAfter(-Infinity), [3, 30, 4, 40, 5, 50, 6, 60]);
  assert.deepEqual(ring.flatAfter(4), [5, 50, 6, 60]);
  assert.deepEqual(ring.flatAfter(6), []);
  assert.deepEqual(ring.flatAfter(100), []);
});

test('values keep full double precision (timestamps in ms, NaN and ±Infinity as Prometheus sends them)', () => {
  const ring = new SampleRing(4);
  ring.push(1_767_225_600_123, 0.1 + 0.2);
  ring.push(1_767_225_601_000, Number.NaN);
  ring.push(1_767_225_602_000, Number.POSITIVE_INFINITY);
  assert.deepEqual(ring.toArray(), [[1_767_225_600_123, 0.1 + 0.2], [1_767_225_601_000, Number.NaN], [1_767_225_602_000, Number.POSITIVE_INFINITY]]);
  ring.clear();
  assert.equal(ring.size, 0);
  assert.throws(() => new SampleRing(0), RangeError);
});

test('grows by doubling up to its capacity, then wraps: the same samples as a ring allocated whole', () => {
  const ring = new SampleRing(1_440);
  const model: [number, number][] = [];
  for (let i = 0; i < 3_000; i++) {
    ring.push(i, i * 2);
    model.push([i, i * 2]);
    if (i === 10 || i === 999 || i === 1_439 || i === 1_440 || i === 2_999) {
      assert.deepEqual(ring.toArray(), model.slice(-1_440), `after ${i + 1} samples`);
      assert.deepEqual(ring.flatAfter(i - 5), model.slice(-5).flat());
    }
  }
  assert.equal(ring.overwritten, 3_000 - 1_440);
});
