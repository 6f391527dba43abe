// RingBuffer: fixed capacity, oldest-first and newest-first reads, overwrite counting, clear.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RingBuffer } from '../../../src/core/store/ring-buffer';

function filled(capacity: number, items: readonly number[]): RingBuffer<number> {
  const ring = new RingBuffer<number>(capacity);
  for (const i of items) ring.push(i);
  return ring;
}

describe('RingBuffer', () => {
  test('rejects capacities that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new RingBuffer(bad), { name: 'RangeError', message: `capacity must be a positive integer, got ${bad}` });
    }
  });

  test('below capacity keeps everything in insertion order without overwriting', () => {
    const ring = filled(4, [1, 2, 3]);
    assert.equal(ring.size, 3);
    assert.equal(ring.capacity, 4);
    assert.deepEqual(ring.toArray(), [1, 2, 3]);
    assert.deepEqual(ring.newest(2), [3, 2]);
    assert.equal(ring.overwritten, 0);
  });

  test('past capacity keeps the newest items and counts each overwrite', () => {
    const ring = filled(3, [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(ring.size, 3);
    assert.deepEqual(ring.toArray(), [5, 6, 7]);
    assert.deepEqual(ring.newest(10), [7, 6, 5]);
    assert.deepEqual(ring.newest(1), [7]);
    assert.deepEqual(ring.newest(0), []);
    assert.equal(ring.overwritten, 4);
  });

  test('capacity 1 always holds the last item', () => {
    const ring = filled(1, [1, 2, 3]);
    assert.deepEqual(ring.toArray(), [3]);
    assert.equal(ring.overwritten, 2);
  });

  test('clear empties the buffer but keeps the overwrite total (it is a lifetime count)', () => {
    const ring = filled(2, [1, 2, 3]);
    ring.clear();
    assert.equal(ring.size, 0);
    assert.deepEqual(ring.toArray(), []);
    assert.equal(ring.overwritten, 1);
    ring.push(9);
    assert.deepEqual(ring.toArray(), [9]);
  });

  test('property: behaves like "keep the last `capacity` of everything pushed"', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer(), { maxLength: 40 }), fc.nat(10), (capacity, items, limit) => {
      const ring = filled(capacity, items);
      const expected = items.slice(Math.max(0, items.length - capacity));
      assert.deepEqual(ring.toArray(), expected);
      assert.deepEqual(ring.newest(limit), expected.slice().reverse().slice(0, limit));
      assert.equal(ring.overwritten, Math.max(0, items.length - capacity));
    }));
  });
});

test('the backing array grows with the items; wrap-around and clear keep the order', () => {
  const ring = new RingBuffer<number>(1_440);
  assert.deepEqual(ring.toArray(), []);
  ring.push(1);
  assert.deepEqual(ring.newest(5), [1]);
  for (let i = 2; i <= 2_000; i++) ring.push(i);
  assert.equal(ring.size, 1_440);
  assert.deepEqual(ring.newest(2), [2_000, 1_999]);
  assert.equal(ring.toArray()[0], 561);
  ring.clear();
  ring.push(7);
  ring.push(8);
  assert.deepEqual(ring.toArray(), [7, 8]);
  assert.equal(ring.overwritten, 560);
});
