// The generic MQTT mapping (src/sources/mqtt/generic.ts `GenericJsonMapper`): what one message maps to, and the
// per-drain aggregation of workers (one object per worker overwritten in place until the sink drains it, then
// handed on once with its store key; never touched again after that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GenericJsonMapper } from '../../../src/sources/mqtt/generic';
import { collectInto, LatestEventBuffer } from '../../../src/sources/latest-event-buffer';
import { eventEntityKey } from '../../../src/core/store/monitor-store';
import type { MonitorEvent } from '../../../src/core/model/events';

const NOW = 1_750_000_000_000;

test('one message: a task, its worker and a metric sample, as before', () => {
  const mapper = new GenericJsonMapper('g', { taskId: 'job.id', status: 'job.state', worker: 'host', queue: 'q', name: 'kind', error: 'err.msg', metricValue: 'value', timestamp: 'ts' });
  const out: MonitorEvent[] = [];
  const n = mapper.map({ job: { id: 7, state: 'running' }, host: 'w-1', q: 'email', kind: 'send', err: { msg: 'boom' }, value: '2.5', ts: 1_700_000_000 }, 'a/b', NOW, collectInto(out));
  assert.equal(n, 3);
  const at = 1_700_000_000_000;
  assert.deepEqual(out, [
    { type: 'task.upsert', task: { connectionId: 'g', system: 'generic', id: '7', status: 'running', queue: 'email', name: 'send', worker: 'w-1', error: 'boom', updatedAt: at } },
    { type: 'worker.upsert', worker: { connectionId: 'g', system: 'generic', id: 'w-1', status: 'online', lastSeen: at, queue: 'email', currentTask: '7', updatedAt: at } },
    { type: 'metric', sample: { connectionId: 'g', system: 'generic', name: 'a/b', labels: { queue: 'email' }, timestamp: at, value: 2.5 } },
  ]);
  assert.equal(mapper.pendingWorkerCount, 0, 'a sink without a tick drains at once');
});

test('worker status from its own field, unknown statuses, missing fields, metric names from a field', () => {
  const mapper = new GenericJsonMapper('g', { worker: 'w', workerStatus: 'ws', metricName: 'm', metricValue: 'v' });
  const out: MonitorEvent[] = [];
  assert.equal(mapper.map({ w: 'a', ws: 'BUSY', m: 'temp', v: 3 }, 't', NOW, collectInto(out)), 2);
  assert.equal(mapper.map({ w: 'b', ws: 'dancing' }, 't', NOW, collectInto(out)), 1);
  assert.equal(mapper.map({ other: 1 }, 't', NOW, collectInto(out)), 0, 'nothing mapped: kept as a generic event by the source');
  const workers = out.filter((e): e is Extract<MonitorEvent, { type: 'worker.upsert' }> => e.type === 'worker.upsert').map((e) => [e.worker.id, e.worker.status]);
  assert.deepEqual(workers, [['a', 'busy'], ['b', 'unknown']]);
  const metric = out.find((e): e is Extract<MonitorEvent, { type: 'metric' }> => e.type === 'metric')!;
  assert.equal(metric.sample.name, 'temp');
  assert.deepEqual(metric.sample.labels, {});
});

test('long values are cut to their limits; values at the limit are kept whole', () => {
  const mapper = new GenericJsonMapper('g', { taskId: 'id', status: 's', worker: 'w', queue: 'q', name: 'n', error: 'e', metricName: 'm', metricValue: 'v' });
  const long = (c: string, n: number) => c.repeat(n);
  const out: MonitorEvent[] = [];
  mapper.map({ id: long('i', 600), s: long('s', 70), w: long('w', 600), q: long('q', 300), n: long('n', 300), e: long('e', 2_100), m: long('m', 300), v: 1 }, 't', NOW, collectInto(out));
  mapper.map({ id: long('i', 512), s: long('s', 64), w: long('x', 512), q: long('q', 256), n: long('n', 256), e: long('e', 2_000), m: long('m', 256), v: 1 }, 't', NOW, collectInto(out));
  const lengths = out.map((e) => {
    if (e.type === 'task.upsert') return ['task', e.task.id.length, e.task.status.length, e.task.queue?.length, e.task.name?.length, e.task.worker?.length, e.task.error?.length];
    if (e.type === 'worker.upsert') return ['worker', e.worker.id.length, e.worker.queue?.length, e.worker.currentTask?.length];
    return e.type === 'metric' ? ['metric', e.sample.name.length] : [e.type];
  });
  assert.deepEqual(lengths, [
    ['task', 512, 64, 256, 256, 512, 2_000], ['worker', 512, 256, 512], ['metric', 256],
    ['task', 512, 64, 256, 256, 512, 2_000], ['worker', 512, 256, 512], ['metric', 256],
  ]);
});

test('a worker named by many messages of one tick is handed on once, with the latest values and its key', () => {
  const emitted: { event: MonitorEvent; key: string | undefined }[] = [];
  const buffer = new LatestEventBuffer((event, key) => emitted.push({ event, key }), 10_000, true);
  const mapper = new GenericJsonMapper('g', { taskId: 'id', status: 'state', worker: 'worker' });
  for (let i = 0; i < 100; i++) mapper.map({ id: `t${i}`, state: 'running', worker: `w-${i % 3}` }, 'x', NOW + i, buffer);
  assert.equal(mapper.pendingWorkerCount, 3);
  assert.equal(emitted.length, 0, 'nothing before the tick');
  buffer.flush();
  assert.equal(mapper.pendingWorkerCount, 0);
  const workers = emitted.filter((e) => e.event.type === 'worker.upsert');
  assert.equal(workers.length, 3);
  assert.equal(emitted.filter((e) => e.event.type === 'task.upsert').length, 100);
  for (const { event, key } of emitted) assert.equal(key, eventEntityKey(event), 'every event carries its store key');
  const w0 = workers.find((e) => e.event.type === 'worker.upsert' && e.event.worker.id === 'w-0')!.event as Extract<MonitorEvent, { type: 'worker.upsert' }>;
  assert.deepEqual(w0.worker, { connectionId: 'g', system: 'generic', id: 'w-0', status: 'online', lastSeen: NOW + 99, queue: undefined, currentTask: 't99', updatedAt: NOW + 99 });
  // After the drain the handed-on object is the store's: a later message makes a new one.
  mapper.map({ id: 'late', state: 'done', worker: 'w-0' }, 'x', NOW + 500, buffer);
  buffer.flush();
  assert.equal(w0.worker.currentTask, 't99', 'a drained worker is never written again');
  const late = emitted.at(-1)!.event as Extract<MonitorEvent, { type: 'worker.upsert' }>;
  assert.equal(late.worker.currentTask, 'late');
  assert.notEqual(late.worker, w0.worker);
});

test('pending workers are bounded: at 10 000 distinct ones they are handed on at once', () => {
  const emitted: MonitorEvent[] = [];
  const buffer = new LatestEventBuffer((event) => emitted.push(event), 100_000, true);
  const mapper = new GenericJsonMapper('g', { worker: 'worker' });
  for (let i = 0; i < 10_000; i++) mapper.map({ worker: `w-${i}` }, 'x', NOW, buffer);
  assert.equal(mapper.pendingWorkerCount, 0, 'drained into the buffer at the bound');
  mapper.map({ worker: 'one-more' }, 'x', NOW, buffer);
  assert.equal(mapper.pendingWorkerCount, 1);
  buffer.flush();
  assert.equal(emitted.length, 10_001);
  assert.equal(new Set(emitted.map((e) => (e.type === 'worker.upsert' ? e.worker.id : ''))).size, 10_001);
});
