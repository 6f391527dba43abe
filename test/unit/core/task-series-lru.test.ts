// The per-task series budget: whole tasks evicted (finished first, then least recently sampled), never the
// task being added to, and the store's other series never starved by per-task ones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MetricSample } from '../../../src/core/model/entities';
import { taskKey } from '../../../src/core/model/keys';
import { DEFAULT_RETENTION, MonitorStore, type RetentionLimits } from '../../../src/core/store/monitor-store';
import { TaskSeriesLru } from '../../../src/core/store/task-series-lru';

describe('TaskSeriesLru', () => {
  test('within the budget nothing is evicted', () => {
    const lru = new TaskSeriesLru(4);
    assert.deepEqual(lru.admit('t1', 'c', 't1/a'), []);
    assert.deepEqual(lru.admit('t1', 'c', 't1/b'), []);
    assert.deepEqual(lru.admit('t2', 'c', 't2/a'), []);
    assert.equal(lru.size, 3);
    assert.equal(lru.tasks, 2);
  });

  test('full: the least recently SAMPLED task goes, all its series at once', () => {
    const lru = new TaskSeriesLru(4);
    for (const t of ['t1', 't2']) { lru.admit(t, 'c', `${t}/a`); lru.admit(t, 'c', `${t}/b`); }
    lru.touch('t1'); // t1 sampled after t2: t2 is now the oldest
    assert.deepEqual(lru.admit('t3', 'c', 't3/a')?.sort(), ['t2/a', 't2/b']);
    assert.equal(lru.size, 3);
    assert.equal(lru.tasks, 2);
  });

  test('a finished task is evicted before running ones, even when sampled more recently', () => {
    const lru = new TaskSeriesLru(3);
    lru.admit('old-running', 'c', 'r/a');
    lru.admit('done', 'c', 'd/a');
    lru.admit('new', 'c', 'n/a');
    lru.finished('done');
    assert.deepEqual(lru.admit('newest', 'c', 'x/a'), ['d/a']);
    assert.deepEqual(lru.admit('newest', 'c', 'x/b'), ['r/a'], 'then the least recently sampled running task');
  });

  test('the task being added to is never its own victim; a task alone over the budget is refused', () => {
    const lru = new TaskSeriesLru(2);
    lru.admit('t1', 'c', 'a');
    lru.admit('t1', 'c', 'b');
    assert.equal(lru.admit('t1', 'c', 'c'), undefined);
    assert.equal(lru.size, 2);
    assert.deepEqual(lru.admit('t2', 'c', 'z')?.sort(), ['a', 'b']);
  });

  test('remove and removeConnection give back the keys and free the budget', () => {
    const lru = new TaskSeriesLru(10);
    lru.admit('t1', 'c1', 'a');
    lru.admit('t2', 'c2', 'b');
    lru.admit('t2', 'c2', 'c');
    assert.deepEqual(lru.remove('t1'), ['a']);
    assert.deepEqual(lru.remove('t1'), []);
    assert.deepEqual(lru.removeConnection('c2').sort(), ['b', 'c']);
    assert.equal(lru.size, 0);
    assert.equal(lru.tasks, 0);
  });
});

describe('MonitorStore: per-task series budget', () => {
  const limits = (o: Partial<RetentionLimits>): RetentionLimits => ({ ...DEFAULT_RETENTION, ...o });
  const taskSample = (task: string, name: string, at = 1): MetricSample => ({ connectionId: 'p', system: 'propeller', name, labels: { task_id: task }, timestamp: at, value: 1, task: { queue: 'tasks', id: task } });
  const plain = (name: string): MetricSample => ({ connectionId: 'p', system: 'propeller', name, labels: { proplet_id: 'x' }, timestamp: 1, value: 1 });
  const names = (store: MonitorStore) => store.series().map((s) => `${s.labels['task_id'] ?? s.labels['proplet_id']}:${s.name}`).sort();

  test('many tasks: the newest keep their series, the oldest are evicted whole and counted', () => {
    const store = new MonitorStore(limits({ maxSeries: 3, maxTaskSeries: 6 }));
    for (let t = 0; t < 10; t++) for (const m of ['cpu', 'mem', 'fds']) store.apply({ type: 'metric', sample: taskSample(`t${t}`, m, t) });
    assert.deepEqual(names(store), ['t8:cpu', 't8:fds', 't8:mem', 't9:cpu', 't9:fds', 't9:mem']);
    assert.equal(store.retention().taskSeriesEvicted, 24);
    assert.equal(store.retention().taskSeriesBudget, 6);
    assert.equal(store.retention().seriesRefused, 0);
  });

  test('per-task series never take the room of the other series (proplet, Prometheus)', () => {
    const store = new MonitorStore(limits({ maxSeries: 2, maxTaskSeries: 4 }));
    for (let t = 0; t < 50; t++) store.apply({ type: 'metric', sample: taskSample(`t${t}`, 'cpu') });
    assert.equal(store.apply({ type: 'metric', sample: plain('proplet_cpu') }).metrics, 1);
    assert.equal(store.apply({ type: 'metric', sample: plain('proplet_mem') }).metrics, 1);
    assert.equal(store.apply({ type: 'metric', sample: plain('proplet_rss') }).metrics, 0, 'the general cap still holds for them');
    assert.equal(store.series().filter((s) => s.labels['proplet_id']).length, 2);
    assert.equal(store.series().filter((s) => s.labels['task_id']).length, 4);
  });

  test('a finished task gives way first; a task leaving the store takes its series with it', () => {
    const store = new MonitorStore(limits({ maxTaskSeries: 2 }));
    const task = (id: string, finishedAt?: number) => ({ type: 'task.upsert' as const, task: { connectionId: 'p', system: 'propeller' as const, queue: 'tasks', id, status: finishedAt ? 'Completed' : 'Running', updatedAt: 1, ...(finishedAt ? { finishedAt } : {}) } });
    store.apply(task('a'));
    store.apply(task('b'));
    store.apply({ type: 'metric', sample: taskSample('a', 'cpu', 1) });
    store.apply({ type: 'metric', sample: taskSample('b', 'cpu', 2) });
    store.apply(task('b', 3));
    store.apply({ type: 'metric', sample: taskSample('c', 'cpu', 4) });
    assert.deepEqual(names(store), ['a:cpu', 'c:cpu'], 'b finished: evicted although a was sampled longer ago');
    const change = store.apply({ type: 'task.removed', connectionId: 'p', queue: 'tasks', id: 'a', at: 5 });
    assert.equal(change.metrics, 1);
    assert.deepEqual(names(store), ['c:cpu']);
    assert.ok(store.task(taskKey('p', 'tasks', 'c')) === undefined, 'series need no task entry of their own');
  });
});
