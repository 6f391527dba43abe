// ReconnectMachine: the effects each input produces in each phase, backoff across attempts, the stability
// rule that separates a flapping connection from a stable one, stop/start, and a property test over any
// sequence of inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BackoffPolicy } from '../../../src/core/connection/backoff';
import { ReconnectMachine, type ReconnectEffect, type ReconnectInput, type ReconnectPhase } from '../../../src/core/connection/reconnect-machine';
import { ManualClock, T0 } from '../../fixtures/builders';

const POLICY: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0 };
const START: ReconnectInput = { type: 'start' };
const CONNECTED: ReconnectInput = { type: 'connected' };
const RETRY_DUE: ReconnectInput = { type: 'retry-due' };
const STOP: ReconnectInput = { type: 'stop' };
const failed = (error = 'ECONNREFUSED'): ReconnectInput => ({ type: 'failed', error });

function machine(options: { stableAfterMs?: number; random?: () => number; policy?: BackoffPolicy } = {}) {
  const clock = new ManualClock();
  const m = new ReconnectMachine(clock, { policy: POLICY, random: () => 0.5, stableAfterMs: 1_000, ...options });
  return { clock, m };
}

/** Delay of the single schedule-retry effect, failing the test when there is not exactly one. */
function retryDelay(effects: ReconnectEffect[]): number {
  assert.equal(effects.length, 1, `one effect expected, got ${JSON.stringify(effects)}`);
  const [effect] = effects;
  assert.equal(effect?.type, 'schedule-retry');
  return effect.type === 'schedule-retry' ? effect.delayMs : NaN;
}

/** Drives a machine into each phase, for the "ignored input" table. */
const PHASES: Record<ReconnectPhase['phase'], (m: ReconnectMachine) => void> = {
  idle: () => undefined,
  connecting: (m) => { m.dispatch(START); },
  connected: (m) => { m.dispatch(START); m.dispatch(CONNECTED); },
  waiting: (m) => { m.dispatch(START); m.dispatch(failed()); },
  stopped: (m) => { m.dispatch(START); m.dispatch(STOP); },
};

describe('ReconnectMachine: transitions', () => {
  test('starts idle', () => assert.deepEqual(machine().m.state, { phase: 'idle' }));

  test('start asks to connect (attempt 1)', () => {
    const { m } = machine();
    assert.deepEqual(m.dispatch(START), [{ type: 'connect', attempt: 1 }]);
    assert.deepEqual(m.state, { phase: 'connecting', attempt: 1 });
  });

  test('connected records when the connection came up', () => {
    const { m, clock } = machine();
    m.dispatch(START);
    clock.advance(42);
    assert.deepEqual(m.dispatch(CONNECTED), []);
    assert.deepEqual(m.state, { phase: 'connected', since: T0 + 42 });
  });

  test('a failed connect schedules a retry of the next attempt after initialDelayMs, keeping the error', () => {
    const { m, clock } = machine();
    m.dispatch(START);
    clock.advance(5);
    assert.deepEqual(m.dispatch(failed('ECONNREFUSED 127.0.0.1:6379')), [{ type: 'schedule-retry', delayMs: 100 }]);
    assert.deepEqual(m.state, { phase: 'waiting', attempt: 2, retryAt: T0 + 105, error: 'ECONNREFUSED 127.0.0.1:6379' });
  });

  test('retry-due connects with the waiting attempt', () => {
    const { m } = machine();
    m.dispatch(START);
    m.dispatch(failed());
    assert.deepEqual(m.dispatch(RETRY_DUE), [{ type: 'connect', attempt: 2 }]);
    assert.deepEqual(m.state, { phase: 'connecting', attempt: 2 });
  });

  test('repeated failures increase the attempt and back off exponentially up to maxDelayMs', () => {
    const { m } = machine();
    m.dispatch(START);
    const delays: number[] = [];
    const attempts: number[] = [];
    for (let i = 0; i < 7; i++) {
      delays.push(retryDelay(m.dispatch(failed())));
      const s = m.state;
      attempts.push(s.phase === 'waiting' ? s.attempt : -1);
      m.dispatch(RETRY_DUE);
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000]);
    assert.deepEqual(attempts, [2, 3, 4, 5, 6, 7, 8]);
  });

  test('jitter comes from the injected random source', () => {
    const { m } = machine({ policy: { ...POLICY, jitter: 1 }, random: () => 0.25 });
    m.dispatch(START);
    assert.equal(retryDelay(m.dispatch(failed())), 25);
    m.dispatch(RETRY_DUE);
    assert.equal(retryDelay(m.dispatch(failed())), 50);
  });

  test('a connection that drops after stableAfterMs starts backing off from the beginning', () => {
    const { m, clock } = machine({ stableAfterMs: 1_000 });
    m.dispatch(START);
    for (let i = 0; i < 3; i++) { m.dispatch(failed()); m.dispatch(RETRY_DUE); } // now connecting attempt 4
    m.dispatch(CONNECTED);
    clock.advance(1_000);
    assert.equal(retryDelay(m.dispatch(failed('reset by peer'))), 100);
    assert.deepEqual(m.state, { phase: 'waiting', attempt: 2, retryAt: T0 + 1_100, error: 'reset by peer' });
    m.dispatch(RETRY_DUE);
    assert.equal(retryDelay(m.dispatch(failed())), 200, 'and keeps growing from there');
  });

  test('a flapping connection (drops before stableAfterMs) keeps backing off', () => {
    const { m, clock } = machine({ stableAfterMs: 1_000 });
    m.dispatch(START);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      m.dispatch(CONNECTED);
      clock.advance(999);
      delays.push(retryDelay(m.dispatch(failed('reset'))));
      m.dispatch(RETRY_DUE);
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
    assert.deepEqual(m.state, { phase: 'connecting', attempt: 7 });
  });

  test('failures and flaps combine into one backoff sequence', () => {
    const { m, clock } = machine({ stableAfterMs: 1_000 });
    m.dispatch(START);
    assert.equal(retryDelay(m.dispatch(failed())), 100);
    m.dispatch(RETRY_DUE);
    m.dispatch(CONNECTED); // attempt 2 got through …
    clock.advance(10);
    assert.equal(retryDelay(m.dispatch(failed())), 200, '… but dropped at once, so it counts as attempt 2 failing');
    assert.deepEqual(m.state.phase === 'waiting' && m.state.attempt, 3);
  });

  test('stop while waiting cancels the pending retry', () => {
    const { m } = machine();
    m.dispatch(START);
    m.dispatch(failed());
    assert.deepEqual(m.dispatch(STOP), [{ type: 'cancel-retry' }]);
    assert.deepEqual(m.state, { phase: 'stopped' });
    assert.deepEqual(m.dispatch(RETRY_DUE), [], 'a timer that fires anyway is ignored');
    assert.deepEqual(m.state, { phase: 'stopped' });
  });

  test('stop while connecting or connected asks to disconnect', () => {
    for (const phase of ['connecting', 'connected'] as const) {
      const { m } = machine();
      PHASES[phase](m);
      assert.deepEqual(m.dispatch(STOP), [{ type: 'disconnect' }], phase);
      assert.deepEqual(m.state, { phase: 'stopped' });
    }
  });

  test('stop while idle or stopped just stops, with no effect', () => {
    for (const phase of ['idle', 'stopped'] as const) {
      const { m } = machine();
      PHASES[phase](m);
      assert.deepEqual(m.dispatch(STOP), [], phase);
      assert.deepEqual(m.state, { phase: 'stopped' });
    }
  });

  test('start after stop begins again at attempt 1 with the initial delay', () => {
    const { m } = machine();
    m.dispatch(START);
    for (let i = 0; i < 4; i++) { m.dispatch(failed()); m.dispatch(RETRY_DUE); }
    m.dispatch(STOP);
    assert.deepEqual(m.dispatch(START), [{ type: 'connect', attempt: 1 }]);
    assert.equal(retryDelay(m.dispatch(failed())), 100);
  });

  test('start after stop forgets the attempts a flapping connection carried', () => {
    const { m, clock } = machine();
    m.dispatch(START);
    for (let i = 0; i < 3; i++) { m.dispatch(failed()); m.dispatch(RETRY_DUE); }
    m.dispatch(STOP);
    m.dispatch(START);
    m.dispatch(CONNECTED);
    clock.advance(1);
    assert.equal(retryDelay(m.dispatch(failed())), 100);
  });

  test('uses the default policy, Math.random and a 10 s stability window when none are given', () => {
    const clock = new ManualClock();
    const m = new ReconnectMachine(clock);
    m.dispatch(START);
    const delay = retryDelay(m.dispatch(failed()));
    assert.ok(delay >= 250 && delay <= 500, `default first delay in [250, 500], got ${delay}`);
    m.dispatch(RETRY_DUE);
    m.dispatch(CONNECTED);
    clock.advance(9_999);
    const flapped = retryDelay(m.dispatch(failed()));
    assert.ok(flapped >= 500 && flapped <= 1_000, `before 10 s the connection still counts as flapping, got ${flapped}`);
  });
});

describe('ReconnectMachine: inputs that do not apply are ignored', () => {
  const ignored: [ReconnectPhase['phase'], ReconnectInput][] = [
    ['connecting', START], ['connected', START], ['waiting', START],
    ['idle', CONNECTED], ['connected', CONNECTED], ['waiting', CONNECTED], ['stopped', CONNECTED],
    ['idle', failed()], ['waiting', failed()], ['stopped', failed()],
    ['idle', RETRY_DUE], ['connecting', RETRY_DUE], ['connected', RETRY_DUE], ['stopped', RETRY_DUE],
  ];
  for (const [phase, input] of ignored) {
    test(`${input.type} while ${phase}`, () => {
      const { m } = machine();
      PHASES[phase](m);
      const before = m.state;
      assert.deepEqual(m.dispatch(input), []);
      assert.equal(m.state, before, 'state object unchanged');
    });
  }

  test('a second failure report while waiting does not double the backoff', () => {
    const { m } = machine();
    m.dispatch(START);
    m.dispatch(failed());
    m.dispatch(failed());
    m.dispatch(RETRY_DUE);
    assert.equal(retryDelay(m.dispatch(failed())), 200);
  });
});

describe('ReconnectMachine: property over any sequence of inputs', () => {
  const input = fc.oneof(
    fc.constant<ReconnectInput>(START), fc.constant<ReconnectInput>(CONNECTED), fc.constant<ReconnectInput>(RETRY_DUE),
    fc.constant<ReconnectInput>(STOP), fc.string({ maxLength: 8 }).map(failed),
  );
  const step = fc.record({ input, elapsedMs: fc.integer({ min: 0, max: 20_000 }) });
  const policyArb = fc.record({
    initialDelayMs: fc.integer({ min: 0, max: 5_000 }),
    maxDelayMs: fc.integer({ min: 0, max: 60_000 }),
    multiplier: fc.double({ min: 1, max: 4, noNaN: true }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  const randoms = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 10 });

  test('never throws, delays stay within [0, maxDelayMs], and stopped absorbs everything but start', () => {
    fc.assert(fc.property(policyArb, randoms, fc.integer({ min: 0, max: 30_000 }), fc.array(step, { maxLength: 60 }), (policy, rs, stableAfterMs, steps) => {
      const clock = new ManualClock();
      let i = 0;
      const m = new ReconnectMachine(clock, { policy, stableAfterMs, random: () => rs[i++ % rs.length] ?? 0 });
      for (const { input: inp, elapsedMs } of steps) {
        clock.advance(elapsedMs);
        const before = m.state;
        const effects = m.dispatch(inp);
        const after = m.state;
        for (const e of effects) {
          if (e.type === 'schedule-retry') {
            assert.ok(Number.isInteger(e.delayMs) && e.delayMs >= 0 && e.delayMs <= policy.maxDelayMs, `delay ${e.delayMs} within [0, ${policy.maxDelayMs}]`);
            assert.equal(after.phase, 'waiting');
            if (after.phase === 'waiting') assert.equal(after.retryAt, clock.now() + e.delayMs);
          }
          if (e.type === 'connect') assert.deepEqual(after, { phase: 'connecting', attempt: e.attempt });
        }
        assert.ok(effects.length <= 1, 'at most one effect per input');
        if (before.phase === 'stopped') {
          if (inp.type === 'start') assert.deepEqual(effects, [{ type: 'connect', attempt: 1 }]);
          else { assert.deepEqual(effects, []); assert.deepEqual(after, { phase: 'stopped' }); }
        }
        if (inp.type === 'stop') assert.deepEqual(after, { phase: 'stopped' });
        if (after.phase === 'connecting' || after.phase === 'waiting') assert.ok(after.attempt >= 1);
      }
    }), { numRuns: 300 });
  });
});
