// LatestEventBuffer: the latest event per entity wins, entity-less events pass straight through, a tick
// flushes in first-seen order of the surviving keys, and `maxPending` bounds memory by flushing early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectInto, LatestEventBuffer, type EventSink } from '../../../src/sources/latest-event-buffer';
import type { MonitorEvent } from '../../../src/core/model/events';
import { queueKey, taskKey, workerKey } from '../../../src/core/model/keys';
import { eventEntityKey, MonitorStore } from '../../../src/core/store/monitor-store';
import { MutableChangeSet } from '../../../src/core/store/change-set';

const worker = (id: string, status: 'online' | 'busy', at = 1): MonitorEvent => ({ type: 'worker.upsert', worker: { connectionId: 'c', system: 'generic', id, status, updatedAt: at } });
const task = (id: string, status: string, queue = 'q'): MonitorEvent => ({ type: 'task.upsert', task: { connectionId: 'c', system: 'generic', id, queue, status, updatedAt: 1 } });
const sample = (name: string, value: number, labels: Record<string, string> = {}): MonitorEvent => ({ type: 'metric', sample: { connectionId: 'c', system: 'generic', name, labels, timestamp: value, value } });
const log = (message: string): MonitorEvent => ({ type: 'log', record: { connectionId: 'c', system: 'generic', timestamp: 1, level: 'info', message } });
const tick = () => new Promise((r) => setImmediate(r));

function recorder() {
  const out: MonitorEvent[] = [];
  return { out, buffer: (max?: number) => new LatestEventBuffer((e) => out.push(e), max) };
}

test('the latest upsert per entity wins; merged ones are counted', async () => {
  const { out, buffer } = recorder();
  const b = buffer();
  b.push(worker('w1', 'online', 1));
  b.push(worker('w1', 'busy', 2));
  b.push(worker('w1', 'online', 3));
  b.push(task('t1', 'waiting'));
  b.push(task('t1', 'done'));
  assert.equal(out.length, 0, 'nothing handed on before the tick');
  assert.equal(b.size, 2);
  assert.equal(b.merged, 3);
  await tick();
  assert.deepEqual(out, [worker('w1', 'online', 3), task('t1', 'done')]);
  assert.equal(b.size, 0);
});

test('entities are told apart by kind, connection, queue and series labels', async () => {
  const { out, buffer } = recorder();
  const b = buffer();
  b.push(task('same', 'a', 'q1'));
  b.push(task('same', 'b', 'q2'));
  b.push(worker('same', 'busy'));
  b.push(sample('cpu', 1, { host: 'a' }));
  b.push(sample('cpu', 2, { host: 'b' }));
  b.push(sample('cpu', 3, { host: 'a' }));
  b.push({ type: 'queue.upsert', queue: { connectionId: 'other', system: 'generic', name: 'q1', counts: {}, updatedAt: 1 } });
  b.flush();
  assert.equal(out.length, 6);
  assert.deepEqual(out.filter((e) => e.type === 'metric').map((e) => (e as { sample: { value: number } }).sample.value), [2, 3], 'one sample per series, the latest');
});

test('a removal replaces a pending upsert of the same entity (and the other way round)', () => {
  const { out, buffer } = recorder();
  const b = buffer();
  b.push(worker('w1', 'busy'));
  b.push({ type: 'worker.removed', connectionId: 'c', id: 'w1', at: 5 });
  b.push({ type: 'task.removed', connectionId: 'c', queue: 'q', id: 't1', at: 5 });
  b.push(task('t1', 'back'));
  b.flush();
  assert.deepEqual(out.map((e) => e.type), ['worker.removed', 'task.upsert']);
});

test('logs and generic events pass straight through, never buffered', () => {
  const { out, buffer } = recorder();
  const b = buffer();
  b.push(worker('w1', 'busy'));
  b.push(log('one'));
  b.push({ type: 'generic', connectionId: 'c', name: 'x', summary: 's', at: 1 });
  b.push(log('one'));
  assert.deepEqual(out.map((e) => e.type), ['log', 'generic', 'log'], 'duplicates of logs are not merged');
  assert.equal(b.size, 1);
});

test('order: surviving keys flush in the order they were last pushed', () => {
  const { out, buffer } = recorder();
  const b = buffer();
  b.push(worker('a', 'busy'));
  b.push(worker('b', 'busy'));
  b.push(worker('a', 'online')); // moves a behind b: its latest state is the newer one
  b.flush();
  assert.deepEqual(out.map((e) => (e as { worker: { id: string } }).worker.id), ['b', 'a']);
});

test('bounded: reaching maxPending distinct keys flushes at once', async () => {
  const { out, buffer } = recorder();
  const b = buffer(3);
  b.push(worker('a', 'busy'));
  b.push(worker('b', 'busy'));
  assert.equal(out.length, 0);
  b.push(worker('a', 'online')); // a merge does not grow the buffer
  assert.equal(out.length, 0);
  b.push(worker('c', 'busy'));
  assert.equal(out.length, 3, 'flushed at the bound');
  assert.equal(b.size, 0);
  for (let i = 0; i < 10_000; i++) { b.push(worker(`w${i}`, 'busy')); assert.ok(b.size < 3); }
  await tick();
  assert.equal(out.length, 3 + 10_000, 'every distinct key handed on once');
});

test('discard drops what is pending and cancels the scheduled flush', async () => {
  const { out, buffer } = recorder();
  const b = buffer();
  b.push(worker('a', 'busy'));
  b.discard();
  await tick();
  assert.equal(out.length, 0);
  b.push(worker('b', 'busy'));
  await tick();
  assert.equal(out.length, 1, 'usable after a discard');
  b.flush();
  assert.equal(out.length, 1, 'an empty flush emits nothing');
});

test('the entity key is handed on with each event, equal to eventEntityKey (the store does not compute it again)', async () => {
  const keyed: [MonitorEvent, string | undefined][] = [];
  const b = new LatestEventBuffer((e, key) => keyed.push([e, key]));
  b.push(task('t1', 'done'));
  b.push(sample('m', 1, { b: '2', a: '1' }));
  b.push(log('passes through without a key'));
  await tick();
  assert.deepEqual(keyed.map(([e, key]) => [e.type, key]), [['log', undefined], ['task.upsert', 'task:c:q:t1'], ['metric', 'c|m{a=1,b=2}']]);
  for (const [e, key] of keyed) assert.equal(key, eventEntityKey(e));
});

test('deferred owners are drained once at the flush, after what the tick pushed, so their aggregated state wins', async () => {
  const { out, buffer } = recorder();
  const b = buffer();
  let drains = 0;
  const owner = {
    drainInto(sink: EventSink) {
      drains++;
      sink.pushAggregated(worker('w1', 'busy', 5), 'worker:c:w1');
      sink.pushAggregated(task('t9', 'running'), 'task:c:q:t9');
    },
  };
  b.push(worker('w1', 'online', 1)); // older state of the same worker, pushed earlier in the tick
  b.defer(owner);
  b.defer(owner); // once per tick, however often it is asked
  b.push(task('t2', 'waiting'));
  assert.equal(out.length, 0);
  await tick();
  assert.equal(drains, 1);
  assert.deepEqual(out, [worker('w1', 'online', 1), task('t2', 'waiting'), worker('w1', 'busy', 5), task('t9', 'running')]);
  b.defer(owner);
  b.discard();
  await tick();
  assert.equal(drains, 1, 'a discarded buffer drains nobody');
});

test('collectInto drains a deferred owner at once (one-off mapping, tests)', () => {
  const out: MonitorEvent[] = [];
  const sink = collectInto(out);
  sink.push(log('a'));
  sink.defer({ drainInto: (s) => s.pushAggregated(task('t1', 'done'), 'task:c:q:t1') });
  assert.deepEqual(out, [log('a'), task('t1', 'done')]);
});

test('the entity key goes along with each flushed event, and is the key the store files it under', () => {
  const seen: [MonitorEvent, string | undefined][] = [];
  const b = new LatestEventBuffer((e, key) => seen.push([e, key]));
  b.push(task('t1', 'running', 'q'));
  b.push(worker('w1', 'busy'));
  b.push({ type: 'queue.removed', connectionId: 'c', name: 'q', at: 1 });
  b.push(sample('cpu', 1));
  b.flush();
  assert.deepEqual(seen.map(([, key]) => key), [taskKey('c', 'q', 't1'), workerKey('c', 'w1'), queueKey('c', 'q'), 'c|cpu{}'], 'a metric carries its series key');
  const store = new MonitorStore();
  const change = new MutableChangeSet();
  for (const [e, key] of seen) store.applyInto(e, change, key);
  assert.equal(store.task(taskKey('c', 'q', 't1'))?.status, 'running');
  assert.equal(store.worker(workerKey('c', 'w1'))?.status, 'busy');
  assert.deepEqual([...change.tasks], [taskKey('c', 'q', 't1')]);
});

test('everySample: metric samples pass straight through, every one kept, entities still merge', () => {
  const { out } = recorder();
  const b = new LatestEventBuffer((e) => out.push(e), 10_000, true);
  b.push(sample('cpu', 1));
  b.push(sample('cpu', 2));
  b.push(worker('w1', 'busy'));
  b.push(worker('w1', 'online'));
  assert.deepEqual(out.map((e) => (e as { sample: { value: number } }).sample.value), [1, 2], 'samples handed on at once, none merged');
  b.flush();
  assert.equal(out.length, 3);
  assert.equal(b.merged, 1);
});
