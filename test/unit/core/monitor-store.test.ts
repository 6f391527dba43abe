// MonitorStore: what apply() changes and reports for every MonitorEvent type, connection health transitions,
// bounded retention (and its counters), removal of a connection with everything it owns, and selectors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { queueKey, taskKey, workerKey, workflowKey } from '../../../src/core/model/keys';
import type { MonitorEventType } from '../../../src/core/model/events';
import { DEFAULT_RETENTION, MonitorStore, seriesKey, type RetentionLimits } from '../../../src/core/store/monitor-store';
import { MutableChangeSet } from '../../../src/core/store/change-set';
import { aChange, aLog, aQueue, aTask, aWorker, ev, plainChange, T0 } from '../../fixtures/builders';

const limits = (overrides: Partial<RetentionLimits>): RetentionLimits => ({ ...DEFAULT_RETENTION, ...overrides });

/** A store with connection `c1` (and optionally more) already added. */
function storeWith(...connectionIds: string[]): MonitorStore {
  const store = new MonitorStore();
  for (const id of connectionIds.length ? connectionIds : ['c1']) store.apply(ev.added(id));
  return store;
}

describe('MonitorStore.apply: the ChangeSet for each event type', () => {
  // Every MonitorEvent variant, with the exact change it reports on a store holding connection c1.
  const cases: { type: MonitorEventType; setup?: (s: MonitorStore) => void; event: Parameters<MonitorStore['apply']>[0]; expected: ReturnType<typeof plainChange> }[] = [
    { type: 'connection.added', event: ev.added('c2'), expected: plainChange(aChange({ connections: ['c2'], events: 1 })) },
    { type: 'connection.removed', event: ev.removed('c1'), expected: plainChange(aChange({ connections: ['c1'], events: 1 })) },
    { type: 'connection.state', event: ev.state('c1', 'connecting'), expected: plainChange(aChange({ connections: ['c1'], events: 1 })) },
    { type: 'connection.rejected', event: ev.rejected('c1'), expected: plainChange(aChange({ connections: ['c1'], events: 1 })) },
    { type: 'connection.notice', event: { type: 'connection.notice', connectionId: 'c1', topic: 'workers', text: 'CLIENT LIST refused', at: 1 }, expected: plainChange(aChange({ connections: ['c1'], events: 1 })) },
    { type: 'queue.upsert', event: ev.queue({ name: 'emails' }), expected: plainChange(aChange({ queues: ['queue:c1:emails'], events: 1 })) },
    {
      type: 'queue.removed', setup: (s) => s.apply(ev.queue({ name: 'emails' })),
      event: ev.queueRemoved('c1', 'emails'), expected: plainChange(aChange({ queues: ['queue:c1:emails'], events: 1 })),
    },
    { type: 'worker.upsert', event: ev.worker({ id: 'w1' }), expected: plainChange(aChange({ workers: ['worker:c1:w1'], events: 1 })) },
    {
      type: 'worker.removed', setup: (s) => s.apply(ev.worker({ id: 'w1' })),
      event: ev.workerRemoved('c1', 'w1'), expected: plainChange(aChange({ workers: ['worker:c1:w1'], events: 1 })),
    },
    { type: 'workflow.upsert', event: ev.workflow({ id: 'wf1' }), expected: plainChange(aChange({ workflows: ['workflow:c1:wf1'], events: 1 })) },
    { type: 'task.upsert', event: ev.task({ id: '42', queue: 'emails' }), expected: plainChange(aChange({ tasks: ['task:c1:emails:42'], events: 1 })) },
    {
      type: 'task.removed', setup: (s) => s.apply(ev.task({ id: '42', queue: 'emails' })),
      event: ev.taskRemoved('c1', '42', 'emails'), expected: plainChange(aChange({ tasks: ['task:c1:emails:42'], events: 1 })),
    },
    // Logs and metrics are high-volume: counted, but kept out of the event stream.
    { type: 'log', event: ev.log(), expected: plainChange(aChange({ logs: 1 })) },
    { type: 'metric', event: ev.metric(), expected: plainChange(aChange({ metrics: 1 })) },
    { type: 'generic', event: ev.generic('c1'), expected: plainChange(aChange({ events: 1 })) },
  ];

  for (const c of cases) {
    test(`${c.type}`, () => {
      const store = storeWith('c1');
      c.setup?.(store);
      assert.deepEqual(plainChange(store.apply(c.event)), c.expected);
    });
  }

  test('the cases above cover every MonitorEvent type', () => {
    const covered = new Set(cases.map((c) => c.type));
    const all: Record<MonitorEventType, true> = {
      'connection.added': true, 'connection.removed': true, 'connection.state': true, 'connection.rejected': true, 'connection.notice': true,
      'queue.upsert': true, 'queue.removed': true, 'worker.upsert': true, 'worker.removed': true, 'workflow.upsert': true,
      'task.upsert': true, 'task.removed': true, log: true, metric: true, generic: true,
    };
    assert.deepEqual([...covered].sort(), Object.keys(all).sort());
  });

  test('a connection notice is kept per topic until cleared; a repeat changes nothing', () => {
    const store = storeWith('c1');
    const notice = (topic: 'workers' | 'queues', text?: string) => store.apply({ type: 'connection.notice', connectionId: 'c1', topic, text, at: 1 });
    notice('workers', 'CLIENT LIST refused');
    notice('queues', 'partial scan');
    assert.deepEqual(store.connection('c1')?.notices, { workers: 'CLIENT LIST refused', queues: 'partial scan' });
    assert.deepEqual(plainChange(notice('workers', 'CLIENT LIST refused')), plainChange(aChange({ events: 1 })), 'the same text again: no change');
    notice('workers');
    assert.deepEqual(store.connection('c1')?.notices, { queues: 'partial scan' });
  });

  test('applyAll merges the changes of every event', () => {
    const store = storeWith('c1');
    const change = store.applyAll([ev.queue({ name: 'a' }), ev.queue({ name: 'b' }), ev.worker({ id: 'w1' }), ev.log(), ev.log(), ev.metric()]);
    assert.deepEqual(plainChange(change), plainChange(aChange({ queues: ['queue:c1:a', 'queue:c1:b'], workers: ['worker:c1:w1'], logs: 2, metrics: 1, events: 3 })));
  });

  test('events for an unknown connection change nothing but are still recorded in the event stream', () => {
    const store = new MonitorStore();
    assert.deepEqual(plainChange(store.apply(ev.state('ghost', 'connected'))), plainChange(aChange({ events: 1 })));
    assert.deepEqual(plainChange(store.apply(ev.rejected('ghost'))), plainChange(aChange({ events: 1 })));
    assert.equal(store.connection('ghost'), undefined);
    assert.deepEqual(store.recentEvents(10).map((e) => e.type), ['connection.rejected', 'connection.state']);
  });

  test('removing what is not there reports no entity change', () => {
    const store = storeWith('c1');
    assert.deepEqual(plainChange(store.apply(ev.queueRemoved('c1', 'nope'))), plainChange(aChange({ events: 1 })));
    assert.deepEqual(plainChange(store.apply(ev.workerRemoved('c1', 'nope'))), plainChange(aChange({ events: 1 })));
    assert.deepEqual(plainChange(store.apply(ev.taskRemoved('c1', 'nope', 'emails'))), plainChange(aChange({ events: 1 })));
  });

  test('task.removed needs the same queue the task was stored under', () => {
    const store = storeWith('c1');
    store.apply(ev.task({ id: '42', queue: 'emails' }));
    assert.equal(store.apply(ev.taskRemoved('c1', '42', 'reports')).tasks.size, 0);
    assert.equal(store.apply(ev.taskRemoved('c1', '42')).tasks.size, 0);
    assert.ok(store.task(taskKey('c1', 'emails', '42')));
    assert.deepEqual([...store.apply(ev.taskRemoved('c1', '42', 'emails')).tasks], ['task:c1:emails:42']);
    assert.equal(store.task(taskKey('c1', 'emails', '42')), undefined);
  });

  test('tasks without a queue are keyed with an empty queue segment', () => {
    const store = storeWith('c1');
    const change = store.apply(ev.task({ id: 'x', queue: undefined }));
    assert.deepEqual([...change.tasks], ['task:c1::x']);
    assert.equal(store.task('task:c1::x')?.id, 'x');
  });
});

describe('MonitorStore: queues, workers and tasks report only real changes', () => {
  test('an identical queue upsert produces no queue change, but the newer copy is stored', () => {
    const store = storeWith('c1');
    store.apply(ev.queue({ counts: { waiting: 3, failed: 1 }, paused: false, version: 'bullmq:5.81.5', updatedAt: T0 }));
    const change = store.apply(ev.queue({ counts: { failed: 1, waiting: 3 }, paused: false, version: 'bullmq:5.81.5', updatedAt: T0 + 5_000 }));
    assert.equal(change.queues.size, 0);
    assert.equal(change.events, 0, 'a repeat is not recorded in the event stream');
    assert.equal(store.queue(queueKey('c1', 'emails'))?.updatedAt, T0 + 5_000);
  });

  const queueVariants: [string, Parameters<typeof aQueue>[0]][] = [
    ['a count changed', { counts: { waiting: 4, failed: 1 } }],
    ['a state appeared', { counts: { waiting: 3, failed: 1, active: 0 } }],
    ['a state was replaced by another', { counts: { waiting: 3, delayed: 1 } }],
    ['paused flipped', { counts: { waiting: 3, failed: 1 }, paused: true }],
    ['version changed', { counts: { waiting: 3, failed: 1 }, version: 'bullmq:6.7.0' }],
  ];
  for (const [what, overrides] of queueVariants) {
    test(`a queue upsert where ${what} is reported`, () => {
      const store = storeWith('c1');
      store.apply(ev.queue({ counts: { waiting: 3, failed: 1 }, paused: false, version: 'bullmq:5.81.5' }));
      const change = store.apply(ev.queue({ paused: false, version: 'bullmq:5.81.5', ...overrides }));
      assert.deepEqual([...change.queues], ['queue:c1:emails']);
    });
  }

  test('a worker upsert that only moves lastSeen/updatedAt is not reported; a status change is', () => {
    const store = storeWith('c1');
    store.apply(ev.worker({ id: 'w1', status: 'online', lastSeen: T0 }));
    assert.equal(store.apply(ev.worker({ id: 'w1', status: 'online', lastSeen: T0 + 1_000, updatedAt: T0 + 1_000 })).workers.size, 0);
    assert.equal(store.worker(workerKey('c1', 'w1'))?.lastSeen, T0 + 1_000);
    assert.deepEqual([...store.apply(ev.worker({ id: 'w1', status: 'busy' })).workers], ['worker:c1:w1']);
    assert.deepEqual([...store.apply(ev.worker({ id: 'w1', status: 'busy', currentTask: '7' })).workers], ['worker:c1:w1']);
    assert.deepEqual([...store.apply(ev.worker({ id: 'w1', status: 'busy', currentTask: '7', queue: 'emails' })).workers], ['worker:c1:w1']);
    assert.deepEqual([...store.apply(ev.worker({ id: 'w1', status: 'busy', currentTask: '7', queue: 'emails', detail: 'pid 4' })).workers], ['worker:c1:w1']);
  });

  test('a task upsert equal to the stored task is not a change and keeps the stored object', () => {
    const store = storeWith('c1');
    store.apply(ev.task({ id: '42', queue: 'emails', status: 'active', updatedAt: T0 }));
    const stored = store.task(taskKey('c1', 'emails', '42'));
    const events = store.eventCount();
    const change = store.apply(ev.task({ id: '42', queue: 'emails', status: 'active', updatedAt: T0 }));
    assert.equal(change.tasks.size, 0);
    assert.equal(change.events, 0, 'a repeat is not recorded in the event stream');
    assert.equal(store.eventCount(), events);
    assert.equal(store.task(taskKey('c1', 'emails', '42')), stored, 'the repeat does not replace the stored object');
  });

  const taskVariants: [string, Parameters<typeof aTask>[0]][] = [
    ['the status changed', { status: 'completed' }],
    ['updatedAt moved', { updatedAt: T0 + 1 }],
    ['a worker took it', { worker: 'w1' }],
    ['it finished', { finishedAt: T0 + 5 }],
    ['it failed again', { attempts: 2 }],
    ['an error appeared', { error: 'boom' }],
    ['its log grew', { logCount: 3 }],
    ['its resource use changed', { usage: { cpuPercent: 12, at: T0 + 2 } }],
  ];
  for (const [what, overrides] of taskVariants) {
    test(`a task upsert where ${what} is reported and stored`, () => {
      const store = storeWith('c1');
      store.apply(ev.task({ id: '42', queue: 'emails', status: 'active', updatedAt: T0, usage: { cpuPercent: 10, at: T0 } }));
      const change = store.apply(ev.task({ id: '42', queue: 'emails', status: 'active', updatedAt: T0, usage: { cpuPercent: 10, at: T0 }, ...overrides }));
      assert.deepEqual([...change.tasks], ['task:c1:emails:42']);
      assert.equal(change.events, 1);
      assert.deepEqual(store.task(taskKey('c1', 'emails', '42')), aTask({ id: '42', queue: 'emails', status: 'active', updatedAt: T0, usage: { cpuPercent: 10, at: T0 }, ...overrides }));
    });
  }

  test('an unchanged repeat does not make a task recent: eviction stays least recently updated first', () => {
    const store = new MonitorStore(limits({ maxTasks: 2 }));
    const up = (id: string, status: string) => store.apply({ type: 'task.upsert', task: { connectionId: 'c', system: 'generic', id, status, updatedAt: 1 } });
    up('a', 'done'); up('b', 'done');
    up('a', 'done'); // a poll repeating a: not an update
    up('c', 'done'); // evicts a, the least recently updated
    assert.deepEqual(store.tasks('c').map((t) => t.id).sort(), ['b', 'c']);
    up('b', 'failed'); // a real update makes b the newest
    up('d', 'done'); // evicts c
    assert.deepEqual(store.tasks('c').map((t) => t.id).sort(), ['b', 'd']);
  });

  test('every workflow upsert is reported (progress always changes what is shown)', () => {
    const store = storeWith('c1');
    store.apply(ev.workflow({ id: 'wf1', done: 1, total: 3 }));
    assert.deepEqual([...store.apply(ev.workflow({ id: 'wf1', done: 1, total: 3 })).workflows], ['workflow:c1:wf1']);
    assert.equal(store.workflow(workflowKey('c1', 'wf1'))?.done, 1);
  });
});

describe('MonitorStore: connection health', () => {
  test('connection.added starts idle with no rejected frames', () => {
    const store = new MonitorStore();
    store.apply(ev.added('prod', { name: 'Production', kind: 'websocket', system: 'nexus', readOnly: true, at: T0 + 7 }));
    assert.deepEqual(store.connection('prod'), {
      id: 'prod', name: 'Production', kind: 'websocket', system: 'nexus', readOnly: true, state: 'idle', since: T0 + 7, rejectedFrames: 0,
    });
  });

  test('`since` moves only when the state changes', () => {
    const store = storeWith('c1');
    store.apply(ev.state('c1', 'reconnecting', { error: 'ECONNREFUSED', retryInMs: 500, attempt: 2, at: T0 + 100 }));
    store.apply(ev.state('c1', 'reconnecting', { error: 'ECONNREFUSED', retryInMs: 1_000, attempt: 3, at: T0 + 900 }));
    const c = store.connection('c1');
    assert.equal(c?.state, 'reconnecting');
    assert.equal(c?.since, T0 + 100);
    assert.equal(c?.retryInMs, 1_000);
    assert.equal(c?.attempt, 3);
    store.apply(ev.state('c1', 'connecting', { at: T0 + 2_000 }));
    assert.equal(store.connection('c1')?.since, T0 + 2_000);
  });

  test('the last error is kept while not connected, replaced by a newer one, and cleared on connected', () => {
    const store = storeWith('c1');
    store.apply(ev.state('c1', 'reconnecting', { error: 'ECONNREFUSED', retryInMs: 500, attempt: 2 }));
    store.apply(ev.state('c1', 'connecting', { attempt: 2 }));
    assert.equal(store.connection('c1')?.error, 'ECONNREFUSED');
    assert.equal(store.connection('c1')?.retryInMs, undefined, 'retryInMs only applies while reconnecting');
    store.apply(ev.state('c1', 'reconnecting', { error: 'ETIMEDOUT', retryInMs: 1_000, attempt: 3 }));
    assert.equal(store.connection('c1')?.error, 'ETIMEDOUT');
    store.apply(ev.state('c1', 'connected', { error: 'ignored while connected' }));
    const c = store.connection('c1');
    assert.equal(c?.state, 'connected');
    assert.equal(c?.error, undefined);
    assert.equal(c?.attempt, undefined);
  });

  test('each rejected frame is counted and the count survives state changes', () => {
    const store = storeWith('c1');
    store.applyAll([ev.rejected('c1'), ev.rejected('c1', 'other'), ev.state('c1', 'connected'), ev.rejected('c1')]);
    assert.equal(store.connection('c1')?.rejectedFrames, 3);
  });

  test('re-adding a connection resets its health', () => {
    const store = storeWith('c1');
    store.applyAll([ev.state('c1', 'connected'), ev.rejected('c1')]);
    store.apply(ev.added('c1', { at: T0 + 50 }));
    assert.equal(store.connection('c1')?.state, 'idle');
    assert.equal(store.connection('c1')?.rejectedFrames, 0);
    assert.equal(store.connection('c1')?.since, T0 + 50);
  });
});

describe('MonitorStore: bounded retention', () => {
  test('tasks beyond maxTasks are evicted least-recently-updated first, counted and reported', () => {
    const store = new MonitorStore(limits({ maxTasks: 3 }));
    store.applyAll([ev.task({ id: '1' }), ev.task({ id: '2' }), ev.task({ id: '3' })]);
    // Touching task 1 makes task 2 the least recently updated.
    store.apply(ev.task({ id: '1', status: 'active' }));
    const change = store.apply(ev.task({ id: '4' }));
    assert.deepEqual([...change.tasks].sort(), ['task:c1:emails:2', 'task:c1:emails:4']);
    assert.deepEqual(store.tasks().map((t) => t.id), ['3', '1', '4']);
    assert.equal(store.retention().tasksEvicted, 1);
    store.applyAll([ev.task({ id: '5' }), ev.task({ id: '6' })]);
    assert.deepEqual(store.tasks().map((t) => t.id), ['4', '5', '6']);
    assert.equal(store.retention().tasksEvicted, 3);
  });

  test('re-upserting a task at the limit evicts nothing', () => {
    const store = new MonitorStore(limits({ maxTasks: 2 }));
    store.applyAll([ev.task({ id: '1' }), ev.task({ id: '2' }), ev.task({ id: '1', status: 'completed' })]);
    assert.equal(store.retention().tasksEvicted, 0);
    assert.deepEqual(store.tasks().map((t) => [t.id, t.status]), [['2', 'waiting'], ['1', 'completed']]);
  });

  test('logs keep the newest maxLogs and count what was overwritten', () => {
    const store = new MonitorStore(limits({ maxLogs: 3 }));
    for (let i = 1; i <= 5; i++) store.apply(ev.log({ message: `m${i}` }));
    assert.deepEqual(store.logs().map((l) => l.message), ['m3', 'm4', 'm5']);
    assert.equal(store.retention().logsOverwritten, 2);
  });

  test('the event stream keeps the newest maxEvents (logs and metrics excluded) and counts overwrites', () => {
    const store = new MonitorStore(limits({ maxEvents: 2 }));
    store.applyAll([ev.added('c1'), ev.log(), ev.metric(), ev.generic('c1', 'a'), ev.generic('c1', 'b'), ev.generic('c1', 'c')]);
    assert.deepEqual(store.recentEvents(10).map((e) => (e.type === 'generic' ? e.name : e.type)), ['c', 'b']);
    assert.deepEqual(store.recentEvents(1).map((e) => (e.type === 'generic' ? e.name : e.type)), ['c']);
    assert.equal(store.retention().eventsOverwritten, 2);
  });

  test('new metric series beyond maxSeries are refused and counted; existing series still take samples', () => {
    const store = new MonitorStore(limits({ maxSeries: 2, maxSamplesPerSeries: 2 }));
    assert.equal(store.apply(ev.metric({ name: 'a', value: 1 })).metrics, 1);
    assert.equal(store.apply(ev.metric({ name: 'b', value: 1 })).metrics, 1);
    assert.equal(store.apply(ev.metric({ name: 'c', value: 1 })).metrics, 0);
    assert.equal(store.apply(ev.metric({ name: 'd', value: 1 })).metrics, 0);
    assert.equal(store.retention().seriesRefused, 2);
    assert.equal(store.apply(ev.metric({ name: 'a', value: 2, timestamp: T0 + 1 })).metrics, 1);
    assert.equal(store.apply(ev.metric({ name: 'a', value: 3, timestamp: T0 + 2 })).metrics, 1);
    assert.deepEqual(store.series().map((s) => s.name), ['a', 'b']);
    const a = store.series().find((s) => s.name === 'a');
    assert.deepEqual(a?.samples.toArray(), [[T0 + 1, 2], [T0 + 2, 3]], 'samples per series are capped too');
    assert.equal(a?.samples.overwritten, 1);
  });

  test('label-less series at the cap: held ones take samples with or without their key, new ones are refused per sample', () => {
    const store = new MonitorStore(limits({ maxSeries: 1 }));
    const change = new MutableChangeSet();
    store.applyInto(ev.metric({ name: 'held', value: 1 }), change);
    store.applyInto(ev.metric({ name: 'held', value: 2, timestamp: T0 + 1 }), change, 'c1|held{}');
    store.applyInto(ev.metric({ name: 'held', value: 3, timestamp: T0 + 2 }), change);
    for (const name of ['new', 'new', 'other']) store.applyInto(ev.metric({ name }), change);
    store.applyInto(ev.metric({ name: 'held', labels: { queue: 'q' } }), change);
    assert.equal(change.metrics, 3);
    assert.equal(store.retention().seriesRefused, 4);
    assert.deepEqual(store.series().map((s) => [s.key, s.samples.toArray().map(([, v]) => v)]), [['c1|held{}', [1, 2, 3]]]);
  });

  test('a label-less series that left the store (task evicted, connection removed) is not found again by its name', () => {
    const cpu = (task: string, value: number) => ev.metric({ connectionId: 'p', name: 'cpu', value, task: { queue: 'tasks', id: task } });
    const store = new MonitorStore(limits({ maxSeries: 1, maxTaskSeries: 1 }));
    store.applyAll([ev.added('p'), cpu('a', 1), cpu('b', 2)]); // b's series (the same key: no labels) is a's, kept
    store.apply(ev.metric({ connectionId: 'p', name: 'mem', value: 3, task: { queue: 'tasks', id: 'b' } }));
    store.apply(ev.task({ connectionId: 'p', queue: 'tasks', id: 'b' }));
    store.apply({ type: 'task.removed', connectionId: 'p', queue: 'tasks', id: 'b', at: T0 });
    store.apply(ev.metric({ connectionId: 'p', name: 'mem', value: 4 }));
    assert.deepEqual(store.series().map((s) => [s.name, s.samples.toArray().map(([, v]) => v)]), [['mem', [4]]], 'a fresh series, not the removed one');
    store.apply(ev.removed('p'));
    store.apply(ev.added('p'));
    store.apply(ev.metric({ connectionId: 'p', name: 'mem', value: 5 }));
    assert.deepEqual(store.series().map((s) => [s.name, s.samples.toArray().map(([, v]) => v)]), [['mem', [5]]]);
  });

  test('a fresh store reports no retention hits', () => {
    assert.deepEqual(new MonitorStore().retention(), { tasksEvicted: 0, logsOverwritten: 0, eventsOverwritten: 0, seriesRefused: 0 });
  });

  test('series are keyed by connection, name and labels regardless of label order', () => {
    assert.equal(seriesKey({ connectionId: 'c1', name: 'm', labels: { b: '2', a: '1' } }), 'c1|m{a=1,b=2}');
    assert.equal(seriesKey({ connectionId: 'c1', name: 'm', labels: {} }), 'c1|m{}');
    const store = new MonitorStore();
    store.applyAll([ev.metric({ labels: { queue: 'q', state: 'failed' } }), ev.metric({ labels: { state: 'failed', queue: 'q' } })]);
    assert.equal(store.series().length, 1);
    assert.equal(store.series()[0]?.samples.size, 2);
  });
});

describe('MonitorStore: removing a connection', () => {
  test('removes its queues, workers, workflows, tasks and series and reports each key; others are untouched', () => {
    const store = storeWith('c1', 'c2');
    for (const c of ['c1', 'c2']) {
      store.applyAll([
        ev.queue({ connectionId: c, name: 'emails' }), ev.queue({ connectionId: c, name: 'reports' }),
        ev.worker({ connectionId: c, id: 'w1' }), ev.workflow({ connectionId: c, id: 'wf1' }),
        ev.task({ connectionId: c, id: '1' }), ev.task({ connectionId: c, id: '2', queue: undefined }),
        ev.metric({ connectionId: c }),
      ]);
    }
    const change = store.apply(ev.removed('c1'));
    assert.deepEqual(plainChange(change), plainChange(aChange({
      connections: ['c1'],
      queues: ['queue:c1:emails', 'queue:c1:reports'],
      workers: ['worker:c1:w1'],
      workflows: ['workflow:c1:wf1'],
      tasks: ['task:c1::2', 'task:c1:emails:1'],
      events: 1,
    })));
    assert.deepEqual(store.connections().map((c) => c.id), ['c2']);
    assert.deepEqual(store.queues().map((q) => q.connectionId), ['c2', 'c2']);
    assert.deepEqual(store.workers().map((w) => w.connectionId), ['c2']);
    assert.deepEqual(store.workflows().map((w) => w.connectionId), ['c2']);
    assert.deepEqual(store.tasks().map((t) => t.connectionId), ['c2', 'c2']);
    assert.deepEqual(store.series().map((s) => s.connectionId), ['c2']);
  });

  test('a connection id that is a prefix of another does not take the other one along', () => {
    const store = storeWith('prod', 'prod-eu');
    store.applyAll([ev.queue({ connectionId: 'prod', name: 'q' }), ev.queue({ connectionId: 'prod-eu', name: 'q' })]);
    const change = store.apply(ev.removed('prod'));
    assert.deepEqual([...change.queues], ['queue:prod:q']);
    assert.deepEqual(store.queues().map((q) => q.connectionId), ['prod-eu']);
  });

  test('removing an unknown connection reports nothing but the event', () => {
    const store = storeWith('c1');
    assert.deepEqual(plainChange(store.apply(ev.removed('ghost'))), plainChange(aChange({ events: 1 })));
  });

  test('a removed connection no longer counts towards the series cap', () => {
    const store = new MonitorStore(limits({ maxSeries: 1 }));
    store.applyAll([ev.added('c1'), ev.added('c2'), ev.metric({ connectionId: 'c1' })]);
    assert.equal(store.apply(ev.metric({ connectionId: 'c2' })).metrics, 0);
    store.apply(ev.removed('c1'));
    assert.equal(store.apply(ev.metric({ connectionId: 'c2' })).metrics, 1);
  });
});

describe('MonitorStore: selectors', () => {
  function twoConnections(): MonitorStore {
    const store = storeWith('c1', 'c2');
    store.applyAll([
      ev.queue({ connectionId: 'c1', name: 'a' }), ev.queue({ connectionId: 'c2', name: 'b' }),
      ev.worker({ connectionId: 'c1', id: 'w1' }), ev.worker({ connectionId: 'c2', id: 'w2' }),
      ev.workflow({ connectionId: 'c2', id: 'wf' }),
      ev.task({ connectionId: 'c1', id: '1', queue: 'a' }), ev.task({ connectionId: 'c1', id: '2', queue: 'x' }),
      ev.task({ connectionId: 'c2', id: '3', queue: 'a' }),
    ]);
    return store;
  }

  test('queues, workers, workflows and tasks filter by connection', () => {
    const store = twoConnections();
    assert.deepEqual(store.queues('c1').map((q) => q.name), ['a']);
    assert.deepEqual(store.queues('c2').map((q) => q.name), ['b']);
    assert.deepEqual(store.queues().map((q) => q.name), ['a', 'b']);
    assert.deepEqual(store.workers('c2').map((w) => w.id), ['w2']);
    assert.deepEqual(store.workflows('c1'), []);
    assert.deepEqual(store.workflows('c2').map((w) => w.id), ['wf']);
    assert.deepEqual(store.tasks('c1').map((t) => t.id), ['1', '2']);
    assert.deepEqual(store.tasks().map((t) => t.id), ['1', '2', '3']);
    assert.deepEqual(store.queues('nope'), []);
  });

  test('tasks filter by connection and queue together', () => {
    const store = twoConnections();
    assert.deepEqual(store.tasks('c1', 'a').map((t) => t.id), ['1']);
    assert.deepEqual(store.tasks(undefined, 'a').map((t) => t.id), ['1', '3']);
    assert.deepEqual(store.tasks('c2', 'x'), []);
  });

  test('lookups by key return the stored entity', () => {
    const store = twoConnections();
    assert.deepEqual(store.queue(queueKey('c2', 'b')), aQueue({ connectionId: 'c2', name: 'b' }));
    assert.deepEqual(store.worker(workerKey('c1', 'w1')), aWorker({ connectionId: 'c1', id: 'w1' }));
    assert.deepEqual(store.task(taskKey('c2', 'a', '3')), aTask({ connectionId: 'c2', id: '3', queue: 'a' }));
    assert.equal(store.queue(queueKey('c1', 'b')), undefined);
  });

  test('selectors return copies: mutating the returned array does not change the store', () => {
    const store = twoConnections();
    store.queues().length = 0;
    store.logs().push(aLog());
    store.connections().pop();
    assert.equal(store.queues().length, 2);
    assert.equal(store.logs().length, 0);
    assert.equal(store.connections().length, 2);
  });
});

test('task eviction stays least-recently-updated first under churn (re-upserted tasks move to the back)', () => {
  const store = new MonitorStore({ ...DEFAULT_RETENTION, maxTasks: 3 });
  const up = (id: string, at: number) => store.apply({ type: 'task.upsert', task: { connectionId: 'c', system: 'generic', id, status: 's', updatedAt: at } });
  up('a', 1); up('b', 2); up('c', 3);
  up('d', 4); // evicts a
  up('b', 5); // b is now newest
  up('e', 6); // evicts c
  up('f', 7); // evicts d
  assert.deepEqual(store.tasks('c').map((t) => t.id).sort(), ['b', 'e', 'f']);
  store.apply({ type: 'task.removed', connectionId: 'c', id: 'e', at: 8 });
  up('g', 9); up('h', 10); // evicts b
  assert.deepEqual(store.tasks('c').map((t) => t.id).sort(), ['f', 'g', 'h']);
  for (let i = 0; i < 50_000; i++) up(`x${i % 7_000}`, 11 + i);
  assert.deepEqual(store.tasks('c').map((t) => t.id).sort(), ['x997', 'x998', 'x999']);
});

describe('MonitorStore.setLimits: new retention bounds apply at once', () => {
  test('lower bounds drop the least recently updated tasks, the oldest events and log lines, counted as on arrival', () => {
    const store = storeWith();
    for (let i = 0; i < 10; i++) store.apply(ev.task({ id: `t${i}`, queue: 'q', updatedAt: T0 + i }));
    store.apply(ev.task({ id: 't0', queue: 'q', updatedAt: T0 + 99, status: 'completed' })); // t0 is now the newest
    for (let i = 0; i < 5; i++) store.apply(ev.log({ message: `line ${i}` }));
    const change = new MutableChangeSet();
    store.setLimits(limits({ maxTasks: 4, maxEvents: 3, maxLogs: 2 }), change);
    assert.deepEqual(store.tasks().map((t) => t.id).sort(), ['t0', 't7', 't8', 't9']);
    assert.deepEqual([...change.tasks].sort(), ['task:c1:q:t1', 'task:c1:q:t2', 'task:c1:q:t3', 'task:c1:q:t4', 'task:c1:q:t5', 'task:c1:q:t6']);
    assert.deepEqual(store.logs().map((l) => l.message), ['line 3', 'line 4']);
    assert.equal(store.recentEvents(10).length, 3);
    assert.ok(change.logs > 0 && change.events > 0);
    assert.deepEqual({ ...store.retention() }, { tasksEvicted: 6, logsOverwritten: 3, eventsOverwritten: 9, seriesRefused: 0 }, 'twelve events (logs are not events), three kept');
    // And they hold for what comes next.
    store.apply(ev.task({ id: 'new', queue: 'q', updatedAt: T0 + 100 }));
    assert.equal(store.tasks().length, 4);
    assert.equal(store.limits.maxTasks, 4);
  });

  test('higher bounds keep everything and make room for more', () => {
    const store = new MonitorStore(limits({ maxTasks: 100, maxLogs: 1_000 }));
    store.apply(ev.added('c1'));
    for (let i = 0; i < 150; i++) store.apply(ev.task({ id: `t${i}`, queue: 'q' }));
    assert.equal(store.tasks().length, 100);
    store.setLimits(limits({ maxTasks: 200, maxLogs: 5_000 }), new MutableChangeSet());
    for (let i = 150; i < 300; i++) store.apply(ev.task({ id: `t${i}`, queue: 'q' }));
    assert.equal(store.tasks().length, 200);
    for (let i = 0; i < 2_000; i++) store.apply(ev.log({ message: `l${i}` }));
    assert.equal(store.logs().length, 2_000);
  });

  test('series: a lower cap drops the oldest series that name no task; a lower per-task budget evicts whole tasks', () => {
    const store = storeWith();
    for (const name of ['a', 'b', 'c', 'd']) store.apply(ev.metric({ name }));
    const cpu = (task: string, name: string) => ev.metric({ name, labels: { task }, task: { queue: 'tasks', id: task } });
    store.applyAll([ev.task({ id: 'x', queue: 'tasks' }), cpu('x', 'cpu'), cpu('x', 'mem'), ev.task({ id: 'y', queue: 'tasks' }), cpu('y', 'cpu'), cpu('y', 'mem')]);
    const change = new MutableChangeSet();
    store.setLimits(limits({ maxSeries: 2, maxTaskSeries: 2 }), change);
    assert.deepEqual(store.series().filter((s) => ['a', 'b', 'c', 'd'].includes(s.name)).map((s) => s.name), ['c', 'd']);
    assert.deepEqual(store.series().filter((s) => s.name === 'cpu' || s.name === 'mem').map((s) => `${s.name}:${s.labels['task']}`), ['cpu:y', 'mem:y'], 'the task sampled longest ago went whole');
    assert.equal(store.retention().taskSeriesEvicted, 2);
    assert.ok(change.metrics > 0);
  });
});
