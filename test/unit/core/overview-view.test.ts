// The Overview view-model: snapshot totals and per-connection counters, and deltas that carry only what changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { buildOverviewDelta, buildOverviewSnapshot, toQueueSummary } from '../../../src/core/views/overview-view';
import { OverviewFeed } from '../../../src/core/views/overview-feed';
import { MutableChangeSet } from '../../../src/core/store/change-set';
import { aChange, aQueue, ev, T0 } from '../../fixtures/builders';

/** Two connections: prod (2 queues, 3 workers of which 2 online) and dev (1 queue, 1 stale worker). */
function fixture(): MonitorStore {
  const store = new MonitorStore();
  store.applyAll([
    ev.added('prod', { name: 'Production', readOnly: true }), ev.added('dev'),
    ev.state('prod', 'connected', { at: T0 + 1 }), ev.state('dev', 'reconnecting', { error: 'ECONNREFUSED', retryInMs: 500, attempt: 2, at: T0 + 2 }),
    ev.queue({ connectionId: 'prod', name: 'reports', counts: { waiting: 2, failed: 1 } }),
    ev.queue({ connectionId: 'prod', name: 'emails', counts: { waiting: 10, active: 3 }, paused: true, version: 'bullmq:5.81.5' }),
    ev.queue({ connectionId: 'dev', name: 'emails', counts: { waiting: 1, 'custom-state': 4 } }),
    ev.worker({ connectionId: 'prod', id: 'w1', status: 'online' }), ev.worker({ connectionId: 'prod', id: 'w2', status: 'busy' }),
    ev.worker({ connectionId: 'prod', id: 'w3', status: 'offline' }), ev.worker({ connectionId: 'dev', id: 'w4', status: 'stale' }),
  ]);
  return store;
}

describe('buildOverviewSnapshot', () => {
  test('queues are summarized and sorted by connection, then name', () => {
    const snap = buildOverviewSnapshot(fixture(), T0 + 9);
    assert.deepEqual(snap.queues, [
      { key: 'queue:dev:emails', connectionId: 'dev', system: 'bullmq', name: 'emails', counts: { waiting: 1, 'custom-state': 4 }, paused: false, version: undefined },
      { key: 'queue:prod:emails', connectionId: 'prod', system: 'bullmq', name: 'emails', counts: { waiting: 10, active: 3 }, paused: true, version: 'bullmq:5.81.5' },
      { key: 'queue:prod:reports', connectionId: 'prod', system: 'bullmq', name: 'reports', counts: { waiting: 2, failed: 1 }, paused: false, version: undefined },
    ]);
  });

  test('totals sum each state over all queues and count online workers (not offline, not stale)', () => {
    const snap = buildOverviewSnapshot(fixture(), T0 + 9);
    assert.deepEqual(snap.totals, { queues: 3, workersOnline: 2, byState: { waiting: 13, active: 3, failed: 1, 'custom-state': 4 } });
  });

  test('each connection carries its health, queue count and online workers', () => {
    const snap = buildOverviewSnapshot(fixture(), T0 + 9);
    assert.deepEqual(snap.connections, [
      { id: 'prod', name: 'Production', kind: 'redis', system: 'bullmq', readOnly: true, state: 'connected', since: T0 + 1, rejectedFrames: 0, error: undefined, retryInMs: undefined, attempt: undefined, queueCount: 2, workersOnline: 2 },
      { id: 'dev', name: 'dev', kind: 'redis', system: 'bullmq', readOnly: false, state: 'reconnecting', since: T0 + 2, rejectedFrames: 0, error: 'ECONNREFUSED', retryInMs: 500, attempt: 2, queueCount: 1, workersOnline: 0 },
    ]);
  });

  test('carries the retention report and the time it was generated', () => {
    const snap = buildOverviewSnapshot(fixture(), T0 + 9);
    assert.equal(snap.generatedAt, T0 + 9);
    assert.deepEqual(snap.retention, { tasksEvicted: 0, logsOverwritten: 0, eventsOverwritten: 0, seriesRefused: 0 });
  });

  test('an empty store gives an empty, well-formed snapshot', () => {
    assert.deepEqual(buildOverviewSnapshot(new MonitorStore(), T0), {
      connections: [], queues: [], totals: { queues: 0, workersOnline: 0, byState: {} },
      retention: { tasksEvicted: 0, logsOverwritten: 0, eventsOverwritten: 0, seriesRefused: 0 }, generatedAt: T0,
    });
  });

  test('snapshots are plain data that survive JSON', () => {
    const snap = buildOverviewSnapshot(fixture(), T0);
    assert.deepEqual(JSON.parse(JSON.stringify(snap)).totals, snap.totals);
  });
});

describe('toQueueSummary', () => {
  test('defaults paused to false and keys the queue', () => {
    assert.deepEqual(toQueueSummary(aQueue({ connectionId: 'c', name: 'n', counts: { waiting: 1 } })), {
      key: 'queue:c:n', connectionId: 'c', system: 'bullmq', name: 'n', counts: { waiting: 1 }, paused: false, version: undefined,
    });
  });
});

describe('buildOverviewDelta', () => {
  const unrelated: [string, ReturnType<typeof aChange>][] = [
    ['an empty change', aChange()],
    ['logs only', aChange({ logs: 5 })],
    ['metrics only', aChange({ metrics: 2 })],
    ['events only', aChange({ events: 3 })],
    ['tasks only', aChange({ tasks: ['task:prod:emails:1'] })],
    ['workflows only', aChange({ workflows: ['workflow:prod:wf'] })],
  ];
  for (const [what, change] of unrelated) {
    test(`is undefined for ${what}`, () => assert.equal(buildOverviewDelta(fixture(), change, T0), undefined));
  }

  test('a queue upsert carries that queue and its connection, plus fresh totals', () => {
    const store = fixture();
    const change = store.apply(ev.queue({ connectionId: 'prod', name: 'reports', counts: { waiting: 5, failed: 1 } }));
    const delta = buildOverviewDelta(store, change, T0 + 50);
    assert.deepEqual(Object.keys(delta ?? {}).sort(), ['connections', 'generatedAt', 'queues', 'retention', 'totals']);
    assert.deepEqual(delta?.queues, [{ key: 'queue:prod:reports', connectionId: 'prod', system: 'bullmq', name: 'reports', counts: { waiting: 5, failed: 1 }, paused: false, version: undefined }]);
    assert.deepEqual(delta?.connections?.map((c) => [c.id, c.queueCount]), [['prod', 2]]);
    assert.deepEqual(delta?.totals.byState, { waiting: 16, active: 3, failed: 1, 'custom-state': 4 });
    assert.equal(delta?.generatedAt, T0 + 50);
  });

  test('a worker change carries only its connection with the new online count', () => {
    const store = fixture();
    const change = store.apply(ev.worker({ connectionId: 'dev', id: 'w4', status: 'online' }));
    const delta = buildOverviewDelta(store, change, T0);
    assert.deepEqual(delta?.connections?.map((c) => [c.id, c.workersOnline]), [['dev', 1]]);
    assert.equal(delta?.queues, undefined);
    assert.equal(delta?.removedQueues, undefined);
    assert.equal(delta?.removedConnections, undefined);
    assert.equal(delta?.totals.workersOnline, 3);
  });

  test('a connection state change carries that connection', () => {
    const store = fixture();
    const delta = buildOverviewDelta(store, store.apply(ev.state('dev', 'connected')), T0);
    assert.deepEqual(delta?.connections?.map((c) => [c.id, c.state, c.error]), [['dev', 'connected', undefined]]);
  });

  test('a removed queue is listed by key and its connection is refreshed', () => {
    const store = fixture();
    const delta = buildOverviewDelta(store, store.apply(ev.queueRemoved('prod', 'emails')), T0);
    assert.deepEqual(delta?.removedQueues, ['queue:prod:emails']);
    assert.equal(delta?.queues, undefined);
    assert.deepEqual(delta?.connections?.map((c) => [c.id, c.queueCount]), [['prod', 1]]);
    assert.equal(delta?.totals.queues, 2);
  });

  test('a removed connection lists the connection and all its queues as removed', () => {
    const store = fixture();
    const delta = buildOverviewDelta(store, store.apply(ev.removed('prod')), T0);
    assert.deepEqual(delta?.removedConnections, ['prod']);
    assert.deepEqual(delta?.removedQueues?.slice().sort(), ['queue:prod:emails', 'queue:prod:reports']);
    assert.equal(delta?.connections, undefined);
    assert.equal(delta?.queues, undefined);
    assert.deepEqual(delta?.totals, { queues: 1, workersOnline: 0, byState: { waiting: 1, 'custom-state': 4 } });
  });

  test('a merged change with upserts and removals carries both', () => {
    const store = fixture();
    const change = aChange()
      .merge(store.apply(ev.queue({ connectionId: 'dev', name: 'new', counts: { waiting: 1 } })))
      .merge(store.apply(ev.queueRemoved('dev', 'emails')));
    const delta = buildOverviewDelta(store, change, T0);
    assert.deepEqual(delta?.queues?.map((q) => q.key), ['queue:dev:new']);
    assert.deepEqual(delta?.removedQueues, ['queue:dev:emails']);
    assert.deepEqual(delta?.connections?.map((c) => c.id), ['dev']);
  });
});

describe('OverviewFeed', () => {
  test('a change of the retention report alone (new retention settings) is sent once; an unchanged one is not', () => {
    const store = new MonitorStore();
    store.apply(ev.added('c1'));
    for (let i = 0; i < 150; i++) store.apply(ev.task({ id: `t${i}`, queue: 'q' }));
    const feed = new OverviewFeed(store);
    feed.snapshot(T0);
    const change = new MutableChangeSet();
    store.setLimits({ ...store.limits, maxTasks: 100 }, change);
    const delta = feed.delta(change, T0 + 1);
    assert.equal(delta?.retention.tasksEvicted, 50, 'the evictions reach the panel without any new event');
    assert.equal(delta?.events, undefined);
    assert.equal(feed.delta(new MutableChangeSet(), T0 + 2), undefined, 'nothing new: nothing sent');
  });
});
