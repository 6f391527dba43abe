// The hand-written per-frame check of a Nexus MonitoringEvent (nexus-validate.ts): accepts the shapes of
// shared/reference/protocols.md §2, rejects malformed ones with a reason that names the field, and agrees with the
// zod schema it replaced (kept here as the reference) on every case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { nexusEventProblem } from '../../../src/sources/nexus/nexus-validate';

const str = z.string();
const counts = z.record(z.string(), z.number().finite());
const referenceSchema = z.object({
  event_id: z.string().min(1).max(200).nullish(),
  ts: z.union([str, z.number()]).nullish(),
  event_type: z.string().min(1).max(200),
  project_id: str.nullish(), parent_task_id: str.nullish(), task_id: str.nullish(), task_type: str.nullish(), phase: str.nullish(),
  worker_id: z.union([z.number().int(), z.string().min(1).max(200)]).nullish(),
  retry_count: z.number().int().nullish(),
  status: str.nullish(),
  duration_ms: z.number().finite().nullish(),
  counts: counts.nullish(), queue: counts.nullish(),
  message: str.nullish(), error: str.nullish(),
  meta: z.record(z.string(), z.unknown()).nullish(),
});

const NULLS = { project_id: null, parent_task_id: null, task_id: null, task_type: null, phase: null, worker_id: null, retry_count: null, status: null, duration_ms: null, counts: null, queue: null, message: null, error: null, meta: null };
const base = { ...NULLS, event_id: '6f1c2f9e-8a53-4f51-9a8e-1d2f3b4c5d6e', ts: '2025-08-09T16:05:00.123456+00:00' };

// Every emitter of protocols.md §2, as the wire sends it (all fields present, unset ones null).
const VALID: Record<string, unknown>[] = [
  { ...base, event_type: 'task_enqueued', task_id: 't1', parent_task_id: 'r1', project_id: 'p', task_type: 'search', status: 'pending', meta: { priority: 1, queue: 'nexus:tasks:normal_priority' } },
  { ...base, event_type: 'task_started', task_id: 't1', worker_id: 3, status: 'processing', retry_count: 0, task_type: 'search' },
  { ...base, event_type: 'task_completed', task_id: 't1', status: 'completed', duration_ms: 120 },
  { ...base, event_type: 'task_retry', task_id: 't1', status: 'retrying', retry_count: 1, duration_ms: 80.5, error: 'Timeout' },
  { ...base, event_type: 'task_failed', task_id: 't1', status: 'failed', retry_count: 3, duration_ms: 10, error: 'boom' },
  { ...base, event_type: 'worker_started', worker_id: 0, message: 'Worker 0 started' },
  { ...base, event_type: 'worker_heartbeat', worker_id: 7 },
  { ...base, event_type: 'stats_snapshot', queue: { high_priority: 0, normal_priority: 4, low_priority: 1 } },
  { ...base, event_type: 'stats_snapshot', parent_task_id: 'r1', project_id: 'p', counts: { completed: 3, failed: 1, pending: 2, processing: 1 } },
  { ...base, event_type: 'phase_started', phase: 'enumeration', parent_task_id: 'r1', project_id: 'p', message: 'go', counts: { subspaces: 4 } },
  { ...base, event_type: 'stats_snapshot', meta: { truncated: true, original_size: 9000 } },
  // The WS snapshot, hand-built frames and older emitters: fields missing, epoch timestamps, string worker ids.
  { event_id: 'snapshot', ts: '2025-08-09T16:05:00Z', event_type: 'stats_snapshot', queue: { high_priority: 1 }, meta: { workers_online: 8, snapshot: true } },
  { event_type: 'worker_started', worker_id: '9' },
  { event_type: 'worker_heartbeat', ts: 1_754_755_500, worker_id: 1 },
  { ...base, event_type: 'exploded', extra_field: { anything: [1, 2] } },
];

const INVALID: [Record<string, unknown>, string][] = [
  [{ ...base }, 'event_type'],
  [{ ...base, event_type: 7 }, 'event_type'],
  [{ ...base, event_type: '' }, 'event_type'],
  [{ ...base, event_type: 'x'.repeat(201) }, 'event_type'],
  [{ ...base, event_type: 'task_started', event_id: '' }, 'event_id'],
  [{ ...base, event_type: 'task_started', event_id: 42 }, 'event_id'],
  [{ ...base, event_type: 'task_started', ts: true }, 'ts'],
  [{ ...base, event_type: 'task_started', ts: { at: 1 } }, 'ts'],
  [{ ...base, event_type: 'task_started', worker_id: 0.5 }, 'worker_id'],
  [{ ...base, event_type: 'task_started', worker_id: '' }, 'worker_id'],
  [{ ...base, event_type: 'task_started', worker_id: [1] }, 'worker_id'],
  [{ ...base, event_type: 'task_started', worker_id: 2 ** 60 }, 'worker_id'],
  [{ ...base, event_type: 'task_started', retry_count: '1' }, 'retry_count'],
  [{ ...base, event_type: 'task_started', retry_count: 1.5 }, 'retry_count'],
  [{ ...base, event_type: 'task_completed', duration_ms: '120' }, 'duration_ms'],
  [{ ...base, event_type: 'task_started', task_id: 12 }, 'task_id'],
  [{ ...base, event_type: 'task_started', project_id: {} }, 'project_id'],
  [{ ...base, event_type: 'task_started', status: false }, 'status'],
  [{ ...base, event_type: 'task_failed', error: ['x'] }, 'error'],
  [{ ...base, event_type: 'phase_started', phase: 1 }, 'phase'],
  [{ ...base, event_type: 'worker_started', message: 3 }, 'message'],
  [{ ...base, event_type: 'stats_snapshot', queue: [1, 2] }, 'queue'],
  [{ ...base, event_type: 'stats_snapshot', queue: { high_priority: 'many' } }, 'queue.high_priority'],
  [{ ...base, event_type: 'stats_snapshot', counts: { done: null } }, 'counts.done'],
  [{ ...base, event_type: 'stats_snapshot', counts: 5 }, 'counts'],
  [{ ...base, event_type: 'stats_snapshot', meta: 'x' }, 'meta'],
  [{ ...base, event_type: 'stats_snapshot', meta: [] }, 'meta'],
];

test('accepts every MonitoringEvent shape of protocols.md §2 (and the tolerated older ones)', () => {
  for (const event of VALID) {
    assert.equal(nexusEventProblem(event), undefined, JSON.stringify(event));
    assert.ok(referenceSchema.safeParse(event).success, `the reference agrees: ${JSON.stringify(event)}`);
  }
});

test('rejects malformed events with a reason that names the field and what was expected', () => {
  for (const [event, field] of INVALID) {
    const problem = nexusEventProblem(event);
    assert.ok(problem !== undefined, `accepted ${JSON.stringify(event)}`);
    assert.ok(problem.startsWith(`${field}: expected `), `${field}: ${problem}`);
    assert.ok(!referenceSchema.safeParse(event).success, `the reference agrees: ${JSON.stringify(event)}`);
  }
  assert.equal(nexusEventProblem({ ...base, event_type: 'task_started', worker_id: 0.5 }), 'worker_id: expected an integer, a string of 1–200 characters or null, got 0.5');
  assert.equal(nexusEventProblem({ event_type: 'task_started', task_id: 12 }), 'task_id: expected a string or null, got 12');
});

test('agrees with the zod schema it replaced on generated variations of each field', () => {
  const samples: unknown[] = [undefined, null, 0, -1, 1.5, 2 ** 60, Number.MAX_SAFE_INTEGER, '', 'x', '7', 'y'.repeat(201), true, [], [1], {}, { a: 1 }, { a: 'b' }, { a: null }];
  const fields = Object.keys(referenceSchema.shape);
  let compared = 0;
  for (const field of fields) {
    for (const value of samples) {
      const event: Record<string, unknown> = { ...base, event_type: 'task_started' };
      if (value === undefined) delete event[field];
      else event[field] = value;
      const ours = nexusEventProblem(event) === undefined;
      const reference = referenceSchema.safeParse(event).success;
      assert.equal(ours, reference, `${field} = ${JSON.stringify(value)}: ours ${ours}, zod ${reference}`);
      compared++;
    }
  }
  assert.equal(compared, fields.length * samples.length);
});
