// Queue labels: state order, one-line count summaries, compact counts and relative times.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countsSummary, formatAgo, formatCount, orderedStates, STATE_ORDER, workerLabel } from '../../../src/core/views/queue-labels';

describe('orderedStates', () => {
  test('BullMQ states in reading order, then other states alphabetically', () => {
    const counts = { failed: 1, zeta: 1, completed: 1, waiting: 1, alpha: 1, active: 1, 'waiting-children': 1 };
    assert.deepEqual(orderedStates(counts), ['waiting', 'active', 'waiting-children', 'completed', 'failed', 'alpha', 'zeta']);
  });

  test('the full BullMQ set comes out in STATE_ORDER', () => {
    const all = Object.fromEntries([...STATE_ORDER].reverse().map((s) => [s, 0]));
    assert.deepEqual(orderedStates(all), [...STATE_ORDER]);
  });

  test('keeps states with zero counts (they are still states)', () => {
    assert.deepEqual(orderedStates({ waiting: 0, failed: 0 }), ['waiting', 'failed']);
  });

  test('empty counts give no states', () => assert.deepEqual(orderedStates({}), []));
});

describe('countsSummary', () => {
  test('lists non-zero states in reading order, joined by " · "', () => {
    assert.equal(countsSummary({ failed: 5, waiting: 12, active: 3, completed: 0 }), '12 waiting · 3 active · 5 failed');
  });

  test('an all-zero or empty queue reads "empty"', () => {
    assert.equal(countsSummary({ waiting: 0, failed: 0 }), 'empty');
    assert.equal(countsSummary({}), 'empty');
  });

  test('more parts than maxParts are cut with an ellipsis', () => {
    const counts = { waiting: 1, active: 2, delayed: 3, prioritized: 4, failed: 5 };
    assert.equal(countsSummary(counts), '1 waiting · 2 active · 3 delayed · 4 prioritized · …');
    assert.equal(countsSummary(counts, 2), '1 waiting · 2 active · …');
    assert.equal(countsSummary(counts, 5), '1 waiting · 2 active · 3 delayed · 4 prioritized · 5 failed');
  });

  test('large counts are compact', () => assert.equal(countsSummary({ completed: 1_234_567, failed: 12_345 }), '1.2M completed · 12.3k failed'));
});

describe('formatCount', () => {
  const cases: [number, string][] = [
    [0, '0'], [7, '7'], [9_999, '9999'],
    [10_000, '10.0k'], [12_345, '12.3k'], [99_949, '99.9k'],
    // Rounding up to the next unit must not produce "100.0k" or "1000k".
    [99_950, '100k'], [99_999, '100k'], [100_000, '100k'], [123_456, '123k'], [999_499, '999k'],
    [999_500, '1.0M'], [999_999, '1.0M'], [1_000_000, '1.0M'], [1_250_000, '1.3M'], [12_345_678, '12.3M'],
  ];
  for (const [n, text] of cases) test(`${n} → ${text}`, () => assert.equal(formatCount(n), text));
});

describe('formatAgo', () => {
  const cases: [number, string][] = [
    [0, '0s ago'], [499, '0s ago'], [500, '1s ago'], [59_499, '59s ago'], [59_500, '1m ago'], [60_000, '1m ago'],
    [3_599_000, '59m ago'], [3_600_000, '1h ago'], [86_399_000, '23h ago'], [86_400_000, '1d ago'], [3 * 86_400_000, '3d ago'],
    [-5_000, '0s ago'],
  ];
  for (const [ms, text] of cases) test(`${ms} ms → ${text}`, () => assert.equal(formatAgo(ms), text));
});

test('numbered workers read as "worker N"; named ones keep their name', () => {
  assert.equal(workerLabel('1'), 'worker 1');
  assert.equal(workerLabel('email/email-1@127.0.0.1:5'), 'email/email-1@127.0.0.1:5');
  assert.equal(workerLabel('proplet-1'), 'proplet-1');
});
