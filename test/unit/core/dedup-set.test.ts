// DedupSet: first sighting passes, repeats are dropped, memory stays bounded, recency is refreshed, and it
// stays O(1) per id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DedupSet, fingerprintBytes } from '../../../src/core/util/dedup-set';

test('the first sighting passes, repeats are dropped and counted', () => {
  const d = new DedupSet(10);
  assert.equal(d.firstSeen('a'), true);
  assert.equal(d.firstSeen('a'), false);
  assert.equal(d.firstSeen('b'), true);
  assert.equal(d.duplicates, 1);
});

test('memory is bounded; a repeat refreshes recency; the least recently seen are forgotten', () => {
  const d = new DedupSet(4); // remembers at least the 2 most recent ids, at most 4
  d.firstSeen('a');
  d.firstSeen('b');
  d.firstSeen('c');
  assert.equal(d.firstSeen('a'), false, 'a is still remembered, and now recent again');
  d.firstSeen('d');
  assert.equal(d.firstSeen('a'), false);
  assert.equal(d.firstSeen('b'), true, 'b was the least recently seen: forgotten');
  for (let i = 0; i < 1_000; i++) d.firstSeen(`x${i}`);
  assert.ok(d.size <= 4);
  assert.throws(() => new DedupSet(1), RangeError);
});

test('the most recent capacity/2 ids are always remembered', () => {
  const d = new DedupSet(100);
  for (let i = 0; i < 10_000; i++) assert.equal(d.firstSeen(`e${i}`), true);
  for (let i = 9_950; i < 10_000; i++) assert.equal(d.firstSeen(`e${i}`), false, `e${i}`);
  assert.equal(d.firstSeen('e0'), true, 'long forgotten');
});

test('a million ids in well under a second (no per-id scan)', () => {
  const d = new DedupSet(10_000);
  const started = performance.now();
  for (let i = 0; i < 1_000_000; i++) d.firstSeen(`id-${i}`);
  assert.ok(performance.now() - started < 1_500, `${Math.round(performance.now() - started)} ms`);
});

test('fingerprints: two million distinct ids (UUIDs, and ids differing in one character) give no false repeat', () => {
  const d = new DedupSet(20_000);
  for (let i = 0; i < 1_000_000; i++) assert.equal(d.firstSeen(randomUUID()), true);
  for (let i = 0; i < 1_000_000; i++) assert.equal(d.firstSeen(`task-${i}`), true, `task-${i}`);
  assert.equal(d.duplicates, 0);
  assert.ok(d.size <= 20_000);
});

test('has and remember: the per-frame path (check, validate, then remember)', () => {
  const d = new DedupSet(10);
  assert.equal(d.has('e1'), false);
  d.remember('e1');
  assert.equal(d.has('e1'), true);
  assert.equal(d.duplicates, 0, 'has counts nothing');
  assert.equal(d.firstSeen('e1'), false);
  assert.equal(d.duplicates, 1);
  d.clear();
  assert.equal(d.has('e1'), false);
  assert.equal(d.size, 0);
  assert.equal(d.firstSeen(''), true, 'the empty id is an id like any other');
  assert.equal(d.firstSeen(''), false);
});

test('an id hashed from its bytes (a reader thread) and the same id as a string (the host) are one fingerprint', () => {
  const out = new Int32Array(2);
  const d = new DedupSet(1_000);
  for (let i = 0; i < 200; i++) {
    const id = i % 2 === 0 ? randomUUID() : `ev-${i}-${'x'.repeat(i % 40)}`;
    const bytes = Buffer.from(`  ${id}  `, 'latin1');
    fingerprintBytes(bytes, 2, 2 + id.length, out, 0);
    assert.equal(d.hasFingerprint(out[0]!, out[1]!), false, id);
    assert.equal(d.firstSeen(id), true);
    assert.equal(d.hasFingerprint(out[0]!, out[1]!), true, `${id}: seen as a string, known by its bytes`);
    assert.equal(d.firstSeenFingerprint(out[0]!, out[1]!), false, 'a repeat by fingerprint is counted as one');
    d.rememberFingerprint(out[0]!, out[1]!);
  }
  assert.equal(d.duplicates, 200);
  fingerprintBytes(Buffer.from('only-as-bytes'), 0, 13, out, 0);
  d.rememberFingerprint(out[0]!, out[1]!);
  assert.equal(d.has('only-as-bytes'), true, 'remembered by its bytes, known as a string');
});
