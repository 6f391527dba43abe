// MessageBacklog: socket messages are queued and processed in order, a slice per event-loop turn, within byte
// and count caps (overflow dropped and reported), and everything still queued is processed on drainAll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageBacklog } from '../../../src/sources/mqtt/message-backlog';

const tick = () => new Promise((r) => setImmediate(r));

function harness(limits = { maxBytes: 1_000_000, maxMessages: 1_000_000, sliceMessages: 10 }) {
  const processed: string[] = [];
  const dropped: string[] = [];
  const stamps: number[] = [];
  const inner = new MessageBacklog((topic, payload, at) => { processed.push(`${topic}=${payload.toString()}`); stamps.push(at); }, (topic) => dropped.push(topic), limits);
  let clock = 0;
  // Stamped with a counter: the processed stamps must be the arrival order.
  const backlog = { push: (t: string, p: Buffer) => inner.push(t, p, ++clock), drainAll: () => inner.drainAll(), get size() { return inner.size; }, get heldBytes() { return inner.heldBytes; }, get dropped() { return inner.dropped; } };
  return { processed, dropped, backlog, stamps };
}

test('processes in arrival order, one slice per turn of the event loop', async () => {
  const { processed, backlog, stamps } = harness();
  for (let i = 0; i < 25; i++) backlog.push(`t/${i}`, Buffer.from(String(i)));
  assert.equal(processed.length, 0, 'nothing processed inline: the socket is read on');
  assert.equal(backlog.size, 25);
  await tick();
  assert.equal(processed.length, 10);
  await tick();
  await tick();
  assert.deepEqual(processed, Array.from({ length: 25 }, (_, i) => `t/${i}=${i}`));
  assert.deepEqual(stamps, Array.from({ length: 25 }, (_, i) => i + 1), 'each message keeps the time it was read');
  assert.equal(backlog.size, 0);
  assert.equal(backlog.heldBytes, 0);
});

test('full by bytes or by count: the newest are dropped and reported, an empty backlog takes anything', async () => {
  const { processed, dropped, backlog } = harness({ maxBytes: 100, maxMessages: 3, sliceMessages: 100 });
  backlog.push('big', Buffer.alloc(500, 0x61));
  assert.equal(backlog.size, 1, 'larger than the cap alone, but the backlog was empty');
  backlog.push('next', Buffer.from('x'));
  assert.deepEqual(dropped, ['next']);
  await tick();
  for (let i = 0; i < 5; i++) backlog.push(`c${i}`, Buffer.from('y'));
  assert.deepEqual(dropped, ['next', 'c3', 'c4'], 'at most maxMessages queued');
  assert.equal(backlog.dropped, 3);
  await tick();
  assert.deepEqual(processed.map((p) => p.split('=')[0]), ['big', 'c0', 'c1', 'c2']);
});

test('drainAll processes what is queued at once and cancels the scheduled slice', async () => {
  const { processed, backlog } = harness();
  for (let i = 0; i < 5_000; i++) backlog.push('t', Buffer.from(String(i)));
  await tick();
  assert.equal(processed.length, 10);
  backlog.drainAll();
  assert.equal(processed.length, 5_000);
  assert.equal(processed.at(-1), 't=4999');
  await tick();
  assert.equal(processed.length, 5_000, 'nothing processed twice');
  backlog.push('again', Buffer.from('1'));
  await tick();
  assert.equal(processed.at(-1), 'again=1', 'usable after a drain');
});
