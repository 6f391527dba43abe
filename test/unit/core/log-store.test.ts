// LogStore: the compact columnar log retention — same contents and order as the records pushed, the newest
// `capacity` kept across chunk boundaries, interned strings released with the last record using them, long
// messages cut with a visible marker, and records addressed by sequence number.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogRecord } from '../../../src/core/model/entities';
import { LogStore, MAX_LOG_MESSAGE, TRUNCATION_MARK } from '../../../src/core/store/log-store';
import { StringPool } from '../../../src/core/store/string-pool';

const rec = (i: number, extra: Partial<LogRecord> = {}): LogRecord => ({
  connectionId: `c${i % 3}`, system: 'bullmq', timestamp: 1_700_000_000_000 + i, level: (['trace', 'debug', 'info', 'warn', 'error'] as const)[i % 5]!,
  message: `line ${i} ünïcode ✓`, ...(i % 2 ? { worker: `w${i % 7}`, task: `t${i}` } : { runner: 'r1', invocation: `inv-${i % 4}` }), ...extra,
});

describe('LogStore', () => {
  test('round-trips every field, oldest first, across chunks', () => {
    const store = new LogStore(100, 8);
    const pushed = Array.from({ length: 50 }, (_, i) => rec(i));
    for (const r of pushed) store.push(r);
    assert.equal(store.size, 50);
    assert.deepEqual(store.toArray(), pushed);
    assert.deepEqual(store.get(17), pushed[17]);
    assert.deepEqual(store.newest(3), [pushed[49], pushed[48], pushed[47]]);
  });

  test('keeps exactly the newest `capacity` records and counts the overwritten ones', () => {
    for (const chunk of [1, 3, 4, 7, 4096]) {
      const store = new LogStore(10, chunk);
      for (let i = 0; i < 37; i++) store.push(rec(i));
      assert.equal(store.size, 10, `chunk ${chunk}`);
      assert.equal(store.overwritten, 27);
      assert.equal(store.firstSeq, 27);
      assert.equal(store.endSeq, 37);
      assert.deepEqual(store.toArray().map((r) => r.message), Array.from({ length: 10 }, (_, k) => rec(27 + k).message));
      assert.equal(store.get(26), undefined, 'evicted sequence numbers are gone');
      assert.deepEqual(store.get(30), rec(30));
    }
  });

  test('interned strings are released with the last record that uses them', () => {
    const store = new LogStore(4, 2);
    for (let i = 0; i < 4; i++) store.push(rec(0, { task: `only-${i}` }));
    assert.notEqual(store.pool.idOf('only-0'), undefined);
    for (let i = 0; i < 4; i++) store.push(rec(0, { task: 'shared' }));
    for (let i = 0; i < 4; i++) assert.equal(store.pool.idOf(`only-${i}`), undefined, `only-${i} released`);
    assert.equal(store.pool.size, 5, 'c0, bullmq, r1, inv-0 and shared are all that is left');
  });

  test('a message over the cap is cut with a visible marker; empty and newline messages survive', () => {
    const store = new LogStore(10);
    store.push(rec(1, { message: 'x'.repeat(MAX_LOG_MESSAGE + 10) }));
    store.push(rec(2, { message: '' }));
    store.push(rec(3, { message: 'two\nlines' }));
    const [long, empty, multi] = store.toArray();
    assert.equal(long!.message.length, MAX_LOG_MESSAGE + TRUNCATION_MARK.length);
    assert.ok(long!.message.endsWith(TRUNCATION_MARK));
    assert.equal(empty!.message, '');
    assert.equal(multi!.message, 'two\nlines');
  });

  test('MonitorStore-sized store: 200k short lines stay well under the naive object size', () => {
    const store = new LogStore(200_000);
    for (let i = 0; i < 250_000; i++) store.push(rec(i));
    assert.equal(store.size, 200_000);
    assert.deepEqual(store.get(249_999), rec(249_999));
    assert.equal(store.pool.size < 200_000, true);
  });
});

describe('StringPool', () => {
  test('acquire/release reference counts and id reuse', () => {
    const pool = new StringPool();
    assert.equal(pool.acquire(undefined), 0);
    const a = pool.acquire('a');
    assert.equal(pool.acquire('a'), a);
    pool.release(a);
    assert.equal(pool.get(a), 'a');
    pool.release(a);
    assert.equal(pool.get(a), undefined);
    assert.equal(pool.acquire('b'), a, 'freed id reused');
  });
});
