// Workflow graph model: stages chained in order, tasks linked parent → child, BullMQ flows without a workflow
// record, the node cap, and the structure key that decides whether the webview re-runs the layout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MonitorEvent, Task } from '../../../src/core/model';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { buildWorkflowGraph } from '../../../src/core/views/workflow-graph';
import { EMPTY_EVENT_FILTER, eventRowsSince, matchesEventFilter, recentEventRows, toEventRow } from '../../../src/core/views/event-stream';

const task = (id: string, extra: Partial<Task> = {}): MonitorEvent => ({ type: 'task.upsert', task: { connectionId: 'c', system: 'bullmq', id, queue: 'q', status: 'waiting', updatedAt: 0, ...extra } });

describe('buildWorkflowGraph', () => {
  test('a workflow with stages and member tasks', () => {
    const store = new MonitorStore();
    store.applyAll([
      { type: 'workflow.upsert', workflow: { connectionId: 'c', system: 'mahavishnu', id: 'wf1', name: 'deploy', status: 'running', done: 1, total: 3, stages: [{ name: 'build', status: 'completed' }, { name: 'test', status: 'active' }, { name: 'ship', status: 'waiting' }], updatedAt: 0 } },
      task('a', { workflowId: 'wf1', status: 'completed' }),
      task('b', { workflowId: 'wf1', parentId: 'a', status: 'failed', error: 'boom\nstack' }),
      task('x', { status: 'active' }),
    ]);
    const g = buildWorkflowGraph(store, 'c', 'wf1')!;
    assert.deepEqual(g.nodes.map((n) => [n.id, n.kind, n.status]), [
      ['wf:wf1', 'workflow', 'running'], ['stage:0', 'stage', 'completed'], ['stage:1', 'stage', 'active'], ['stage:2', 'stage', 'waiting'],
      ['task:task:c:q:a', 'task', 'completed'], ['task:task:c:q:b', 'task', 'failed'],
    ]);
    assert.deepEqual(g.edges.map((e) => [e.from, e.to, e.kind]), [
      ['wf:wf1', 'stage:0', 'contains'], ['stage:0', 'stage:1', 'sequence'], ['stage:1', 'stage:2', 'sequence'],
      ['wf:wf1', 'task:task:c:q:a', 'contains'], ['task:task:c:q:a', 'task:task:c:q:b', 'parent'],
    ]);
    assert.deepEqual(g.nodes.find((n) => n.id === 'task:task:c:q:b')?.task, { connectionId: 'c', queue: 'q', id: 'b' });
    assert.equal(g.nodes.find((n) => n.id === 'task:task:c:q:b')?.detail, 'q · boom');
    assert.equal(g.title, 'deploy');
  });

  test('a BullMQ flow is the root task and its descendants; statuses do not change the structure key', () => {
    const store = new MonitorStore();
    store.applyAll([task('root'), task('c1', { parentId: 'root' }), task('c2', { parentId: 'root' }), task('g1', { parentId: 'c1' }), task('other')]);
    const g = buildWorkflowGraph(store, 'c', 'root')!;
    assert.equal(g.nodes.length, 4);
    assert.equal(g.edges.length, 3);
    store.apply(task('g1', { parentId: 'c1', status: 'completed' }));
    const g2 = buildWorkflowGraph(store, 'c', 'root')!;
    assert.equal(g2.structureKey, g.structureKey);
    assert.equal(g2.nodes.find((n) => n.label === 'g1')?.status, 'completed');
    assert.equal(buildWorkflowGraph(store, 'c', 'missing'), undefined);
  });

  test('caps the nodes and counts what was left out', () => {
    const store = new MonitorStore();
    store.applyAll([task('root'), ...Array.from({ length: 3000 }, (_, i) => task(`t${i}`, { parentId: 'root' }))]);
    const g = buildWorkflowGraph(store, 'c', 'root', 500)!;
    assert.equal(g.nodes.length, 500);
    assert.equal(g.omitted, 2501);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) assert.ok(ids.has(e.from) && ids.has(e.to), 'edges only between kept nodes');
  });
});

describe('event stream rows', () => {
  test('rows are numbered by the store event count and deltas return only what is new', () => {
    const store = new MonitorStore({ maxTasks: 100, maxLogs: 100, maxEvents: 10, maxSeries: 10, maxSamplesPerSeries: 10 });
    for (let i = 0; i < 25; i++) store.apply(task(`t${i}`));
    const rows = recentEventRows(store);
    assert.deepEqual(rows.map((r) => r.id), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    assert.equal(rows.at(-1)!.task, 't24');
    store.apply(task('new', { status: 'failed', error: 'bad' }));
    const delta = eventRowsSince(store, 25);
    assert.deepEqual(delta.map((r) => [r.id, r.summary]), [[26, 'task new → failed: bad']]);
    assert.deepEqual(eventRowsSince(store, 26), []);
  });

  test('filters by type, project, task and source (case-insensitive substrings)', () => {
    const row = toEventRow({ type: 'task.upsert', task: { connectionId: 'prod-redis', system: 'bullmq', id: '7', name: 'send_email', queue: 'Mail', status: 'failed', updatedAt: 1 } }, 1);
    assert.ok(matchesEventFilter(row, EMPTY_EVENT_FILTER));
    assert.ok(matchesEventFilter(row, { types: ['task.upsert'], project: 'mail', task: 'EMAIL', source: 'prod' }));
    assert.ok(!matchesEventFilter(row, { ...EMPTY_EVENT_FILTER, types: ['queue.upsert'] }));
    assert.ok(!matchesEventFilter(row, { ...EMPTY_EVENT_FILTER, source: 'staging' }));
  });

  test('summaries are cut to a bounded length', () => {
    const row = toEventRow({ type: 'generic', connectionId: 'c', name: 'n', summary: 'x'.repeat(10_000), at: 0 }, 1);
    assert.ok(row.summary.length <= 300);
  });
});
