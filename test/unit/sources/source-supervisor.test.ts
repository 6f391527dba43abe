// SourceSupervisor driving a fake in-memory Source with real (short) timers: the connection.state sequence,
// retries with backoff, permanent failures, lost connections, stop, rejected frames and stale attempts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConnectionProfile } from '../../../src/core/config/connection-profile';
import type { MonitorEvent } from '../../../src/core/model/events';
import {
  PermanentSourceError, type ActionDeclaration, type ActionResult, type Source, type SourceContext, type SourceLogger,
} from '../../../src/core/source/source';
import { describeError, SourceSupervisor, type SupervisorOptions } from '../../../src/sources/source-supervisor';
import { aConnectionProfile, ev, ManualClock, T0 } from '../../fixtures/builders';

const POLICY = { initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 };

interface Deferred { promise: Promise<void>; resolve(): void; reject(error: Error): void }
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

type Outcome = { kind: 'ok' } | { kind: 'fail'; error: unknown } | { kind: 'hang'; d: Deferred };

/** A Source whose connect() succeeds, fails or hangs on command (default: succeeds). */
class FakeSource implements Source {
  readonly calls: string[] = [];
  readonly contexts: SourceContext[] = [];
  readonly lostCallbacks: ((error: Error) => void)[] = [];
  private readonly outcomes: Outcome[] = [];

  constructor(readonly profile: ConnectionProfile = aConnectionProfile({ id: 'fake' })) {}

  willConnect(): this { this.outcomes.push({ kind: 'ok' }); return this; }
  willFail(error: unknown): this { this.outcomes.push({ kind: 'fail', error }); return this; }
  willHang(): Deferred { const d = deferred(); this.outcomes.push({ kind: 'hang', d }); return d; }

  get connects(): number { return this.calls.filter((c) => c === 'connect').length; }
  /** The onLost callback of the latest connect. */
  lose(error = new Error('socket closed')): void { this.lostCallbacks.at(-1)?.(error); }

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.calls.push('connect');
    this.contexts.push(ctx);
    this.lostCallbacks.push(onLost);
    const o = this.outcomes.shift() ?? { kind: 'ok' };
    if (o.kind === 'fail') throw o.error;
    if (o.kind === 'hang') await o.d.promise;
  }
  async disconnect(): Promise<void> { this.calls.push('disconnect'); }
  setVisible(visible: boolean): void { this.calls.push(`visible:${visible}`); }
  async refresh(): Promise<void> { this.calls.push('refresh'); }
  actions(): readonly ActionDeclaration[] { return []; }
  async runAction(): Promise<ActionResult> { return { ok: false, affected: 0, message: 'none' }; }
}

class CollectingLogger implements SourceLogger {
  readonly lines: string[] = [];
  debug(m: string): void { this.lines.push(`debug ${m}`); }
  info(m: string): void { this.lines.push(`info ${m}`); }
  warn(m: string): void { this.lines.push(`warn ${m}`); }
  error(m: string): void { this.lines.push(`error ${m}`); }
}

function setup(source = new FakeSource(), options: SupervisorOptions = {}) {
  const events: MonitorEvent[] = [];
  const log = new CollectingLogger();
  const supervisor = new SourceSupervisor(source, (e) => events.push(e), log, { policy: POLICY, ...options });
  /** connection.state events as [state, error, retryInMs, attempt]. */
  const states = () => events.flatMap((e) => (e.type === 'connection.state' ? [[e.state, e.error, e.retryInMs, e.attempt] as const] : []));
  const stateNames = () => states().map(([s]) => s);
  return { source, supervisor, events, log, states, stateNames };
}

/** Polls until `done()` holds; the 1 ms timers also keep the event loop alive (the supervisor unrefs its own). */
async function waitFor(done: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SourceSupervisor: connecting', () => {
  test('emits connecting (attempt 1) then connected, and tells the source the current visibility', async () => {
    const { source, supervisor, states } = setup();
    supervisor.setVisible(true);
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    assert.deepEqual(states(), [['connecting', undefined, undefined, 1], ['connected', undefined, undefined, undefined]]);
    assert.deepEqual(source.calls, ['visible:true', 'connect', 'visible:true']);
    assert.equal(supervisor.id, 'fake');
    await supervisor.stop();
  });

  test('state events carry the connection id and the injected clock\'s time', async () => {
    const clock = new ManualClock(T0 + 123);
    const { supervisor, events } = setup(undefined, { clock });
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    assert.deepEqual(events[0], { type: 'connection.state', connectionId: 'fake', state: 'connecting', error: undefined, retryInMs: undefined, attempt: 1, at: T0 + 123 });
    await supervisor.stop();
  });

  test('start while already connecting or connected does nothing', async () => {
    const { source, supervisor } = setup();
    supervisor.start();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    supervisor.start();
    await sleep(10);
    assert.equal(source.connects, 1);
    await supervisor.stop();
  });
});

describe('SourceSupervisor: retrying', () => {
  test('a failed connect emits reconnecting with the error, retry delay and next attempt, then retries and connects', async () => {
    const source = new FakeSource().willFail(new Error('connect ECONNREFUSED 127.0.0.1:6379')).willConnect();
    const { supervisor, states, log } = setup(source);
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected after one retry');
    assert.deepEqual(states(), [
      ['connecting', undefined, undefined, 1],
      ['reconnecting', 'connect ECONNREFUSED 127.0.0.1:6379', 5, 2],
      ['connecting', undefined, undefined, 2],
      ['connected', undefined, undefined, undefined],
    ]);
    assert.deepEqual(source.calls, ['connect', 'disconnect', 'connect', 'visible:false'], 'a failed attempt is cleaned up before the retry');
    assert.deepEqual(log.lines, ['warn [fake] connect failed (attempt 1): connect ECONNREFUSED 127.0.0.1:6379']);
    await supervisor.stop();
  });

  test('repeated failures back off exponentially up to maxDelayMs', async () => {
    const source = new FakeSource().willFail(new Error('e1')).willFail(new Error('e2')).willFail(new Error('e3')).willFail(new Error('e4')).willConnect();
    const { supervisor, states } = setup(source);
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected after four retries');
    assert.deepEqual(states().filter(([s]) => s === 'reconnecting'), [
      ['reconnecting', 'e1', 5, 2], ['reconnecting', 'e2', 10, 3], ['reconnecting', 'e3', 20, 4], ['reconnecting', 'e4', 20, 5],
    ]);
    assert.equal(source.connects, 5);
    await supervisor.stop();
  });

  test('a PermanentSourceError leaves the connection disconnected with the reason and no retry', async () => {
    const source = new FakeSource().willFail(new PermanentSourceError('system "celery" is not supported'));
    const { supervisor, states } = setup(source);
    supervisor.start();
    await waitFor(() => states().length === 2, 'disconnected');
    await sleep(40); // well past any retry delay
    assert.deepEqual(states(), [['connecting', undefined, undefined, 1], ['disconnected', 'system "celery" is not supported', undefined, undefined]]);
    assert.equal(supervisor.phase, 'stopped');
    assert.deepEqual(source.calls, ['connect', 'disconnect']);
  });

  test('reconnectNow after a permanent failure starts over at attempt 1', async () => {
    const source = new FakeSource().willFail(new PermanentSourceError('bad credentials')).willConnect();
    const { supervisor, states } = setup(source);
    supervisor.start();
    await waitFor(() => supervisor.phase === 'stopped' && states().length === 2, 'disconnected');
    supervisor.reconnectNow();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    assert.deepEqual(states().slice(2), [['connecting', undefined, undefined, 1], ['connected', undefined, undefined, undefined]]);
    await supervisor.stop();
  });

  test('reconnectNow while waiting skips the rest of the backoff', async () => {
    const source = new FakeSource().willFail(new Error('down')).willConnect();
    const { supervisor, stateNames } = setup(source, { policy: { ...POLICY, initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    supervisor.start();
    await waitFor(() => supervisor.phase === 'waiting', 'waiting');
    const started = Date.now();
    supervisor.reconnectNow();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(stateNames(), ['connecting', 'reconnecting', 'connecting', 'connected']);
    await supervisor.stop();
  });

  test('reconnectNow while connecting or connected does nothing', async () => {
    const { source, supervisor } = setup();
    supervisor.start();
    supervisor.reconnectNow();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    supervisor.reconnectNow();
    await sleep(10);
    assert.equal(source.connects, 1);
    await supervisor.stop();
  });

  test('errors are described by their message (first of an AggregateError), falling back to the name or String()', async () => {
    assert.equal(describeError(new Error('boom')), 'boom');
    assert.equal(describeError(new AggregateError([new Error('connect ECONNREFUSED ::1:6379'), new Error('second')], '')), 'connect ECONNREFUSED ::1:6379');
    assert.equal(describeError(new AggregateError([], 'all failed')), 'all failed');
    assert.equal(describeError(new TypeError('')), 'TypeError');
    assert.equal(describeError('plain'), 'plain');
    assert.equal(describeError(42), '42');
    const source = new FakeSource().willFail('a string, not an Error').willConnect();
    const { supervisor, states } = setup(source);
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    assert.equal(states()[1]?.[1], 'a string, not an Error');
    await supervisor.stop();
  });
});

describe('SourceSupervisor: lost connections and stop', () => {
  test('onLost after connecting disconnects, reports reconnecting with the reason, and reconnects', async () => {
    const { source, supervisor, states, log } = setup();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    source.lose(new Error('read ECONNRESET'));
    await waitFor(() => source.connects === 2 && supervisor.phase === 'connected', 'reconnected');
    assert.deepEqual(states(), [
      ['connecting', undefined, undefined, 1],
      ['connected', undefined, undefined, undefined],
      ['reconnecting', 'read ECONNRESET', 5, 2],
      ['connecting', undefined, undefined, 2],
      ['connected', undefined, undefined, undefined],
    ]);
    assert.deepEqual(source.calls, ['connect', 'visible:false', 'disconnect', 'connect', 'visible:false']);
    assert.deepEqual(log.lines, ['warn [fake] connection lost: read ECONNRESET']);
    await supervisor.stop();
  });

  test('a connection that keeps dropping right after connecting keeps backing off', async () => {
    const { source, supervisor, states } = setup();
    supervisor.start();
    for (let i = 1; i <= 3; i++) {
      await waitFor(() => supervisor.phase === 'connected' && source.connects === i, `connected #${i}`);
      source.lose();
    }
    await waitFor(() => source.connects === 4, 'fourth connect');
    assert.deepEqual(states().filter(([s]) => s === 'reconnecting').map(([, , delay, attempt]) => [delay, attempt]), [[5, 2], [10, 3], [20, 4]]);
    await supervisor.stop();
  });

  test('onLost reported twice causes one reconnect', async () => {
    const { source, supervisor, stateNames } = setup();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    source.lose();
    source.lose();
    await waitFor(() => source.connects === 2 && supervisor.phase === 'connected', 'reconnected');
    await sleep(20);
    assert.equal(source.connects, 2);
    assert.deepEqual(stateNames(), ['connecting', 'connected', 'reconnecting', 'connecting', 'connected']);
    await supervisor.stop();
  });

  test('onLost from an earlier connection, or before connected, is ignored', async () => {
    const source = new FakeSource();
    const hang = source.willHang();
    const { supervisor, stateNames } = setup(source);
    supervisor.start();
    await waitFor(() => source.connects === 1, 'connect called');
    source.lose(); // still connecting: connect() itself reports failure in that case
    hang.resolve();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    const firstLost = source.lostCallbacks[0]!;
    source.lose();
    await waitFor(() => source.connects === 2 && supervisor.phase === 'connected', 'reconnected');
    firstLost(new Error('late news from the first socket'));
    await sleep(20);
    assert.equal(source.connects, 2);
    assert.deepEqual(stateNames(), ['connecting', 'connected', 'reconnecting', 'connecting', 'connected']);
    await supervisor.stop();
  });

  test('stop() while waiting cancels the retry and reports stopped', async () => {
    const source = new FakeSource().willFail(new Error('down'));
    const { supervisor, stateNames } = setup(source);
    supervisor.start();
    await waitFor(() => supervisor.phase === 'waiting', 'waiting');
    await supervisor.stop();
    await sleep(40); // several retry delays
    assert.equal(source.connects, 1);
    assert.equal(supervisor.phase, 'stopped');
    assert.deepEqual(stateNames(), ['connecting', 'reconnecting', 'stopped']);
    assert.deepEqual(source.calls, ['connect', 'disconnect', 'disconnect']);
  });

  test('stop() while connected disconnects and reports stopped; onLost afterwards is ignored', async () => {
    const { source, supervisor, stateNames } = setup();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    await supervisor.stop();
    source.lose();
    await sleep(20);
    assert.deepEqual(stateNames(), ['connecting', 'connected', 'stopped']);
    assert.deepEqual(source.calls, ['connect', 'visible:false', 'disconnect']);
  });

  test('start after stop connects again from attempt 1', async () => {
    const { source, supervisor, states } = setup();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    await supervisor.stop();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected' && source.connects === 2, 'connected again');
    assert.deepEqual(states().slice(3), [['connecting', undefined, undefined, 1], ['connected', undefined, undefined, undefined]]);
    await supervisor.stop();
  });
});

describe('SourceSupervisor: stale attempts', () => {
  test('a late success from an attempt abandoned by stop() is ignored', async () => {
    const source = new FakeSource();
    const first = source.willHang();
    const { supervisor, stateNames } = setup(source);
    supervisor.start();
    await waitFor(() => source.connects === 1, 'first connect');
    await supervisor.stop();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected' && source.connects === 2, 'second attempt connected');
    const before = stateNames();
    first.resolve();
    await sleep(10);
    assert.deepEqual(stateNames(), before);
    assert.deepEqual(before, ['connecting', 'stopped', 'connecting', 'connected']);
    await supervisor.stop();
  });

  test('a late failure from an abandoned attempt neither logs nor schedules a retry', async () => {
    const source = new FakeSource();
    const first = source.willHang();
    const { supervisor, stateNames, log } = setup(source);
    supervisor.start();
    await waitFor(() => source.connects === 1, 'first connect');
    await supervisor.stop();
    first.reject(new Error('too late'));
    await sleep(30);
    assert.deepEqual(stateNames(), ['connecting', 'stopped']);
    assert.deepEqual(log.lines, []);
    assert.equal(source.connects, 1);
    assert.equal(supervisor.phase, 'stopped');
  });

  test('events emitted through an abandoned attempt\'s context are dropped; the current one\'s pass', async () => {
    const source = new FakeSource();
    source.willHang();
    const { supervisor, events } = setup(source);
    supervisor.start();
    await waitFor(() => source.connects === 1, 'first connect');
    await supervisor.stop();
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected' && source.connects === 2, 'connected');
    const [oldCtx, newCtx] = source.contexts;
    const count = events.length;
    oldCtx!.emit(ev.queue({ connectionId: 'fake', name: 'stale' }));
    oldCtx!.reject('schema', 'stale frame');
    newCtx!.emit(ev.queue({ connectionId: 'fake', name: 'fresh' }));
    assert.deepEqual(events.slice(count).map((e) => (e.type === 'queue.upsert' ? e.queue.name : e.type)), ['fresh']);
    await supervisor.stop();
  });
});

describe('SourceSupervisor: rejected frames', () => {
  test('every reject emits connection.rejected; the log gets one line per kind per window with the suppressed count', async () => {
    const clock = new ManualClock(T0);
    const { source, supervisor, events, log } = setup(undefined, { clock, rejectLogWindowMs: 1_000 });
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    const ctx = source.contexts[0]!;
    ctx.reject('schema', 'missing "counts"');
    clock.advance(100);
    ctx.reject('schema', 'counts.waiting is a string');
    ctx.reject('json', 'Unexpected token } in JSON');
    clock.advance(100);
    ctx.reject('schema', 'missing "name"');
    clock.advance(800); // 1 000 ms after the first schema report
    ctx.reject('schema', 'missing "id"');
    ctx.reject('schema', 'again');

    assert.deepEqual(
      events.filter((e) => e.type === 'connection.rejected'),
      [
        { type: 'connection.rejected', connectionId: 'fake', reason: 'schema', at: T0 },
        { type: 'connection.rejected', connectionId: 'fake', reason: 'schema', at: T0 + 100 },
        { type: 'connection.rejected', connectionId: 'fake', reason: 'json', at: T0 + 100 },
        { type: 'connection.rejected', connectionId: 'fake', reason: 'schema', at: T0 + 200 },
        { type: 'connection.rejected', connectionId: 'fake', reason: 'schema', at: T0 + 1_000 },
        { type: 'connection.rejected', connectionId: 'fake', reason: 'schema', at: T0 + 1_000 },
      ],
    );
    assert.deepEqual(log.lines, [
      'warn [fake] rejected schema: missing "counts"',
      'warn [fake] rejected json: Unexpected token } in JSON',
      'warn [fake] rejected schema: missing "id" (2 more of this kind since the last report)',
    ]);
    await supervisor.stop();
  });

  test('the context exposes the logger and the injected clock', async () => {
    const clock = new ManualClock(T0 + 7);
    const { source, supervisor, log } = setup(undefined, { clock });
    supervisor.start();
    await waitFor(() => supervisor.phase === 'connected', 'connected');
    const ctx = source.contexts[0]!;
    assert.equal(ctx.now(), T0 + 7);
    ctx.log.info('hello');
    assert.deepEqual(log.lines, ['info hello']);
    await supervisor.stop();
  });
});
