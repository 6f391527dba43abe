// Nexus task events repeat neither the queue nor the start time: a finished task keeps both (so it stays a span
// on the Timeline under one key), a retry ends its attempt's span, and errors/messages become log lines naming
// their worker and task. Exercised through the one mapper both Nexus sources use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord, Task } from '../../../src/core/model/entities';
import type { MonitorEvent } from '../../../src/core/model/events';
import type { NexusEvent } from '../../../src/sources/nexus/nexus-events';
import { NexusEventMapper } from '../../../src/sources/nexus/nexus-mapper';
import { NexusTaskTimes } from '../../../src/sources/nexus/task-times';

const T0 = 1_700_000_000_000;

const event = (over: Partial<NexusEvent>): NexusEvent => ({
  event_type: 'task_enqueued', project_id: 'p', task_id: 't1', task_type: 'search', ...over,
} as NexusEvent);

function run(events: [Partial<NexusEvent>, number][]): MonitorEvent[] {
  const mapper = new NexusEventMapper({ connectionId: 'nx', system: 'nexus', now: () => T0 });
  return events.flatMap(([e, at]) => mapper.map(event({ ...e, ts: T0 + at })));
}

const tasksOf = (out: MonitorEvent[]): Task[] =>
  out.filter((e): e is Extract<MonitorEvent, { type: 'task.upsert' }> => e.type === 'task.upsert').map((e) => e.task);

test('a completed Nexus task keeps its queue and start time', () => {
  const tasks = tasksOf(run([
    [{ event_type: 'task_enqueued', meta: { queue: 'nexus:tasks:high_priority' } }, 1_000],
    [{ event_type: 'task_started', worker_id: 2 }, 2_000],
    [{ event_type: 'task_completed', worker_id: 2, status: 'completed', duration_ms: 900 }, 3_000],
  ]));
  assert.deepEqual(tasks.map((t) => [t.queue, t.createdAt, t.startedAt, t.finishedAt]), [
    ['high_priority', T0 + 1_000, undefined, undefined],
    ['high_priority', T0 + 1_000, T0 + 2_000, undefined],
    ['high_priority', T0 + 1_000, T0 + 2_000, T0 + 3_000],
  ]);
  assert.equal(tasks[2]!.status, 'completed');
  assert.equal(tasks[2]!.worker, '2');
});

test('a finish seen without its start takes the start from duration_ms', () => {
  const times = new NexusTaskTimes();
  assert.equal(times.update('a', 'task_completed', 5_000, { durationMs: 1_200 }).startedAt, 3_800);
  assert.equal(times.update('b', 'task_completed', 5_000, { durationMs: null }).startedAt, undefined);
});

test('the memory is bounded: the oldest task is forgotten first', () => {
  const times = new NexusTaskTimes(2);
  times.update('a', 'task_enqueued', 1, { queue: 'q' });
  times.update('b', 'task_enqueued', 2, { queue: 'q' });
  times.update('c', 'task_enqueued', 3, { queue: 'q' });
  assert.equal(times.queueOf('a'), undefined);
  assert.equal(times.queueOf('c'), 'q');
});

test('retries and failures become log lines naming their worker and task', () => {
  const out = run([
    [{ event_type: 'task_retry', worker_id: 1, error: 'rate limited by provider' }, 1_000],
    [{ event_type: 'task_failed', worker_id: 1, error: 'gave up after 2 retries' }, 2_000],
    [{ event_type: 'worker_started', task_id: null, worker_id: 3, message: 'Worker 3 started' }, 3_000],
    [{ event_type: 'task_completed', worker_id: 1 }, 4_000],
  ]);
  const logs = out.filter((e): e is Extract<MonitorEvent, { type: 'log' }> => e.type === 'log').map((e) => e.record as LogRecord);
  assert.deepEqual(logs.map((l) => [l.level, l.message, l.worker, l.task]), [
    ['warn', 'task_retry: rate limited by provider', '1', 't1'],
    ['error', 'task_failed: gave up after 2 retries', '1', 't1'],
    ['info', 'worker_started: Worker 3 started', '3', undefined],
  ]);
});

test('a retry ends the attempt\'s span; the next start opens a new one', () => {
  const tasks = tasksOf(run([
    [{ event_type: 'task_started', worker_id: 0 }, 1_000],
    [{ event_type: 'task_retry', worker_id: 0, error: 'rate limited by provider', duration_ms: 500 }, 1_500],
    [{ event_type: 'task_started', worker_id: 1, retry_count: 1 }, 2_000],
  ]));
  assert.deepEqual(tasks.map((t) => [t.startedAt, t.finishedAt, t.worker]), [
    [T0 + 1_000, undefined, '0'], [T0 + 1_000, T0 + 1_500, '0'], [T0 + 2_000, undefined, '1'],
  ]);
});
