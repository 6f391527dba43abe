import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringInterner } from '../../../src/core/util/string-interner';

// Which string object comes back is not observable in JS (=== compares text); what is: the value, and one entry per text.
test('an equal value comes back, and each text is held once', () => {
  const strings = new StringInterner();
  const first = ['task', 'type'].join('_');
  const again = ['task', 'type'].join('_');
  assert.equal(strings.intern(first), first);
  assert.equal(strings.intern(again), first);
  assert.equal(strings.intern('other'), 'other');
  assert.equal(strings.size, 2);
});

test('bounded: at capacity it starts over, and still returns equal values', () => {
  const strings = new StringInterner(3);
  for (const v of ['a', 'b', 'c', 'd', 'e', 'a']) assert.equal(strings.intern(v), v);
  assert.ok(strings.size <= 3, `held ${strings.size}`);
});
