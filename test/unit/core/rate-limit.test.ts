// PerKeyRateLimit: first of a kind allowed, then one per window with the suppressed count; keys are bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PerKeyRateLimit } from '../../../src/core/util/rate-limit';

describe('PerKeyRateLimit', () => {
  test('the first occurrence is allowed with nothing suppressed', () => {
    assert.equal(new PerKeyRateLimit(1_000).allow('schema', 0), 0);
  });

  test('repeats within the window are suppressed, then the next one reports how many were', () => {
    const rl = new PerKeyRateLimit(1_000);
    assert.equal(rl.allow('schema', 0), 0);
    assert.equal(rl.allow('schema', 1), undefined);
    assert.equal(rl.allow('schema', 500), undefined);
    assert.equal(rl.allow('schema', 999), undefined);
    assert.equal(rl.allow('schema', 1_000), 3, 'the window is half-open: exactly windowMs later is allowed');
    assert.equal(rl.allow('schema', 1_500), undefined);
    assert.equal(rl.allow('schema', 2_000), 1);
    assert.equal(rl.allow('schema', 5_000), 0, 'the count resets after each report');
  });

  test('the window runs from the last allowed occurrence, not from the last suppressed one', () => {
    const rl = new PerKeyRateLimit(100);
    rl.allow('k', 0);
    for (let t = 10; t < 100; t += 10) assert.equal(rl.allow('k', t), undefined);
    assert.equal(rl.allow('k', 100), 9);
  });

  test('keys are independent', () => {
    const rl = new PerKeyRateLimit(1_000);
    assert.equal(rl.allow('a', 0), 0);
    assert.equal(rl.allow('b', 1), 0);
    assert.equal(rl.allow('a', 2), undefined);
    assert.equal(rl.allow('b', 3), undefined);
    assert.equal(rl.allow('b', 4), undefined);
    assert.equal(rl.allow('a', 1_000), 1);
    assert.equal(rl.allow('b', 1_001), 2);
  });

  test('at most maxKeys kinds are remembered; the oldest is forgotten first', () => {
    const rl = new PerKeyRateLimit(1_000, 2);
    rl.allow('a', 0);
    rl.allow('b', 0);
    rl.allow('a', 1); // suppressed, still remembered
    assert.equal(rl.allow('c', 2), 0, 'a third kind pushes out "a"');
    assert.equal(rl.allow('a', 3), 0, '"a" is new again, so it is logged (its suppressed count is lost)');
    assert.equal(rl.allow('c', 4), undefined, '"c" is still remembered');
  });
});
