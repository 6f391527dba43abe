// The `taskscope snapshot` JSON document: stable ordering, sorted counts, optional fields only when known.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSnapshotDocument } from '../../../src/cli/snapshot-document';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { ev, T0 } from '../../fixtures/builders';

function store(): MonitorStore {
  const s = new MonitorStore();
  s.applyAll([
    ev.added('prod'), ev.added('dev', { kind: 'websocket', system: 'mahavishnu' }),
    ev.state('prod', 'connected'), ev.state('dev', 'reconnecting', { error: 'ECONNREFUSED 127.0.0.1:8080', retryInMs: 500 }),
    ev.queue({ connectionId: 'prod', name: 'reports', counts: { waiting: 2, active: 1, completed: 9 }, paused: false }),
    ev.queue({ connectionId: 'prod', name: 'emails', counts: { failed: 1, waiting: 0 } }),
    ev.queue({ connectionId: 'dev', name: 'zeta', counts: {}, system: 'mahavishnu', paused: true }),
    ev.worker({ connectionId: 'prod', id: 'w2', status: 'busy', lastSeen: T0 + 1_500, queue: 'emails' }),
    ev.worker({ connectionId: 'prod', id: 'w1', status: 'idle' }),
    ev.workflow({ connectionId: 'dev', id: 'wf-9', name: 'nightly', status: 'running', done: 2, total: 5, system: 'mahavishnu' }),
    ev.workflow({ connectionId: 'dev', id: 'wf-1', status: 'blocked', done: 0, total: 3, system: 'mahavishnu' }),
    ev.task({ connectionId: 'prod', id: 't1' }), ev.log(), ev.metric(),
  ]);
  return s;
}

describe('buildSnapshotDocument', () => {
  test('lists connections, queues, workers and workflows sorted by connection then name/id', () => {
    assert.deepEqual(buildSnapshotDocument(store()), {
      connections: [
        { id: 'prod', kind: 'redis', system: 'bullmq', state: 'connected' },
        { id: 'dev', kind: 'websocket', system: 'mahavishnu', state: 'reconnecting', error: 'ECONNREFUSED 127.0.0.1:8080' },
      ],
      queues: [
        { connection: 'dev', system: 'mahavishnu', name: 'zeta', counts: {}, paused: true },
        { connection: 'prod', system: 'bullmq', name: 'emails', counts: { failed: 1, waiting: 0 } },
        { connection: 'prod', system: 'bullmq', name: 'reports', counts: { active: 1, completed: 9, waiting: 2 }, paused: false },
      ],
      workers: [
        { connection: 'prod', system: 'bullmq', id: 'w1', status: 'idle' },
        { connection: 'prod', system: 'bullmq', id: 'w2', status: 'busy', lastSeen: '2025-01-15T09:30:01.500Z', queue: 'emails' },
      ],
      workflows: [
        { connection: 'dev', system: 'mahavishnu', id: 'wf-1', status: 'blocked', done: 0, total: 3 },
        { connection: 'dev', system: 'mahavishnu', id: 'wf-9', name: 'nightly', status: 'running', done: 2, total: 5 },
      ],
    });
  });

  test('counts are printed with their states in alphabetical order', () => {
    const [, , reports] = buildSnapshotDocument(store()).queues;
    assert.deepEqual(Object.keys(reports?.counts ?? {}), ['active', 'completed', 'waiting']);
  });

  test('an error is shown only while not connected', () => {
    const s = store();
    s.apply(ev.state('dev', 'connected'));
    assert.deepEqual(buildSnapshotDocument(s).connections.map((c) => 'error' in c), [false, false]);
    s.apply(ev.state('dev', 'disconnected', { error: 'NOAUTH' }));
    assert.equal(buildSnapshotDocument(s).connections[1]?.error, 'NOAUTH');
  });

  test('sorting keeps a connection\'s queues together even when ids share a prefix', () => {
    const s = new MonitorStore();
    s.applyAll([ev.queue({ connectionId: 'a-b', name: 'q' }), ev.queue({ connectionId: 'a', name: 'z' }), ev.queue({ connectionId: 'a', name: 'b-q' })]);
    assert.deepEqual(buildSnapshotDocument(s).queues.map((q) => `${q.connection}/${q.name}`), ['a/b-q', 'a/z', 'a-b/q']);
  });

  test('an empty store gives empty lists', () => {
    assert.deepEqual(buildSnapshotDocument(new MonitorStore()), { connections: [], queues: [], workers: [], workflows: [] });
  });
});

test('what a worker is running and a workflow\'s stages are included when known', () => {
  const s = new MonitorStore();
  s.applyAll([
    ev.worker({ connectionId: 'n', system: 'nexus', id: '0', status: 'busy', currentTask: 't1' }),
    ev.workflow({ connectionId: 'n', system: 'nexus', id: 'p', status: 'running: search', done: 1, total: 4, stages: [{ name: 'enumeration', status: 'completed' }, { name: 'search', status: 'running' }] }),
  ]);
  const doc = buildSnapshotDocument(s);
  assert.equal(doc.workers[0]?.currentTask, 't1');
  assert.deepEqual(doc.workflows[0]?.stages, [{ name: 'enumeration', status: 'completed' }, { name: 'search', status: 'running' }]);
});

test('a connection notice (what the lists leave out, and why) is part of the connection', () => {
  const s = store();
  s.apply({ type: 'connection.notice', connectionId: 'prod', topic: 'workers', text: 'Idle workers are not shown: the server refused CLIENT LIST', at: T0 });
  assert.deepEqual(buildSnapshotDocument(s).connections[0], {
    id: 'prod', kind: 'redis', system: 'bullmq', state: 'connected', notices: { workers: 'Idle workers are not shown: the server refused CLIENT LIST' },
  });
  s.apply({ type: 'connection.notice', connectionId: 'prod', topic: 'workers', at: T0 + 1 });
  assert.equal('notices' in buildSnapshotDocument(s).connections[0]!, false, 'cleared: no empty object left behind');
});
