// The task view-models the trees render for push sources (src/core/views/task-list.ts): state order, store
// pages, row text with metrics, per-worker lists, and which systems list tasks from the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import type { Task } from '../../../src/core/model/entities';
import { formatBytes, listsTasksFromStore, queueTaskGroups, statesInOrder, storeTaskPage, taskLabels, taskRowView, tasksPerWorker, workerTaskRows } from '../../../src/core/views/task-list';

const NOW = 1_750_000_100_000;
const task = (id: string, status: string, updatedAt: number, extra: Partial<Task> = {}): Task => ({ connectionId: 'p', system: 'propeller', id, queue: 'tasks', status, updatedAt, ...extra });

function storeWith(tasks: Task[]): MonitorStore {
  const store = new MonitorStore();
  const counts: Record<string, number> = { Pending: 0, Scheduled: 0, Running: 0, Completed: 0, Failed: 0, Skipped: 0, Interrupted: 0 };
  for (const t of tasks) { store.apply({ type: 'task.upsert', task: t }); counts[t.status] = (counts[t.status] ?? 0) + 1; }
  store.apply({ type: 'queue.upsert', queue: { connectionId: 'p', system: 'propeller', name: 'tasks', counts, updatedAt: NOW } });
  return store;
}

test('Propeller states keep their numeric order; other systems keep the BullMQ order', () => {
  assert.deepEqual(statesInOrder('propeller', { Failed: 1, Unknown_9: 0, Pending: 2, Running: 0 }), ['Pending', 'Running', 'Failed', 'Unknown_9']);
  assert.deepEqual(statesInOrder('bullmq', { failed: 1, waiting: 2 }), ['waiting', 'failed']);
  assert.equal(listsTasksFromStore('propeller'), true);
  assert.equal(listsTasksFromStore('bullmq'), false);
  assert.equal(listsTasksFromStore(undefined), false);
});

test('store pages: one state, newest update first, offset and total', () => {
  const store = storeWith([task('a', 'Running', 1), task('b', 'Running', 3), task('c', 'Completed', 2), task('d', 'Running', 2)]);
  const page = storeTaskPage(store, 'p', { queue: 'tasks', state: 'Running', offset: 1, limit: 5 });
  assert.deepEqual(page.tasks.map((t) => t.id), ['d', 'a']);
  assert.equal(page.total, 3);
  assert.equal(storeTaskPage(store, 'p', { queue: 'tasks', state: 'Nope', offset: 0, limit: 5 }).total, 0);
});

test('rows: proplet, CPU, memory, age and error; tooltip with the metrics time; final states', () => {
  const running = taskRowView(task('t1', 'Running', NOW, { name: 'infer', worker: 'p-1', startedAt: NOW - 65_000, usage: { cpuPercent: 12.345, memoryBytes: 64 * 1024 * 1024, at: NOW - 1000 } }), NOW);
  assert.equal(running.label, 'infer #t1');
  assert.equal(running.description, 'on p-1 · CPU 12.3% · mem 64.0 MB · 1m ago');
  assert.equal(running.final, false);
  assert.ok(running.tooltip.includes(`Last metrics (${new Date(NOW - 1000).toISOString()}): CPU 12.3%, memory 64.0 MB`), running.tooltip.join('\n'));
  const failed = taskRowView(task('t2', 'Failed', NOW, { error: 'trap', finishedAt: NOW }), NOW, true);
  assert.equal(failed.description, 'Failed · 0s ago · trap');
  assert.equal(failed.final, true);
  assert.equal(taskRowView(task('t3', 'Running', NOW, { usage: { memoryPercent: 1.25, at: NOW } }), NOW).description, 'mem 1.3% · 0s ago');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
});

test('groups hold every task once under its state; per-worker lists put unfinished tasks first', () => {
  const store = storeWith([task('a', 'Completed', 5, { worker: 'w1' }), task('b', 'Running', 1, { worker: 'w1' }), task('c', 'Failed', 2, { worker: 'w2' }), task('d', 'Pending', 3)]);
  const groups = queueTaskGroups(store, 'p', 'tasks', NOW, 1);
  assert.deepEqual(groups.map((g) => `${g.state}:${g.count}:${g.rows.map((r) => r.task.id).join('')}:${g.more}`),
    ['Pending:1:d:0', 'Scheduled:0::0', 'Running:1:b:0', 'Completed:1:a:0', 'Failed:1:c:0', 'Skipped:0::0', 'Interrupted:0::0']);
  assert.deepEqual(workerTaskRows(store, 'p', 'w1', NOW).rows.map((r) => r.task.id), ['b', 'a']);
  assert.deepEqual(workerTaskRows(store, 'p', 'w1', NOW, 1), { rows: [workerTaskRows(store, 'p', 'w1', NOW).rows[0]!], more: 1 });
  assert.deepEqual(Object.fromEntries(tasksPerWorker(store, 'p')), { w1: { running: 1, total: 2 }, w2: { running: 0, total: 1 } });
  assert.deepEqual(queueTaskGroups(store, 'p', 'missing', NOW), []);
});

test('confirmations name tasks as their rows do; an unseen id stays bare', () => {
  const known = [task('t1', 'Running', NOW, { name: 'infer' }), task('t2', 'Running', NOW), task('t9', 'Running', NOW, { name: 'other' })];
  assert.deepEqual(taskLabels(['t1', 't2', 'gone'], known), ['infer #t1', 'task #t2', 'gone']);
  assert.equal(taskRowView(known[0]!, NOW).label, 'infer #t1');
});
