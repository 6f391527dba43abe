// The Nexus mapper aggregates tasks, workers, research tasks (workflows) and metric samples per tick: a burst of
// events on one entity reaches the store as one upsert with the final state (and everything the burst taught, such
// as the start time), and a series as its latest sample, keyed as the store keys it; logs pass on as they come.
// Also: the same-second timestamp shortcut equals the full parse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { MonitorEvent } from '../../../src/core/model/events';
import { eventEntityKey } from '../../../src/core/store/monitor-store';
import { LatestEventBuffer } from '../../../src/sources/latest-event-buffer';
import type { NexusEvent } from '../../../src/sources/nexus/nexus-events';
import { NexusEventMapper } from '../../../src/sources/nexus/nexus-mapper';
import { timestampMs } from '../../../src/sources/nexus/event-clock';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const tick = () => new Promise((r) => setImmediate(r));
const iso = (ms: number) => new Date(ms).toISOString();

function setup() {
  const out: [MonitorEvent, string | undefined][] = [];
  const mapper = new NexusEventMapper({ connectionId: 'nx', system: 'nexus', now: () => T0 });
  const buffer = new LatestEventBuffer((e, key) => out.push([e, key]));
  const accept = (e: Partial<NexusEvent>) => mapper.accept({ event_type: 'task_enqueued', ...e } as NexusEvent, undefined, buffer);
  return { out, mapper, buffer, accept };
}

test('a burst on one task reaches the store once, with its final state and what the earlier events told', async () => {
  const { out, accept } = setup();
  accept({ event_type: 'task_enqueued', task_id: 't1', ts: iso(T0), meta: { queue: 'nexus:tasks:high_priority' } });
  accept({ event_type: 'task_started', task_id: 't1', worker_id: 2, ts: iso(T0 + 10) });
  accept({ event_type: 'task_completed', task_id: 't1', worker_id: 2, status: 'completed', duration_ms: 90, ts: iso(T0 + 100) });
  assert.equal(out.length, 0, 'nothing before the tick');
  await tick();
  const tasks = out.filter(([e]) => e.type === 'task.upsert');
  assert.equal(tasks.length, 1);
  const [event, key] = tasks[0]!;
  assert.ok(event.type === 'task.upsert');
  assert.deepEqual([event.task.queue, event.task.status, event.task.createdAt, event.task.startedAt, event.task.finishedAt], ['high_priority', 'completed', T0, T0 + 10, T0 + 100]);
  assert.equal(key, eventEntityKey(event));
  const workers = out.filter(([e]) => e.type === 'worker.upsert');
  assert.equal(workers.length, 1, 'busy then online: one upsert with the final state');
  assert.ok(workers[0]![0].type === 'worker.upsert' && workers[0]![0].worker.status === 'online' && workers[0]![0].worker.currentTask === undefined);
  assert.equal(workers[0]![1], 'worker:nx:2');
  assert.equal(out.filter(([e]) => e.type === 'metric').length, 1, 'the duration sample');
});

test('each tick hands on the state reached by then; later ticks only what changed', async () => {
  const { out, accept } = setup();
  accept({ event_type: 'task_started', task_id: 't1', worker_id: 1, ts: iso(T0) });
  accept({ event_type: 'task_started', task_id: 't2', worker_id: 2, ts: iso(T0) });
  await tick();
  assert.deepEqual(out.map(([e]) => e.type).sort(), ['task.upsert', 'task.upsert', 'worker.upsert', 'worker.upsert']);
  out.length = 0;
  accept({ event_type: 'task_completed', task_id: 't2', worker_id: 2, ts: iso(T0 + 5) });
  await tick();
  assert.deepEqual(out.map(([e]) => (e.type === 'task.upsert' ? `task ${e.task.id} ${e.task.status}` : e.type === 'worker.upsert' ? `worker ${e.worker.id} ${e.worker.status}` : e.type)).sort(),
    ['task t2 completed', 'worker 2 online']);
});

test('a queue learned from Redis while a queue-less upsert is pending: the upsert goes out under the queue', async () => {
  const { out, mapper, accept } = setup();
  accept({ event_type: 'task_started', task_id: 't7', worker_id: 1, ts: iso(T0) });
  assert.equal(mapper.rememberQueue('t7', 'low_priority'), true, 'the caller removes the queue-less row');
  await tick();
  const task = out.find(([e]) => e.type === 'task.upsert')!;
  assert.ok(task[0].type === 'task.upsert');
  assert.equal(task[0].task.queue, 'low_priority');
  assert.equal(task[1], 'task:nx:low_priority:t7');
});

test('a research task changed by many events in a tick is one workflow upsert; each series one sample, keyed as the store keys it', async () => {
  const { out, accept } = setup();
  accept({ event_type: 'phase_started', phase: 'search', parent_task_id: 'r1', project_id: 'p1', ts: iso(T0) });
  accept({ event_type: 'stats_snapshot', parent_task_id: 'r1', counts: { completed: 1, pending: 3 }, ts: iso(T0 + 1) });
  accept({ event_type: 'stats_snapshot', parent_task_id: 'r1', counts: { completed: 2, pending: 2 }, ts: iso(T0 + 2) });
  accept({ event_type: 'phase_completed', phase: 'search', parent_task_id: 'r1', ts: iso(T0 + 3) });
  accept({ event_type: 'phase_started', phase: 'analysis', parent_task_id: 'r1', ts: iso(T0 + 4) });
  accept({ event_type: 'stats_snapshot', queue: { high_priority: 4, total: 4 }, meta: { workers_online: 3 }, ts: iso(T0 + 5) });
  await tick();
  const flows = out.filter(([e]) => e.type === 'workflow.upsert');
  assert.equal(flows.length, 1);
  const [flow, flowKey] = flows[0]!;
  assert.ok(flow.type === 'workflow.upsert');
  assert.deepEqual(flow.workflow.stages, [{ name: 'search', status: 'completed' }, { name: 'analysis', status: 'running' }]);
  assert.deepEqual([flow.workflow.name, flow.workflow.done, flow.workflow.total, flow.workflow.status], ['p1 · r1', 2, 4, 'running']);
  assert.equal(flowKey, eventEntityKey(flow));
  const samples = out.filter(([e]) => e.type === 'metric').map(([e, key]) => {
    assert.ok(e.type === 'metric');
    assert.equal(key, eventEntityKey(e), 'the key handed on is the store key');
    return `${e.sample.name} ${JSON.stringify(e.sample.labels)} ${e.sample.value} @${e.sample.timestamp - T0}`;
  }).sort();
  assert.deepEqual(samples, [
    'nexus_phase_active {"phase":"analysis"} 1 @4',
    'nexus_phase_active {"phase":"search"} 0 @3',
    'nexus_queue_depth {"queue":"high_priority"} 4 @5',
    'nexus_tasks {"status":"completed","parent_task_id":"r1"} 2 @2',
    'nexus_tasks {"status":"pending","parent_task_id":"r1"} 2 @2',
    'nexus_workers_online {} 3 @5',
  ]);
  out.length = 0;
  accept({ event_type: 'phase_completed', phase: 'analysis', parent_task_id: 'r1', ts: iso(T0 + 9) });
  await tick();
  assert.deepEqual(out.map(([e]) => (e.type === 'metric' ? `${e.sample.name} ${e.sample.value}` : e.type)).sort(), ['nexus_phase_active 0', 'workflow.upsert'],
    'the next tick hands on only what changed in it');
});

test('series with the same label values under different label names stay apart', async () => {
  const { out, accept } = setup();
  accept({ event_type: 'task_completed', task_id: 't1', status: 'completed', duration_ms: 5, ts: iso(T0) });
  accept({ event_type: 'task_completed', task_id: 't2', status: 'completed', task_type: 'search', duration_ms: 7, ts: iso(T0) });
  await tick();
  const keys = out.filter(([e]) => e.type === 'metric').map(([, key]) => key).sort();
  assert.deepEqual(keys, ['nx|nexus_task_duration_ms{status=completed,task_type=search}', 'nx|nexus_task_duration_ms{status=completed}']);
});

test('map() still returns every event of one frame at once', () => {
  const mapper = new NexusEventMapper({ connectionId: 'nx', system: 'nexus', now: () => T0 });
  const out = mapper.map({ event_type: 'task_failed', task_id: 't1', worker_id: 3, error: 'boom', ts: iso(T0) } as NexusEvent);
  assert.deepEqual(out.map((e) => e.type).sort(), ['log', 'task.upsert', 'worker.upsert']);
});

test('the same-second timestamp shortcut gives what the full parse gives, for any sequence of times', () => {
  const zone = fc.constantFrom('Z', '+00:00', '+02:00', '');
  // Within a few seconds of each other, so that most neighbours share their second (the shortcut's case).
  const stamp = fc.tuple(fc.integer({ min: T0, max: T0 + 3_000 }), fc.integer({ min: 0, max: 9 }), zone, fc.boolean())
    .map(([ms, digits, z, mangle]) => {
      const base = new Date(ms).toISOString().slice(0, 19);
      const fraction = digits === 0 ? '' : `.${String(ms % 1000).padStart(3, '0')}${'123456'.slice(0, Math.max(0, digits - 3))}`.slice(0, digits + 1);
      const text = `${base}${fraction}${z}`;
      return mangle ? text.replace(/\.(\d)/, '.x') : text;
    });
  fc.assert(fc.property(fc.array(stamp, { minLength: 1, maxLength: 30 }), (stamps) => {
    const mapper = new NexusEventMapper({ connectionId: 'nx', system: 'nexus', now: () => -1 });
    for (const ts of stamps) {
      const [task] = mapper.map({ event_type: 'task_enqueued', task_id: 't', ts } as NexusEvent).filter((e) => e.type === 'task.upsert');
      assert.ok(task?.type === 'task.upsert');
      assert.equal(task.task.updatedAt, timestampMs(ts) ?? -1, ts);
    }
  }), { numRuns: 2_000 });
});
