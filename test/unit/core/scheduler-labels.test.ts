// Scheduler rows and the throughput tooltip: plain text from SchedulerView and per-minute points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulerDescription, schedulerDetails, throughputLines } from '../../../src/core/views/scheduler-labels';
import { schedulerView } from '../../../src/sources/redis/bullmq-schedulers';

test('scheduler views from repeat hashes: job scheduler (has ic), hashed legacy (no ic), oldest legacy (no hash)', () => {
  // HASH_FIELDS order: name, pattern, every, tz, limit, ic, startDate, endDate
  assert.deepEqual(schedulerView('s1', 1000, ['tick', null, '10000', null, null, '3', null, null], 40),
    { id: 's1', kind: 'scheduler', next: 1000, name: 'tick', pattern: undefined, every: 10000, tz: undefined, limit: undefined, iterations: 3, startDate: undefined, endDate: undefined, templateBytes: 40 });
  assert.equal(schedulerView('abc', 5, ['legacy', '*/5 * * * *', null, null, null, null, null, null], 0).kind, 'legacy');
  const oldest = schedulerView('report:job1:1700000000000:UTC:0 * * * *', 5, [], 0);
  assert.deepEqual([oldest.kind, oldest.name, oldest.endDate, oldest.tz, oldest.pattern], ['legacy', 'report', 1700000000000, 'UTC', '0 * * * *']);
});

test('descriptions say the rule and when it runs next; details list every known field', () => {
  const now = 1_000_000;
  assert.equal(schedulerDescription({ id: 'a', kind: 'scheduler', every: 10_000, next: now + 90_000 }, now), 'every 10 s · next in 1 min 30 s');
  assert.equal(schedulerDescription({ id: 'b', kind: 'scheduler', pattern: '0 * * * *', tz: 'Europe/Paris', next: now - 5_000 }, now), '0 * * * * (Europe/Paris) · due 5 s ago');
  assert.equal(schedulerDescription({ id: 'c', kind: 'legacy', pattern: '*/5 * * * *' }, now), 'legacy repeat */5 * * * *');
  const details = schedulerDetails({ id: 'a', kind: 'scheduler', name: 'tick', every: 10_000, iterations: 4, limit: 10, next: 0, templateBytes: 12 });
  assert.deepEqual(details, ['Job scheduler a', 'Template job name: tick', 'Rule: every 10 s', 'Next run: 1970-01-01T00:00:00.000Z', 'Iterations so far: 4 of 10', 'Template data + options: 12 bytes']);
});

test('throughput: newest minute and the last hour average; nothing without points', () => {
  assert.equal(throughputLines([], []), undefined);
  const m = (i: number): number => 1_700_000_040_000 + i * 60_000;
  const completed = Array.from({ length: 90 }, (_, i) => [m(i), i < 30 ? 1000 : 6] as const);
  const lines = throughputLines(completed, [[m(89), 2]]);
  assert.ok(lines);
  assert.match(lines[0]!, /: 6 completed, 2 failed$/);
  assert.equal(lines[1], 'Last hour average: 6 completed/min, 2 failed/min');
});
