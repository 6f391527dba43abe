// backoffDelay: exponential growth, the cap, and jitter bounds, with the randomness injected.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../../../src/core/connection/backoff';

const policy = (overrides: Partial<BackoffPolicy> = {}): BackoffPolicy => ({ initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0, ...overrides });
const fixed = (value: number) => () => value;

describe('backoffDelay', () => {
  test('without jitter, grows by the multiplier from initialDelayMs and stops at maxDelayMs', () => {
    const delays = [1, 2, 3, 4, 5, 6, 20].map((attempt) => backoffDelay(attempt, policy(), fixed(0.7)));
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  test('honours other multipliers', () => {
    assert.deepEqual([1, 2, 3].map((a) => backoffDelay(a, policy({ multiplier: 3, maxDelayMs: 10_000 }), fixed(0))), [100, 300, 900]);
    assert.deepEqual([1, 2, 3].map((a) => backoffDelay(a, policy({ multiplier: 1 }), fixed(0))), [100, 100, 100]);
  });

  test('attempts below 1 are treated as the first', () => {
    assert.equal(backoffDelay(0, policy(), fixed(0)), 100);
    assert.equal(backoffDelay(-3, policy(), fixed(0)), 100);
  });

  test('jitter randomizes the given fraction of the delay: [base·(1−jitter), base)', () => {
    const p = policy({ jitter: 0.5 });
    assert.equal(backoffDelay(3, p, fixed(0)), 200, 'lowest: half of 400');
    assert.equal(backoffDelay(3, p, fixed(0.5)), 300);
    assert.equal(backoffDelay(3, p, fixed(0.999_999)), 400, 'highest rounds up to the base');
  });

  test('full jitter can go down to 0', () => {
    assert.equal(backoffDelay(5, policy({ jitter: 1 }), fixed(0)), 0);
    assert.equal(backoffDelay(5, policy({ jitter: 1 }), fixed(0.25)), 250);
  });

  test('jitter outside [0, 1] is clamped', () => {
    assert.equal(backoffDelay(2, policy({ jitter: 3 }), fixed(0)), 0, 'treated as 1');
    assert.equal(backoffDelay(2, policy({ jitter: -1 }), fixed(0)), 200, 'treated as 0');
  });

  test('results are whole milliseconds', () => {
    assert.equal(backoffDelay(1, policy({ initialDelayMs: 333, jitter: 0.5 }), fixed(0.333)), Math.round(166.5 + 166.5 * 0.333));
  });

  test('the default policy starts at 500 ms and caps at 30 s', () => {
    assert.deepEqual(DEFAULT_BACKOFF, { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, jitter: 0.5 });
    assert.equal(backoffDelay(1, { ...DEFAULT_BACKOFF, jitter: 0 }, fixed(0)), 500);
    assert.equal(backoffDelay(50, { ...DEFAULT_BACKOFF, jitter: 0 }, fixed(0)), 30_000);
  });

  test('property: always an integer within [round(base·(1−jitter)), base] and never above maxDelayMs', () => {
    fc.assert(fc.property(
      fc.integer({ min: -2, max: 60 }),
      fc.record({
        initialDelayMs: fc.integer({ min: 0, max: 10_000 }),
        maxDelayMs: fc.integer({ min: 0, max: 120_000 }),
        multiplier: fc.double({ min: 1, max: 5, noNaN: true }),
        jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, p, r) => {
        const delay = backoffDelay(attempt, p, fixed(r));
        const base = Math.min(p.maxDelayMs, p.initialDelayMs * p.multiplier ** Math.max(0, attempt - 1));
        assert.ok(Number.isInteger(delay), `integer, got ${delay}`);
        assert.ok(delay >= 0 && delay <= p.maxDelayMs, `${delay} within [0, ${p.maxDelayMs}]`);
        assert.ok(delay >= Math.round(base * (1 - p.jitter)) - 1 && delay <= Math.round(base), `${delay} within jitter bounds of ${base}`);
      },
    ));
  });
});
