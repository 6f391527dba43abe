// Payload previews: the byte-measured cut of raw payloads (MQTT, topic browser) and the character cut of
// text (WebSocket generic events): exactly at the limit, one past it, multi-byte text, the truncated flag and
// its visible marker, and nested JSON objects (cut as text, never re-serialised).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneLine, previewBytes, previewText, utf8Length } from '../../../src/core/util/payload-preview';
import { DEFAULT_PREVIEW_CHARS, preview, previewLine } from '../../../src/core/util/preview';

const bytes = (s: string) => new TextEncoder().encode(s);

test('previewBytes: exactly at the limit is whole; one byte more is cut and flagged', () => {
  assert.deepEqual(previewBytes(bytes('a'.repeat(16)), 16), { text: 'a'.repeat(16), bytes: 16, truncated: false });
  assert.deepEqual(previewBytes(bytes('a'.repeat(17)), 16), { text: 'a'.repeat(16), bytes: 17, truncated: true });
  assert.deepEqual(previewBytes(new Uint8Array(0), 16), { text: '', bytes: 0, truncated: false });
});

test('previewBytes: a multi-byte character cut at the boundary becomes U+FFFD, the rest stays intact', () => {
  const p = previewBytes(bytes('ab€'), 4); // € is 3 bytes: only its first byte fits
  assert.equal(p.truncated, true);
  assert.equal(p.bytes, 5);
  assert.equal(p.text, 'ab\uFFFD');
  const emoji = previewBytes(bytes('😀😀'), 4);
  assert.equal(emoji.text, '😀', 'a whole 4-byte character at the limit survives');
  assert.equal(emoji.truncated, true);
  assert.doesNotThrow(() => previewBytes(Uint8Array.from([0xff, 0xfe, 0xc3]), 2), 'invalid UTF-8 never throws');
});

test('previewText: measured in UTF-8 bytes, not characters', () => {
  assert.deepEqual(previewText('€€€', 9), { text: '€€€', bytes: 9, truncated: false }, 'exactly 9 bytes fits');
  const cut = previewText('€€€', 8);
  assert.equal(cut.truncated, true);
  assert.equal(cut.bytes, 9);
  assert.equal(cut.text, '€€\uFFFD');
  assert.ok(utf8Length(cut.text.replace('\uFFFD', '')) <= 8);
  assert.equal(previewText('x'.repeat(100), 1000).truncated, false, 'the cheap path for short text');
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('\uD83D'), 3, 'a lone surrogate counts as its replacement');
});

test('previews of nested JSON objects are cut as text: the kept prefix is the original bytes', () => {
  const nested = JSON.stringify({ a: { b: { c: [1, 2, { d: 'é'.repeat(50) }] } }, tail: 'x'.repeat(100) });
  const p = previewText(nested, 40);
  assert.equal(p.truncated, true);
  assert.equal(p.bytes, utf8Length(nested));
  assert.ok(nested.startsWith(p.text.replace(/\uFFFD$/, '')), 'a prefix of the original text');
  assert.throws(() => JSON.parse(p.text), 'a cut document is not passed off as whole JSON');
});

test('oneLine: whitespace folded, cut to maxChars, the truncated flag visible with the full size', () => {
  assert.equal(oneLine({ text: '{\n  "a": 1,\n\t"b": 2\n}', bytes: 22, truncated: false }), '{ "a": 1, "b": 2 }');
  assert.equal(oneLine({ text: 'abcdef', bytes: 6, truncated: false }, 3), 'abc…');
  assert.equal(oneLine({ text: 'abc', bytes: 5000, truncated: true }, 10), 'abc [truncated, 5000 bytes]');
  assert.equal(oneLine({ text: 'abcdef', bytes: 5000, truncated: true }, 3), 'abc… [truncated, 5000 bytes]');
});

test('preview (characters): exact limit, one over, and the visible marker', () => {
  assert.equal(DEFAULT_PREVIEW_CHARS, 20 * 1024);
  assert.deepEqual(preview('abcd', 4), { text: 'abcd', truncated: false, length: 4 });
  assert.deepEqual(preview('abcde', 4), { text: 'abcd', truncated: true, length: 5 });
  assert.equal(previewLine('abcd', 4), 'abcd', 'no marker when whole');
  assert.equal(previewLine('abcdef', 4), 'abcd… [truncated: 6 chars, first 4 shown]');
  assert.deepEqual(preview('😀😀', 3), { text: '😀', truncated: true, length: 4 }, 'a surrogate pair is never split');
  assert.equal(preview('a😀', 2).text, 'a');
  const big = previewLine('€'.repeat(DEFAULT_PREVIEW_CHARS + 1));
  assert.ok(big.startsWith('€'.repeat(DEFAULT_PREVIEW_CHARS)));
  assert.match(big, /\[truncated: 20481 chars, first 20480 shown\]$/);
});
