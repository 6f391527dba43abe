// PollMarkerCache: a hit only under the same marker, tasks not seen in a poll forgotten at its end, never more
// entries than its capacity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PollMarkerCache } from '../../../src/sources/redis/poll-marker-cache';

test('a value is found only under the marker it was read under', () => {
  const cache = new PollMarkerCache<string>(10);
  cache.beginPoll();
  cache.remember('t1', 'running|1', 'row v1');
  cache.endPoll();
  cache.beginPoll();
  assert.equal(cache.hit('t1', 'running|1'), 'row v1');
  assert.equal(cache.hit('t1', 'success|2'), undefined, 'a changed marker is a miss');
  assert.equal(cache.hit('t2', 'running|1'), undefined);
});

test('a poll forgets the tasks it did not see; a clear forgets everything', () => {
  const cache = new PollMarkerCache<string>(10);
  cache.beginPoll();
  cache.remember('kept', 'm', 'a');
  cache.remember('gone', 'm', 'b');
  cache.endPoll();
  cache.beginPoll();
  assert.equal(cache.hit('kept', 'm'), 'a');
  cache.endPoll();
  assert.equal(cache.size, 1);
  cache.beginPoll();
  assert.equal(cache.hit('gone', 'm'), undefined, 'a task that came back is read again');
  // A task whose marker changed and whose re-read failed (not remembered) is forgotten too.
  assert.equal(cache.hit('kept', 'm2'), undefined);
  cache.endPoll();
  assert.equal(cache.size, 0);
  cache.remember('x', 'm', 'c');
  cache.clear();
  assert.equal(cache.size, 0);
});

test('never more entries than the capacity; a known task is still updated when full', () => {
  const cache = new PollMarkerCache<number>(2);
  cache.beginPoll();
  cache.remember('a', 'm', 1);
  cache.remember('b', 'm', 2);
  cache.remember('c', 'm', 3);
  assert.equal(cache.size, 2);
  assert.equal(cache.hit('c', 'm'), undefined, 'beyond the capacity: read in full again next poll');
  cache.remember('a', 'm2', 10);
  assert.equal(cache.hit('a', 'm2'), 10);
});
