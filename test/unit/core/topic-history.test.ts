// TopicHistory (the topic browser's per-topic ring) and the topic browser's per-message path: byte cap, order
// across wrap-around and growth, truncation flags, the shared budget, and the one-line summaries of payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TopicHistory, historyEntrySize } from '../../../src/core/topics/topic-history';
import { TopicBrowser } from '../../../src/core/topics/topic-browser';
import { oneLineText } from '../../../src/core/util/payload-preview';

test('TopicHistory keeps the newest entries within the byte cap, oldest dropped and counted', () => {
  const cap = historyEntrySize('xxxx') * 3;
  const h = new TopicHistory(cap);
  for (let i = 0; i < 100; i++) assert.equal(h.push(i, `m${String(i).padStart(3, '0')}`, 4, false), true);
  assert.equal(h.size, 3);
  assert.ok(h.byteSize <= cap);
  assert.deepEqual(h.newest(10).map((m) => m.text), ['m099', 'm098', 'm097']);
  assert.deepEqual(h.newest(1)[0], { at: 99, text: 'm099', bytes: 4, truncated: false });
  assert.equal(h.dropped, 97);
  assert.equal(h.push(1, 'y'.repeat(cap), 10, false), false, 'larger than the cap alone is refused');
  assert.equal(h.size, 3, 'a refused entry drops nothing');
});

test('TopicHistory matches a plain list model across growth, wrap-around and truncation flags', () => {
  fc.assert(fc.property(fc.integer({ min: 100, max: 2_000 }), fc.array(fc.tuple(fc.string({ maxLength: 60 }), fc.nat(10_000), fc.boolean()), { maxLength: 300 }), (cap, pushes) => {
    const h = new TopicHistory(cap);
    let model: { at: number; text: string; bytes: number; truncated: boolean }[] = [];
    pushes.forEach(([text, bytes, truncated], at) => {
      const size = historyEntrySize(text);
      if (size > cap) { assert.equal(h.push(at, text, bytes, truncated), false); return; }
      h.push(at, text, bytes, truncated);
      model.push({ at, text, bytes, truncated });
      while (model.reduce((n, m) => n + historyEntrySize(m.text), 0) > cap) model = model.slice(1);
    });
    assert.deepEqual(h.newest(1_000), [...model].reverse());
    assert.equal(h.byteSize, model.reduce((n, m) => n + historyEntrySize(m.text), 0));
  }), { numRuns: 300 });
});

test('topic browser: last value with its truncation flag, rate from counters at read time, shared budget', () => {
  const tb = new TopicBrowser({ historyBytesPerTopic: 10_000, historyBytesTotal: historyEntrySize('v0') * 4, rateWindowMs: 10_000 });
  tb.recordText('a', 'cut', 50_000, true, 1_000);
  assert.deepEqual(tb.stats('a', 1_000)?.last, { at: 1_000, text: 'cut', bytes: 50_000, truncated: true });
  for (let i = 0; i < 10; i++) tb.recordText('b', `v${i}`, 2, false, 2_000 + i);
  assert.ok(tb.totalHistoryBytes <= historyEntrySize('v0') * 5, `over the shared budget topics keep their newest only (${tb.totalHistoryBytes})`);
  assert.deepEqual(tb.history('b').map((m) => m.text), ['v9']);
  assert.equal(tb.stats('b', 2_100)?.count, 10);
  assert.equal(tb.stats('b', 2_100)?.ratePerSecond, 1, '10 messages in a 10 s window');
  assert.equal(tb.stats('b', 2_000 + 30_000)?.ratePerSecond, 0, 'the window moved past them');
  tb.recordText('b', 'late', 4, false, 500);
  assert.equal(tb.stats('b', 500)?.count, 11, 'a clock that steps back still counts');
});

test('oneLineText equals the regex collapse it replaces, whatever the whitespace', () => {
  const ws = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\ufeff', '\u3000', '\u0085', '\u0001');
  const text = fc.array(fc.oneof(fc.string({ maxLength: 8 }), ws), { maxLength: 20 }).map((parts) => parts.join(''));
  fc.assert(fc.property(text, fc.boolean(), fc.integer({ min: 1, max: 40 }), (t, truncated, max) => {
    const flat = t.replace(/\s+/g, ' ').trim();
    const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat;
    assert.equal(oneLineText(t, truncated, 99, max), truncated ? `${cut} [truncated, 99 bytes]` : cut);
  }), { numRuns: 20_000 });
});
