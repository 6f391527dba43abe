// rhailib key classification and hash-row parsing (shared/reference/protocols.md §1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRhaiKey, countStatuses, parseRhaiRow, RHAI_ROW_FIELDS, RHAI_SCHEMES } from '../../../src/sources/redis/rhailib-layout';
import { parseTimestamp } from '../../../src/sources/redis/redis-values';

const row = (fields: Record<string, string>) => RHAI_ROW_FIELDS.map((f) => fields[f] ?? null);

test('keys of both schemes are classified; look-alikes are not', () => {
  assert.deepEqual(classifyRhaiKey('rhai_tasks:02ab'), { kind: 'queue', scheme: RHAI_SCHEMES.rhai, worker: '02ab' });
  assert.deepEqual(classifyRhaiKey('rhai_task_details:t1'), { kind: 'task', scheme: RHAI_SCHEMES.rhai, id: 't1' });
  assert.deepEqual(classifyRhaiKey('hero:job:j1'), { kind: 'task', scheme: RHAI_SCHEMES.hero, id: 'j1' });
  assert.deepEqual(classifyRhaiKey('hero:work_queue:osis'), { kind: 'queue', scheme: RHAI_SCHEMES.hero, worker: 'osis' });
  for (const k of ['rhai_tasks:', 'hero:job:', 'hero:stop_queue:osis', 'rhai_reply:abc', 'hero:whatever']) assert.equal(classifyRhaiKey(k), undefined, k);
});

test('a Hero job row names its worker; a circles-era row routes by context id, snake or camel case', () => {
  const hero = parseRhaiRow(RHAI_SCHEMES.hero, 'j1', row({ status: 'started', worker_id: 'osis', context_id: 'ctx', created_at: '2025-07-29T10:00:00Z', retries: '2' }));
  assert.ok(hero.ok);
  assert.equal(hero.row.worker, 'osis');
  assert.equal(hero.row.retries, 2);
  assert.equal(hero.row.createdAt, Date.UTC(2025, 6, 29, 10));
  const circle = parseRhaiRow(RHAI_SCHEMES.rhai, 't1', row({ status: 'pending', contextId: 'pk' }));
  assert.ok(circle.ok);
  assert.equal(circle.row.worker, 'pk');
});

test('rows without a status, with a bad count, or empty are refused with the reason', () => {
  const none = parseRhaiRow(RHAI_SCHEMES.hero, 'x', row({}));
  assert.ok(!none.ok && /none of the expected fields/.test(none.problem));
  const noStatus = parseRhaiRow(RHAI_SCHEMES.hero, 'x', row({ worker_id: 'w' }));
  assert.ok(!noStatus.ok && /status/.test(noStatus.problem));
  const badRetries = parseRhaiRow(RHAI_SCHEMES.hero, 'x', row({ status: 'started', retries: '-1' }));
  assert.ok(!badRetries.ok && /retries/.test(badRetries.problem));
});

test('counts use the scheme\'s names, zero-filled, and keep unknown statuses as written', () => {
  const rows = ['finished', 'finished', 'cancelled'].map((status, i) => {
    const r = parseRhaiRow(RHAI_SCHEMES.hero, String(i), row({ status }));
    assert.ok(r.ok);
    return r.row;
  });
  assert.deepEqual(countStatuses(RHAI_SCHEMES.hero, rows), { dispatched: 0, started: 0, error: 0, finished: 2, cancelled: 1 });
});

test('timestamps: ISO with or without zone, unix seconds (float) and milliseconds', () => {
  assert.equal(parseTimestamp('2025-08-09T16:05:00.123456+00:00'), Date.UTC(2025, 7, 9, 16, 5, 0, 123));
  assert.equal(parseTimestamp('2025-08-09T16:05:00'), Date.UTC(2025, 7, 9, 16, 5));
  assert.equal(parseTimestamp('1753783200.5'), 1753783200_500);
  assert.equal(parseTimestamp(1753783200500), 1753783200500);
  assert.equal(parseTimestamp('yesterday'), undefined);
  assert.equal(parseTimestamp(''), undefined);
});
