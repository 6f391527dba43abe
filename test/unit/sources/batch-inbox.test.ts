// BatchInbox (src/sources/reader-thread.ts), the host's side of a reader thread: batches are handled in order, in
// turns of a bounded number of pieces (the event loop turns in between), each turn's batches acknowledged at its
// end; drainAll handles what waits; after close nothing is handled or acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchInbox, type ReaderBatch } from '../../../src/sources/reader-thread';

/** A batch of `n` one-byte pieces, bytes `first`, `first + 1`, … */
function batch(first: number, n: number): ReaderBatch {
  const bytes = new Uint8Array(n).map((_, i) => first + i);
  return { type: 'batch', bytes: bytes.buffer, ends: new Uint32Array(n).map((_, i) => i + 1), skipped: 0 };
}

const turn = () => new Promise((r) => setImmediate(r));

test('handled in order, a bounded number of pieces per turn, each turn acknowledged at its end', async () => {
  const log: string[] = [];
  const inbox = new BatchInbox((bytes, ends) => { log.push(`handle ${[...bytes.subarray(0, ends.length)].join(',')}`); }, (n) => log.push(`ack ${n}`), 4);
  inbox.push(batch(1, 2));
  inbox.push(batch(3, 2));
  inbox.push(batch(5, 2));
  inbox.push(batch(7, 2));
  inbox.push(batch(9, 2));
  assert.deepEqual(log, [], 'nothing handled while the pushing turn runs');
  await turn();
  assert.deepEqual(log, ['handle 1,2', 'handle 3,4', 'ack 2'], 'one turn: 4 pieces, then its acknowledgement');
  let timerRan = false;
  setImmediate(() => { timerRan = true; });
  await turn();
  await turn();
  assert.ok(timerRan, 'other work got turns in between');
  assert.deepEqual(log.slice(3), ['handle 5,6', 'handle 7,8', 'ack 2', 'handle 9,10', 'ack 1']);
});

test('drainAll handles everything at once; after close nothing is handled or acknowledged', async () => {
  const log: string[] = [];
  const inbox = new BatchInbox((_bytes, ends) => { log.push(`handle ${ends.length}`); }, (n) => log.push(`ack ${n}`), 1);
  inbox.push(batch(1, 3));
  inbox.push(batch(4, 3));
  inbox.drainAll();
  assert.deepEqual(log, ['handle 3', 'handle 3', 'ack 2']);
  inbox.push(batch(7, 1));
  inbox.close();
  inbox.push(batch(8, 1));
  await turn();
  await turn();
  assert.deepEqual(log, ['handle 3', 'handle 3', 'ack 2']);
});
