// Pure parts of the BullMQ source: stream id order, gap detection and cursor bookkeeping, value cutting,
// the action guard by major version, and the row window of the Queues view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advanceCursor, compareStreamIds, detectGap, previousStreamId, streamField } from '../../../src/sources/redis/bullmq-events';
import { cutValue } from '../../../src/sources/redis/bullmq-jobs';
import { actionsDisabledReason } from '../../../src/sources/redis/bullmq-actions';
import { parseBullmqVersion } from '../../../src/sources/redis/bullmq-layout';
import { moveWindow, TASK_WINDOW_MAX } from '../../../src/vscode/views/task-rows-window';

const info = (o: Record<string, unknown>): Map<string, unknown> => new Map(Object.entries(o));

test('stream ids compare numerically, not as text', () => {
  assert.equal(compareStreamIds('10-0', '9-0'), 1);
  assert.equal(compareStreamIds('5-10', '5-9'), 1);
  assert.equal(compareStreamIds('5-1', '5-1'), 0);
  assert.equal(compareStreamIds('1700000000000-0', '1700000000001-0'), -1);
});

test('the id just before a stream id (XREAD starts after it, so the last entry read comes back first)', () => {
  assert.equal(previousStreamId('1700000000000-5'), '1700000000000-4');
  assert.equal(previousStreamId('1700000000000-0'), '1699999999999-18446744073709551615');
  assert.equal(previousStreamId('0-1'), '0-0');
  assert.equal(previousStreamId('0-0'), undefined);
});

test('gap: none when the first entry is at or before the last id read', () => {
  assert.equal(detectGap({ lastId: '10-0', addedAtLast: 5 }, info({ 'first-entry': ['9-0', []], 'last-generated-id': '20-0', 'entries-added': 15, length: 11 })), undefined);
});

test('gap: first entry newer than the last id, but every entry added since is still there → no gap', () => {
  // Only our last-read entry (10-0) was trimmed; the 3 entries added since are all in the stream.
  assert.equal(detectGap({ lastId: '10-0', addedAtLast: 5 }, info({ 'first-entry': ['11-0', []], 'last-generated-id': '13-0', 'entries-added': 8, length: 3 })), undefined);
});

test('gap: more entries added since the last id than the stream holds → gap with the count', () => {
  const g = detectGap({ lastId: '10-0', addedAtLast: 5 }, info({ 'first-entry': ['200-0', []], 'last-generated-id': '209-0', 'entries-added': 205, length: 10 }));
  assert.match(g ?? '', /^190 entries after 10-0 were trimmed/);
});

test('gap: without entries-added (Redis < 7) a first entry newer than the last id counts as a gap', () => {
  assert.match(detectGap({ lastId: '10-0' }, info({ 'first-entry': ['11-0', []], 'last-generated-id': '12-0', length: 2 })) ?? '', /oldest entry 11-0 is newer/);
});

test('gap: a stream recreated behind the reader (last generated id older than ours)', () => {
  assert.match(detectGap({ lastId: '50-0', addedAtLast: 9 }, info({ 'last-generated-id': '3-0', 'entries-added': 1, length: 1, 'first-entry': ['3-0', []] })) ?? '', /recreated/);
});

test('cursor: reading to the end records entries-added; a partial read after trimming is counted from the length', () => {
  assert.deepEqual(advanceCursor({ lastId: '10-0', addedAtLast: 5 }, info({ 'last-generated-id': '12-0', 'entries-added': 7, length: 7, 'first-entry': ['1-0', []] }), 2, '12-0'), { lastId: '12-0', addedAtLast: 7 });
  assert.deepEqual(advanceCursor({ lastId: '10-0', addedAtLast: 5 }, info({ 'last-generated-id': '30-0', 'entries-added': 25, length: 20, 'first-entry': ['1-0', []] }), 4, '14-0'), { lastId: '14-0', addedAtLast: 9 });
  assert.deepEqual(advanceCursor({ lastId: '10-0', addedAtLast: 5 }, info({ 'last-generated-id': '300-0', 'entries-added': 300, length: 10, 'first-entry': ['291-0', []] }), 4, '294-0'), { lastId: '294-0', addedAtLast: 294 });
  assert.deepEqual(advanceCursor({ lastId: '10-0', addedAtLast: 5 }, info({ 'last-generated-id': '10-0', 'entries-added': 5, length: 5 }), 0, undefined), { lastId: '10-0', addedAtLast: 5 });
});

test('values: complete values pretty-printed; values over the cut keep their full size and the flag', () => {
  const small = cutValue({ bytes: 9, prefix: '{"a":[1]}' }, 100);
  assert.equal(small.isJson, true);
  assert.equal(small.truncated, false);
  const big = cutValue({ bytes: 10_000_000, prefix: '{"blob":"yyyy' }, 13);
  assert.deepEqual(big, { text: '{"blob":"yyyy', isJson: false, truncated: true, bytes: 10_000_000 });
  assert.equal(cutValue({ bytes: 3, prefix: 'a\uFFFD' }, 2).text.length <= 2, true);
});

test('actions run only for BullMQ 5 and 6; anything else says why', () => {
  assert.equal(actionsDisabledReason(parseBullmqVersion('bullmq:5.81.5')), undefined);
  assert.equal(actionsDisabledReason(parseBullmqVersion('bullmq:6.7.0')), undefined);
  assert.match(actionsDisabledReason(parseBullmqVersion('bullmq:7.0.0')) ?? '', /only with BullMQ 5 or 6/);
  assert.match(actionsDisabledReason(parseBullmqVersion('bullmq-pro:7.1.0')) ?? '', /bullmq-pro:7\.1\.0/);
  assert.match(actionsDisabledReason(undefined) ?? '', /no meta\.version/);
});

test('row window: pages of 50, never more than 200 rows, newer pages come back', () => {
  let w = { start: 0, end: 50 };
  for (let i = 0; i < 10; i++) w = moveWindow(w, 'more', 10_000);
  assert.deepEqual(w, { start: 350, end: 550 });
  assert.ok(w.end - w.start <= TASK_WINDOW_MAX);
  w = moveWindow(w, 'newer', 10_000);
  assert.deepEqual(w, { start: 300, end: 500 });
  assert.deepEqual(moveWindow({ start: 0, end: 50 }, 'more', 70), { start: 0, end: 70 }, 'never past the total');
});

test('streamField reads a value from an entry\'s flat pairs (a value equal to a name is not a name)', () => {
  const flat = ['event', 'completed', 'jobId', 'event', 'returnvalue', '"ok"'];
  assert.equal(streamField(flat, 'event'), 'completed');
  assert.equal(streamField(flat, 'returnvalue'), '"ok"');
  assert.equal(streamField(flat, 'prev'), undefined);
  assert.equal(streamField(['event'], 'event'), undefined, 'a name without its value');
});
