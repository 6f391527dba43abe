// The batched ingest path: MonitorStore.applyInto writes into a caller's change set (what MonitorSession does
// per event), MutableChangeSet creates its key sets on first use, and seriesKey's hand-rolled label join.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MonitorEvent } from '../../../src/core/model/events';
import { MutableChangeSet, type ChangeSet } from '../../../src/core/store/change-set';
import { DEFAULT_RETENTION, MonitorStore, seriesKey } from '../../../src/core/store/monitor-store';
import { aChange, ev, plainChange, T0 } from '../../fixtures/builders';

/** Every kind of event, with repeats (unchanged upserts), removals and task eviction at a cap of 3. */
const mixed: MonitorEvent[] = [
  ev.added('c1'), ev.state('c1', 'connected'), ev.rejected('c1'),
  ev.queue({ name: 'q', counts: { waiting: 1 } }), ev.queue({ name: 'q', counts: { waiting: 1 } }), ev.queue({ name: 'q', counts: { waiting: 2 } }),
  ev.worker({ id: 'w', status: 'online' }), ev.worker({ id: 'w', status: 'online' }), ev.worker({ id: 'w', status: 'busy' }),
  ev.workflow({ id: 'f' }), ev.task({ id: '1' }), ev.task({ id: '2' }), ev.task({ id: '3' }), ev.task({ id: '4' }), ev.task({ id: '1' }),
  ev.taskRemoved('c1', '3', 'emails'), ev.log(), ev.metric({ labels: { b: '2', a: '1' } }), ev.generic('c1'),
  ev.queueRemoved('c1', 'q'), ev.workerRemoved('c1', 'w'),
];

function state(store: MonitorStore): unknown {
  return {
    connections: store.connections(), queues: store.queues(), workers: store.workers(), workflows: store.workflows(), tasks: store.tasks(),
    logs: store.logs(), events: store.recentEvents(100), series: store.series().map((s) => [s.key, s.samples.toArray()]), retention: store.retention(),
  };
}

describe('MonitorStore.applyInto', () => {
  const small = { ...DEFAULT_RETENTION, maxTasks: 3 };

  test('into one change set, events change the store and report exactly what applyAll and apply do', () => {
    const batched = new MonitorStore(small);
    const change = new MutableChangeSet();
    for (const e of mixed) batched.applyInto(e, change);

    const all = new MonitorStore(small);
    const allChange = all.applyAll(mixed);
    const single = new MonitorStore(small);
    const merged = new MutableChangeSet();
    for (const e of mixed) merged.merge(single.apply(e));

    assert.deepEqual(plainChange(change), plainChange(allChange));
    assert.deepEqual(plainChange(change), plainChange(merged));
    assert.deepEqual(state(batched), state(all));
    assert.deepEqual(state(batched), state(single));
    // Spot-check the content, so the comparison cannot pass on three equally empty results.
    assert.deepEqual(plainChange(change), {
      connections: ['c1'], queues: ['queue:c1:q'], workers: ['worker:c1:w'], workflows: ['workflow:c1:f'],
      tasks: ['task:c1:emails:1', 'task:c1:emails:2', 'task:c1:emails:3', 'task:c1:emails:4'], logs: 1, metrics: 1,
      events: mixed.length - 2 /* the unchanged queue and worker repeats */ - 2 /* log and metric */,
    });
    assert.equal(batched.retention().tasksEvicted, 2); // 1 by task 4, then 2 by task 1's return
  });

  test('adds to what the change set already holds', () => {
    const store = new MonitorStore();
    store.apply(ev.added('c1'));
    const change = aChange({ connections: ['other'], logs: 2, events: 1 });
    store.applyInto(ev.task({ id: '9', queue: 'q' }), change);
    assert.deepEqual(plainChange(change), plainChange(aChange({ connections: ['other'], tasks: ['task:c1:q:9'], logs: 2, events: 2 })));
  });

  test('store.apply still returns a change set of its own for each event', () => {
    const store = new MonitorStore();
    store.apply(ev.added('c1'));
    const a = store.apply(ev.task({ id: 'a' }));
    const b = store.apply(ev.task({ id: 'b' }));
    assert.notEqual(a, b);
    assert.deepEqual([...a.tasks], ['task:c1:emails:a']);
    assert.deepEqual([...b.tasks], ['task:c1:emails:b']);
  });
});

describe('MutableChangeSet with key sets created on first use', () => {
  test('a fresh change set reads as empty sets and zero counters', () => {
    assert.deepEqual(plainChange(new MutableChangeSet()), { connections: [], queues: [], workers: [], workflows: [], tasks: [], logs: 0, metrics: 0, events: 0 });
  });

  test('the same set is returned on every access, so adds are kept', () => {
    const c = new MutableChangeSet();
    c.tasks.add('task:c1::1');
    c.tasks.add('task:c1::2');
    assert.equal(c.tasks, c.tasks);
    assert.deepEqual([...c.tasks], ['task:c1::1', 'task:c1::2']);
  });

  test('merges from another MutableChangeSet that used only some of its sets', () => {
    const into = aChange({ queues: ['queue:c1:a'] });
    const from = new MutableChangeSet();
    from.tasks.add('task:c1::x');
    from.metrics = 2;
    into.merge(from);
    assert.deepEqual(plainChange(into), plainChange(aChange({ queues: ['queue:c1:a'], tasks: ['task:c1::x'], metrics: 2 })));
  });

  test('merges from any ChangeSet, not only MutableChangeSet', () => {
    const plain: ChangeSet = {
      connections: new Set(['c2']), queues: new Set(), workers: new Set(['worker:c2:w']), workflows: new Set(), tasks: new Set(),
      logs: 1, metrics: 0, events: 3,
    };
    const into = new MutableChangeSet().merge(plain);
    assert.deepEqual(plainChange(into), plainChange(aChange({ connections: ['c2'], workers: ['worker:c2:w'], logs: 1, events: 3 })));
  });
});

describe('seriesKey', () => {
  const sample = (labels: Record<string, string>) => ({ connectionId: 'c', name: 'm', labels });
  test('no labels', () => assert.equal(seriesKey(sample({})), 'c|m{}'));
  test('one label', () => assert.equal(seriesKey(sample({ queue: 'high' })), 'c|m{queue=high}'));
  test('labels sorted by name, whatever their order', () => {
    assert.equal(seriesKey(sample({ status: 'ok', queue: 'q', a: '1' })), 'c|m{a=1,queue=q,status=ok}');
    assert.equal(seriesKey(sample({ a: '1', queue: 'q', status: 'ok' })), seriesKey(sample({ status: 'ok', a: '1', queue: 'q' })));
  });
  test('timestamps play no part', () => assert.equal(seriesKey({ ...sample({ x: 'y' }), timestamp: T0 } as never), 'c|m{x=y}'));
});
