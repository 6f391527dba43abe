// ByteStrings (src/sources/byte-strings.ts): the string of some bytes, made once per distinct value and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteStrings, MAX_SHARED_BYTES } from '../../../src/sources/byte-strings';

test('the string of ASCII bytes, wherever they sit; equal bytes give the value held, distinct bytes their own', () => {
  const strings = new ByteStrings(16);
  const bytes = Buffer.from('..task-1..task-1..task-2..');
  assert.equal(strings.get(bytes, 2, 8), 'task-1');
  assert.equal(strings.get(bytes, 10, 16), 'task-1');
  assert.equal(strings.size, 1, 'one value held for both');
  assert.equal(strings.get(bytes, 18, 24), 'task-2');
  assert.equal(strings.get(bytes, 0, 0), '');
  assert.equal(strings.size, 3);
  assert.throws(() => new ByteStrings(12), RangeError);
});

test('bounded: it starts over at half its slots; longer values are made each time and not held', () => {
  const strings = new ByteStrings(8);
  for (let i = 0; i < 100; i++) {
    const text = `value-${i}`;
    assert.equal(strings.get(Buffer.from(text), 0, text.length), text);
    assert.ok(strings.size <= 4, `held ${strings.size}`);
  }
  const long = 'x'.repeat(MAX_SHARED_BYTES + 1);
  const before = strings.size;
  assert.equal(strings.get(Buffer.from(long), 0, long.length), long);
  assert.equal(strings.size, before);
});

test('property: any ASCII values, any number of them, in any order, come back as themselves (collisions included)', () => {
  fc.assert(fc.property(fc.array(fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength: 12 }), { maxLength: 300 }), (values) => {
    const strings = new ByteStrings(64);
    for (const value of [...values, ...values.reverse()]) assert.equal(strings.get(Buffer.from(value, 'latin1'), 0, value.length), value);
  }));
});
