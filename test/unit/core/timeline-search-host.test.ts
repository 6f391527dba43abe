// Host-side pieces of the Timeline and Log search panels: span snapshots and deltas within a scope, the
// tree-node → scope/query mapping, status categories, and the sliced, paced, cancellable SearchRunner.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogRecord, Task } from '../../../src/core/model/entities';
import { SearchRunner, type SearchChunk } from '../../../src/core/search/search-runner';
import { MutableChangeSet } from '../../../src/core/store/change-set';
import { LogStore } from '../../../src/core/store/log-store';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { statusCategory } from '../../../src/core/timeline/status-category';
import { buildTimelineDelta, buildTimelineSnapshot } from '../../../src/core/views/timeline-view';
import { logQueryForNode, parseTaskKey, timelineScopeForNode } from '../../../src/vscode/panels/panel-targets';

const T0 = 1_700_000_000_000;
const task = (id: string, over: Partial<Task> = {}): Task => ({ connectionId: 'c1', system: 'bullmq', id, queue: 'emails', status: 'completed', worker: 'w1', startedAt: T0, finishedAt: T0 + 5, updatedAt: T0, ...over });

function store(): MonitorStore {
  const s = new MonitorStore();
  s.apply({ type: 'connection.added', connectionId: 'c1', name: 'Prod', kind: 'redis', system: 'bullmq', readOnly: false, at: T0 });
  return s;
}

describe('timeline view', () => {
  test('one span per started task, within the scope; errors cut', () => {
    const s = store();
    s.applyAll([task('1'), task('2', { worker: 'w2', error: 'x'.repeat(1_000) }), task('3', { startedAt: undefined }), task('4', { queue: 'other', finishedAt: undefined, status: 'active' })].map((t) => ({ type: 'task.upsert', task: t }) as const));
    const all = buildTimelineSnapshot(s, undefined, T0);
    assert.deepEqual(all.spans.map((x) => x.k).sort(), ['task:c1:emails:1', 'task:c1:emails:2', 'task:c1:other:4']);
    assert.equal(all.spans.find((x) => x.id === '2')!.e!.length, 301);
    assert.equal(all.spans.find((x) => x.id === '4')!.t1, undefined, 'running: no end');
    assert.deepEqual(all.connections, { c1: 'Prod' });
    assert.deepEqual(buildTimelineSnapshot(s, { connectionId: 'c1', worker: 'w2', label: 'w2' }, T0).spans.map((x) => x.id), ['2']);
    assert.deepEqual(buildTimelineSnapshot(s, { connectionId: 'c1', queue: 'other', label: 'q' }, T0).spans.map((x) => x.id), ['4']);
  });

  test('deltas: upserts in scope, removals for tasks gone or out of scope; nothing when no task changed', () => {
    const s = store();
    const change = new MutableChangeSet();
    change.merge(s.apply({ type: 'task.upsert', task: task('1') }));
    change.merge(s.apply({ type: 'task.upsert', task: task('2', { worker: 'w9' }) }));
    const d = buildTimelineDelta(s, change, { worker: 'w1', label: 'w1' }, T0)!;
    assert.deepEqual(d.upserts.map((x) => x.id), ['1']);
    assert.deepEqual(d.removed, ['task:c1:emails:2']);
    assert.equal(buildTimelineDelta(s, new MutableChangeSet(), undefined, T0), undefined);
  });

  test('status categories across systems', () => {
    assert.deepEqual(['completed', 'SUCCESS', 'failed', 'timeout', 'active', 'RUNNING', 'delayed', 'retrying', 'canceled', 'weird'].map(statusCategory),
      ['completed', 'completed', 'failed', 'failed', 'running', 'running', 'waiting', 'waiting', 'cancelled', 'other']);
  });
});

describe('panel targets', () => {
  const s = store();
  test('timeline scope for connection, queue, worker and workflow nodes; none from the palette', () => {
    assert.equal(timelineScopeForNode(s, undefined), undefined);
    assert.deepEqual(timelineScopeForNode(s, { kind: 'connection', connectionId: 'c1' }), { connectionId: 'c1', label: 'connection Prod' });
    assert.deepEqual(timelineScopeForNode(s, { kind: 'queue', connectionId: 'c1', queue: 'emails' }), { connectionId: 'c1', queue: 'emails', label: 'queue emails on Prod' });
    assert.deepEqual(timelineScopeForNode(s, { kind: 'worker', connectionId: 'c1', workerId: 'w 1' }), { connectionId: 'c1', worker: 'w 1', label: 'worker w 1 on Prod' });
    assert.deepEqual(timelineScopeForNode(s, { kind: 'workflow', connectionId: 'c1', workflowId: 'f1' }), { connectionId: 'c1', workflowId: 'f1', label: 'workflow f1 on Prod' });
  });
  test('task keys parse back into the target taskscope.openTaskDetail accepts', () => {
    assert.deepEqual(parseTaskKey('task:c1:emails:42'), { connectionId: 'c1', queue: 'emails', taskId: '42' });
    assert.deepEqual(parseTaskKey('task:c1::a:b'), { connectionId: 'c1', taskId: 'a:b' });
    assert.equal(parseTaskKey('queue:c1:emails'), undefined);
  });
  test('log query for worker and connection nodes, quoted when needed', () => {
    assert.equal(logQueryForNode(undefined), undefined);
    assert.equal(logQueryForNode({ kind: 'worker', connectionId: 'c1', workerId: 'w "1"' }), 'worker:"w \\"1\\""');
    assert.equal(logQueryForNode({ kind: 'connection', connectionId: 'c1' }), 'conn:c1');
  });
});

describe('SearchRunner', () => {
  const logs = new LogStore(50_000, 1_024);
  for (let i = 0; i < 50_000; i++) logs.push({ connectionId: 'c1', system: 'bullmq', timestamp: T0 + i, level: 'info', message: `line ${i}${i % 100 === 0 ? ' timeout' : ''}` } satisfies LogRecord);

  /** A manual scheduler and clock: each slice costs `costMs` of fake time per chunk scanned. */
  function harness(opts: { minIntervalMs?: number; maxRowsPerChunk?: number; limit?: number } = {}) {
    const sent: SearchChunk<number>[] = [];
    const queue: { fn: () => void; at: number }[] = [];
    let clock = 0;
    const runner = new SearchRunner<number>({
      store: () => logs, toRow: (_r, seq) => seq, send: (c) => sent.push(c),
      schedule: (fn, delay) => queue.push({ fn, at: clock + delay }), now: () => (clock += 0.5), limit: opts.limit ?? 1e9,
      sliceMs: 4, minIntervalMs: opts.minIntervalMs ?? 34, maxRowsPerChunk: opts.maxRowsPerChunk ?? 5_000,
    });
    const drain = (max = 1e6): void => {
      for (let n = 0; n < max && queue.length; n++) { queue.sort((a, b) => a.at - b.at); const next = queue.shift()!; clock = Math.max(clock, next.at); next.fn(); }
    };
    return { runner, sent, drain, get clock() { return clock; } };
  }

  test('streams every match newest first, in paced chunks, the last one marked done', () => {
    const h = harness({ maxRowsPerChunk: 100 });
    h.runner.start({ searchId: 7, query: 'timeout' });
    h.drain();
    const rows = h.sent.flatMap((c) => c.rows);
    assert.equal(rows.length, 500);
    assert.equal(rows[0], 49_900);
    assert.deepEqual(rows, [...rows].sort((a, b) => b - a));
    assert.ok(h.sent.every((c) => c.searchId === 7 && c.rows.length <= 100));
    assert.deepEqual(h.sent.map((c) => c.done), [...h.sent.slice(1).map(() => false), true]);
    assert.equal(h.sent.at(-1)!.scanned, 50_000);
    assert.equal(h.sent.at(-1)!.matched, 500);
  });

  test('a new search cancels the running one: no chunk of the old search after the new one starts', () => {
    const h = harness({ maxRowsPerChunk: 10 });
    h.runner.start({ searchId: 1, query: '' });
    h.drain(3);
    const before = h.sent.length;
    h.runner.start({ searchId: 2, query: '"line 4999"' });
    h.drain();
    assert.ok(h.sent.slice(before).every((c) => c.searchId === 2));
    assert.equal(h.sent.at(-1)!.done, true);
    assert.deepEqual(h.sent.filter((c) => c.searchId === 2).flatMap((c) => c.rows), [49_999, 49_998, 49_997, 49_996, 49_995, 49_994, 49_993, 49_992, 49_991, 49_990, 4_999]);
  });

  test('cancel(searchId) stops only that search; query errors are reported with an (empty-filter) result', () => {
    const h = harness();
    h.runner.start({ searchId: 3, query: '' });
    h.runner.cancel(99);
    h.runner.cancel(3);
    h.drain();
    assert.ok(h.sent.every((c) => !c.done), 'cancelled before finishing');
    h.runner.start({ searchId: 4, query: 'level:bogus timeout' });
    h.drain();
    const last = h.sent.at(-1)!;
    assert.equal(last.searchId, 4);
    assert.match(last.errors[0]!.message, /unknown level/);
    assert.equal(last.matched, 500, 'the valid part of the query still runs');
  });

  test('pacing: chunks at least minIntervalMs apart; the limit is reported', () => {
    const h = harness({ minIntervalMs: 34, maxRowsPerChunk: 1_000, limit: 3_000 });
    const times: number[] = [];
    const start = h.clock;
    h.runner.start({ searchId: 5, query: '' });
    const origLen = (): number => h.sent.length;
    let seen = 0;
    for (let i = 0; i < 10_000 && (!h.sent.length || !h.sent.at(-1)!.done); i++) { h.drain(1); if (origLen() > seen) { seen = origLen(); times.push(h.clock - start); } }
    assert.equal(h.sent.flatMap((c) => c.rows).length, 3_000);
    assert.equal(h.sent.at(-1)!.limited, true);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 33, `gap ${times[i]! - times[i - 1]!}`);
  });
});
