// Nexus event parsing and mapping (shared/reference/protocols.md §2): validation, de-dup by event_id, the WS
// snapshot and ping frames, phases as stages, stats snapshots as progress and queue depth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MonitorEvent } from '../../../src/core/model/events';
import type { NexusEvent } from '../../../src/sources/nexus/nexus-events';
import { leadingEventId } from '../../../src/sources/nexus/nexus-events';
import { NexusEventMapper } from '../../../src/sources/nexus/nexus-mapper';

const mapper = () => new NexusEventMapper({ connectionId: 'c', system: 'nexus', now: () => 0, dedupCapacity: 100 });
const NULLS = { project_id: null, parent_task_id: null, task_id: null, task_type: null, phase: null, worker_id: null, retry_count: null, status: null, duration_ms: null, counts: null, queue: null, message: null, error: null, meta: null };
let n = 0;
const ev = (fields: Record<string, unknown>) => JSON.stringify({ ...NULLS, event_id: `e${++n}`, ts: '2025-08-09T16:05:00.123456+00:00', ...fields });

function mapped(m: NexusEventMapper, text: string) {
  const p = m.parse(text);
  assert.equal(p.kind, 'event', JSON.stringify(p));
  return m.map((p as { event: NexusEvent }).event);
}

const workflows = (out: MonitorEvent[]) => out.filter((e): e is Extract<MonitorEvent, { type: 'workflow.upsert' }> => e.type === 'workflow.upsert');

test('an event id is accepted once; the WS snapshot id and ping frames are special', () => {
  const m = mapper();
  const text = ev({ event_type: 'worker_started', worker_id: 3 });
  assert.equal(m.parse(text).kind, 'event');
  assert.equal(m.parse(text).kind, 'duplicate');
  const snap = JSON.stringify({ event_id: 'snapshot', ts: '2025-08-09T16:05:00Z', event_type: 'stats_snapshot', queue: { high_priority: 1 } });
  assert.equal(m.parse(snap).kind, 'event');
  assert.equal(m.parse(snap).kind, 'event', 'every WS snapshot is called "snapshot"');
  assert.equal(m.parse('{"type":"ping"}').kind, 'control');
  assert.equal(m.parse('{"type":"pong"}').kind, 'control');
  assert.deepEqual(m.parse('nope'), { kind: 'invalid', reject: 'invalid-json', problem: 'not JSON: nope' });
  assert.equal((m.parse('{"type":"hello"}') as { reject?: string }).reject, 'nexus-frame');
  assert.equal((m.parse(ev({ event_type: 'task_started', worker_id: 0.5 })) as { reject?: string }).reject, 'nexus-event');
});

test('the id at the start of a frame is read without parsing, in the spellings json.dumps and JSON.stringify write', () => {
  assert.equal(leadingEventId('{"event_id":"abc-1","ts":null}'), 'abc-1');
  assert.equal(leadingEventId('{"event_id": "6f1c2d3e", "ts": "2025-08-09T16:05:00+00:00"}'), '6f1c2d3e');
  assert.equal(leadingEventId(' {\n  "event_id" : "x"}'), 'x');
  for (const text of ['{"ts":1,"event_id":"a"}', '{"event_id":null}', '{"event_id":""}', '{"event_id":"a\\"b"}', '{"event_id":"a', '[{"event_id":"a"}]', 'event_id']) {
    assert.equal(leadingEventId(text), undefined, text);
  }
});

test('a repeat recognized by its leading id is a duplicate; a repeat of an id never validated is still rejected', () => {
  const m = mapper();
  const text = JSON.stringify({ event_id: 'lead-1', ts: '2025-08-09T16:05:00Z', event_type: 'worker_started', worker_id: 3 });
  assert.equal(leadingEventId(text), 'lead-1');
  assert.equal(m.parse(text).kind, 'event');
  // Not JSON past its id: only a frame whose id was validated before can be dropped unparsed.
  assert.equal(m.parse('{"event_id": "lead-1", "ts": ').kind, 'duplicate', 'a repeat is dropped by its id alone, unparsed (as the second copy of every project event is)');
  assert.equal(m.dedup.duplicates, 1);
  const bad = JSON.stringify({ event_id: 'never-valid', event_type: 7 });
  assert.equal(m.parse(bad).kind, 'invalid');
  assert.equal(m.parse(bad).kind, 'invalid');
});

test('a malformed frame is rejected every time: its id is remembered only once it validated', () => {
  const m = mapper();
  const bad = JSON.stringify({ event_id: 'x', event_type: 7 });
  assert.equal(m.parse(bad).kind, 'invalid');
  assert.equal(m.parse(bad).kind, 'invalid');
  assert.equal(m.parse(JSON.stringify({ event_id: 'x', ts: 1_754_755_500, event_type: 'worker_started', worker_id: 1 })).kind, 'event');
  assert.equal(m.dedup.duplicates, 0);
});

test('an event type without a shape is kept as a generic event with a payload preview', () => {
  const m = mapper();
  const text = ev({ event_type: 'exploded', message: 'kaboom' });
  const out = mapped(m, text);
  assert.deepEqual(out.map((e) => e.type), ['generic']);
  assert.ok(out[0]!.type === 'generic' && out[0].name === 'exploded' && out[0].summary.includes('kaboom'));
});

test('missing event_id and ts are accepted: not de-duplicated, dated on arrival', () => {
  const m = new NexusEventMapper({ connectionId: 'c', system: 'nexus', now: () => 42 });
  const text = JSON.stringify({ event_type: 'worker_started', worker_id: '9' });
  const [w] = mapped(m, text);
  assert.ok(w!.type === 'worker.upsert' && w.worker.lastSeen === 42 && w.worker.id === '9');
  assert.equal(m.parse(text).kind, 'event');
});

test('workers: stale after 30 s without a heartbeat, online again on the next one; workers-online metric', () => {
  const m = mapper();
  mapped(m, ev({ event_type: 'worker_started', worker_id: 1, ts: '2025-08-09T16:05:00+00:00' }));
  mapped(m, ev({ event_type: 'task_started', worker_id: 2, task_id: 't', ts: '2025-08-09T16:05:20+00:00' }));
  const t0 = Date.parse('2025-08-09T16:05:00Z');
  assert.deepEqual(m.markStale(t0 + 30_000), []);
  const stale = m.markStale(t0 + 30_001);
  assert.deepEqual(stale.map((e) => e.type === 'worker.upsert' && [e.worker.id, e.worker.status]), [['1', 'stale']]);
  const later = m.markStale(t0 + 51_000);
  assert.deepEqual(later.map((e) => e.type === 'worker.upsert' && [e.worker.id, e.worker.status, e.worker.currentTask]), [['2', 'stale', 't']]);
  const [back] = mapped(m, ev({ event_type: 'worker_heartbeat', worker_id: 1 }));
  assert.ok(back!.type === 'worker.upsert' && back.worker.status === 'online');
  const snap = mapped(m, JSON.stringify({ event_id: 'snapshot', ts: '2025-08-09T16:06:00Z', event_type: 'stats_snapshot', queue: { high_priority: 1, total: 1 }, meta: { workers_online: 3, snapshot: true } }));
  assert.ok(snap.some((e) => e.type === 'metric' && e.sample.name === 'nexus_workers_online' && e.sample.value === 3));
  assert.ok(!snap.some((e) => e.type === 'metric' && e.sample.labels['queue'] === 'total'), '"total" is no queue');
});

test('queue rows from stats only when asked (the WS source), task counts and durations as metrics', () => {
  const m = new NexusEventMapper({ connectionId: 'c', system: 'nexus', now: () => 0, queuesFromStats: true });
  const out = mapped(m, ev({ event_type: 'stats_snapshot', queue: { high_priority: 4, low_priority: 0 } }));
  assert.deepEqual(out.filter((e) => e.type === 'queue.upsert').map((e) => e.type === 'queue.upsert' && [e.queue.name, e.queue.counts['pending']]), [['high_priority', 4], ['low_priority', 0]]);
  const counts = mapped(m, ev({ event_type: 'stats_snapshot', counts: { completed: 5, failed: 1 } }));
  assert.deepEqual(counts.map((e) => e.type === 'metric' && [e.sample.name, e.sample.labels['status'], e.sample.value]), [['nexus_tasks', 'completed', 5], ['nexus_tasks', 'failed', 1]]);
  const done = mapped(m, ev({ event_type: 'task_completed', task_id: 'x', task_type: 'search', status: 'completed', duration_ms: 1200 }));
  assert.ok(done.some((e) => e.type === 'metric' && e.sample.name === 'nexus_task_duration_ms' && e.sample.value === 1200 && e.sample.labels['task_type'] === 'search'));
  const [enq] = mapped(m, ev({ event_type: 'task_enqueued', task_id: 'y', meta: { priority: 0 } }));
  assert.ok(enq!.type === 'task.upsert' && enq.task.queue === 'low_priority' && enq.task.status === 'pending', 'queue from the priority alone');
});

test('a late copy of an older task event does not free a worker that started another task', () => {
  const m = mapper();
  mapped(m, ev({ event_type: 'task_started', worker_id: 4, task_id: 'b', ts: '2025-08-09T16:05:10+00:00' }));
  const late = mapped(m, ev({ event_type: 'task_completed', worker_id: 4, task_id: 'a', ts: '2025-08-09T16:05:05+00:00' }));
  assert.ok(!late.some((e) => e.type === 'worker.upsert'));
  assert.equal(m.currentTask('4'), 'b');
  const freed = mapped(m, ev({ event_type: 'task_completed', worker_id: 4, task_id: 'b', ts: '2025-08-09T16:05:20+00:00' }));
  assert.ok(freed.some((e) => e.type === 'worker.upsert' && e.worker.status === 'online'));
});


test('phases arriving out of order: a late start does not reopen a completed phase; stages listed by start time', () => {
  const m = mapper();
  const phase = (type: string, name: string, ts: string) => mapped(m, ev({ event_type: type, parent_task_id: 'r1', phase: name, ts }));
  phase('phase_started', 'search', '2025-08-09T16:05:02+00:00');
  phase('phase_completed', 'enumeration', '2025-08-09T16:05:01+00:00');
  const out = phase('phase_started', 'enumeration', '2025-08-09T16:05:00+00:00');
  assert.deepEqual(workflows(out).at(-1)!.workflow.stages, [{ name: 'enumeration', status: 'completed' }, { name: 'search', status: 'running' }]);
});

test('a task seen before its enqueue (no queue yet) loses that row once its queue is known', () => {
  const m = mapper();
  const first = mapped(m, ev({ event_type: 'task_started', task_id: 't9', worker_id: 1, ts: '2025-08-09T16:05:02+00:00' }));
  assert.ok(first.some((e) => e.type === 'task.upsert' && e.task.queue === undefined));
  const enq = mapped(m, ev({ event_type: 'task_enqueued', task_id: 't9', meta: { priority: 2, queue: 'normal_priority' }, ts: '2025-08-09T16:05:01+00:00' }));
  assert.deepEqual(enq.filter((e) => e.type === 'task.removed').map((e) => e.type === 'task.removed' && [e.id, e.queue]), [['t9', undefined]]);
  assert.ok(enq.some((e) => e.type === 'task.upsert' && e.task.queue === 'normal_priority'));
  assert.equal(m.rememberQueue('t9', 'normal_priority'), false, 'only once');
});

test('worker start and stop arriving out of order (Redis Cluster pub/sub): the later one by ts wins, a tie stops', () => {
  const status = (out: MonitorEvent[]) => out.flatMap((e) => (e.type === 'worker.upsert' ? [e.worker.status] : []));
  const m = mapper();
  assert.deepEqual(status(mapped(m, ev({ event_type: 'worker_stopped', worker_id: 2, ts: '2025-08-09T16:05:10+00:00' }))), ['offline']);
  assert.deepEqual(status(mapped(m, ev({ event_type: 'worker_started', worker_id: 2, ts: '2025-08-09T16:05:05+00:00' }))), [], 'an older start');
  assert.deepEqual(status(mapped(m, ev({ event_type: 'worker_started', worker_id: 2, ts: '2025-08-09T16:05:10+00:00' }))), [], 'a start at the same instant');
  assert.deepEqual(status(mapped(m, ev({ event_type: 'worker_started', worker_id: 2, ts: '2025-08-09T16:05:20+00:00' }))), ['online'], 'started again later');
  assert.deepEqual(status(mapped(m, ev({ event_type: 'worker_stopped', worker_id: 2, ts: '2025-08-09T16:05:15+00:00' }))), [], 'a stop older than the restart');
});
test('task lifecycle: queue remembered from the enqueue meta, worker busy then free, failure logged', () => {
  const m = mapper();
  const [enq] = mapped(m, ev({ event_type: 'task_enqueued', task_id: 't1', task_type: 'search', status: 'pending', meta: { priority: 2, queue: 'nexus:tasks:high_priority' } }));
  assert.equal(enq!.type === 'task.upsert' && enq.task.queue, 'high_priority');
  const started = mapped(m, ev({ event_type: 'task_started', task_id: 't1', worker_id: 0, status: 'processing' }));
  assert.ok(started.some((e) => e.type === 'worker.upsert' && e.worker.status === 'busy' && e.worker.currentTask === 't1'));
  assert.equal(m.currentTask('0'), 't1');
  const failed = mapped(m, ev({ event_type: 'task_failed', task_id: 't1', worker_id: 0, status: 'failed', error: 'boom' }));
  assert.ok(failed.some((e) => e.type === 'task.upsert' && e.task.queue === 'high_priority' && e.task.status === 'failed'));
  assert.ok(failed.some((e) => e.type === 'worker.upsert' && e.worker.status === 'online' && e.worker.currentTask === undefined));
  assert.ok(failed.some((e) => e.type === 'log' && e.record.level === 'error' && e.record.message.includes('boom')));
});

test('phases become ordered stages; per-parent stats give done/total; queue stats give depth samples', () => {
  const m = mapper();
  mapped(m, ev({ event_type: 'phase_started', parent_task_id: 'p', project_id: 'proj', phase: 'enumeration' }));
  mapped(m, ev({ event_type: 'phase_completed', parent_task_id: 'p', phase: 'enumeration' }));
  const [wf] = workflows(mapped(m, ev({ event_type: 'phase_started', parent_task_id: 'p', phase: 'search' })));
  assert.ok(wf);
  assert.deepEqual(wf.workflow.stages, [{ name: 'enumeration', status: 'completed' }, { name: 'search', status: 'running' }]);
  assert.equal(wf.workflow.name, 'proj · p');
  const [progress] = workflows(mapped(m, ev({ event_type: 'stats_snapshot', parent_task_id: 'p', counts: { completed: 2, failed: 1, pending: 3, processing: 1 } })));
  assert.ok(progress);
  assert.deepEqual([progress.workflow.done, progress.workflow.total, progress.workflow.status], [3, 7, 'running']);
  const depth = mapped(m, ev({ event_type: 'stats_snapshot', queue: { high_priority: 4, normal_priority: 0, low_priority: 1 } }));
  assert.deepEqual(depth.map((e) => e.type === 'metric' && [e.sample.labels['queue'], e.sample.value]), [['high_priority', 4], ['normal_priority', 0], ['low_priority', 1]]);
});

test('without per-parent counts, progress counts phases; all phases done and all counted tasks done → completed', () => {
  const m = mapper();
  mapped(m, ev({ event_type: 'phase_started', parent_task_id: 'r', phase: 'enumeration' }));
  const [wf] = workflows(mapped(m, ev({ event_type: 'phase_completed', parent_task_id: 'r', phase: 'enumeration' })));
  assert.ok(wf);
  assert.deepEqual([wf.workflow.done, wf.workflow.total, wf.workflow.status], [1, 1, 'completed']);
  const [fin] = workflows(mapped(m, ev({ event_type: 'stats_snapshot', parent_task_id: 'r', counts: { completed: 3, failed: 1, pending: 0, processing: 0 } })));
  assert.ok(fin);
  assert.deepEqual([fin.workflow.done, fin.workflow.total, fin.workflow.status], [4, 4, 'completed with failures']);
});
