// Lane packing: overlapping spans get separate sub-lanes, touching spans share one, the lowest free sub-lane
// is reused, and on random inputs no two spans in a sub-lane overlap and the sub-lane count is the minimum
// (the largest number of spans open at one instant).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packLanes, sortedByStart, type PackInput } from '../../../src/core/timeline/lane-packing';

const rows = (spans: PackInput[]): number[] => [...packLanes(spans).rows];

describe('packLanes', () => {
  test('empty, single and sequential spans use one row', () => {
    assert.deepEqual(packLanes([]).rowCount, 0);
    assert.deepEqual(rows([{ start: 0, end: 10 }]), [0]);
    assert.deepEqual(rows([{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 25, end: 30 }]), [0, 0, 0]);
  });

  test('overlaps stack; the lowest free row is reused', () => {
    const spans = [{ start: 0, end: 100 }, { start: 10, end: 20 }, { start: 15, end: 50 }, { start: 30, end: 40 }, { start: 60, end: 70 }];
    assert.deepEqual(rows(spans), [0, 1, 2, 1, 1]);
    assert.equal(packLanes(spans).rowCount, 3);
  });

  test('input order does not matter; zero-length and inverted spans are placed', () => {
    assert.deepEqual(rows([{ start: 30, end: 40 }, { start: 0, end: 35 }, { start: 5, end: 5 }]), [1, 0, 1]);
    assert.deepEqual(rows([{ start: 10, end: 5 }, { start: 10, end: 12 }]), [0, 0]);
  });

  test('running spans (end = Infinity) keep their row', () => {
    assert.deepEqual(rows([{ start: 0, end: Infinity }, { start: 5, end: 6 }, { start: 100, end: 101 }]), [0, 1, 1]);
  });

  test('random inputs: no overlap within a row, and the minimum number of rows', () => {
    let seed = 42;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (let round = 0; round < 40; round++) {
      const spans = Array.from({ length: 1 + rnd(400) }, () => { const s = rnd(10_000); return { start: s, end: s + rnd(600) }; });
      const { rows: r, rowCount } = packLanes(spans);
      const byRow = new Map<number, PackInput[]>();
      spans.forEach((s, i) => { const list = byRow.get(r[i]!) ?? []; list.push(s); byRow.set(r[i]!, list); });
      for (const list of byRow.values()) {
        list.sort((a, b) => a.start - b.start || a.end - b.end);
        for (let i = 1; i < list.length; i++) assert.ok(list[i]!.start >= list[i - 1]!.end, 'no overlap within a row');
      }
      // Maximum depth: sweep over start (+1) and end (-1) events, ends first at equal times.
      const events = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as [number, number][]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let depth = 0;
      let max = 0;
      for (const [, d] of events) { depth += d; max = Math.max(max, depth); }
      assert.equal(rowCount, max);
      assert.equal(Math.max(...r) + 1, rowCount);
    }
  });

  test('100k spans pack in well under a second, with a precomputed order', () => {
    const spans = Array.from({ length: 100_000 }, (_, i) => ({ start: i * 10, end: i * 10 + (i % 37) * 7 }));
    const t0 = performance.now();
    const { rowCount } = packLanes(spans, sortedByStart(spans));
    assert.ok(performance.now() - t0 < 1_000);
    assert.ok(rowCount >= 2 && rowCount < 40);
  });
});
