// BatchSender (src/sources/reader-thread.ts), the reader thread's side of the batch flow: pieces copied into one
// transferred buffer per batch, records written in place beside each message, in-flight bounds with full and room
// notices, copies skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchSender, type BatchLimits, type ReaderBatch } from '../../../src/sources/reader-thread';

const LIMITS: BatchLimits = { maxPieces: 3, maxBytes: 1_000, maxInFlight: 2, maxInFlightPieces: 100, maxInFlightBytes: 10_000 };
const turn = () => new Promise((r) => setImmediate(r));

function sender(limits: BatchLimits, flow: { onFull?(): void; onRoom?(): void } = {}) {
  const posted: { batch: ReaderBatch; transfer: ArrayBuffer[] }[] = [];
  return { posted, batches: new BatchSender((batch, transfer) => posted.push({ batch, transfer }), limits, flow) };
}

test('a batch per turn, or sooner when full: the pieces back to back, their ends, what was skipped; its buffers transferred', async () => {
  const { posted, batches } = sender(LIMITS);
  for (const text of ['one', 'two']) {
    batches.add(Buffer.from(text));
    batches.endMessage();
  }
  batches.skip();
  assert.equal(posted.length, 0, 'not before the turn ends');
  await turn();
  assert.equal(posted.length, 1);
  const { batch, transfer } = posted[0]!;
  assert.equal(Buffer.from(batch.bytes).toString(), 'onetwo');
  assert.deepEqual([...batch.ends], [3, 6]);
  assert.equal(batch.skipped, 1);
  assert.equal(batch.records, undefined, 'no records without recordInts');
  assert.deepEqual(transfer, [batch.bytes, batch.ends.buffer]);
  for (const text of ['a', 'b', 'c', 'd']) {
    batches.add(text);
    batches.endMessage();
  }
  assert.equal(posted.length, 2, 'sent at maxPieces without waiting for the turn');
  assert.deepEqual([...posted[1]!.batch.ends], [1, 2, 3]);
});

test('with recordInts, each message\'s record is written where recordAt says and travels with its batch, transferred', async () => {
  const { posted, batches } = sender({ ...LIMITS, recordInts: 2 });
  for (let m = 0; m < 5; m++) {
    const at = batches.recordAt;
    batches.records[at] = 100 + m;
    batches.records[at + 1] = -m;
    if (m === 2) {
      batches.skip(); // a copy: its record is overwritten by the next message's
      continue;
    }
    batches.add(`m${m}`);
    batches.endMessage();
  }
  await turn();
  const records = posted.map((p) => [...(p.batch.records ?? [])]);
  assert.deepEqual(records, [[100, 0, 101, -1, 103, -3], [104, -4]]);
  assert.ok(posted.every((p) => p.transfer.includes(p.batch.records!.buffer as ArrayBuffer)));
});

test('in flight: full at maxInFlight (the reader pauses), room again once half is acknowledged', async () => {
  const events: string[] = [];
  const { posted, batches } = sender({ ...LIMITS, maxPieces: 1 }, { onFull: () => events.push('full'), onRoom: () => events.push('room') });
  for (const text of ['a', 'b']) {
    batches.add(text);
    batches.endMessage();
  }
  assert.equal(posted.length, 2);
  assert.equal(batches.full, true);
  assert.deepEqual(events, ['full']);
  batches.acknowledged(1);
  assert.equal(batches.full, false);
  assert.deepEqual(events, ['full', 'room']);
});
