// ChangeCoalescer with fake timers: leading flush, at most one flush per interval, merging, pausing, discarding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChangeSet } from '../../../src/core/store/change-set';
import { ChangeCoalescer, systemTimers } from '../../../src/core/util/coalescer';
import { aChange, FakeTimers, plainChange, T0 } from '../../fixtures/builders';

function setup(intervalMs = 250) {
  const timers = new FakeTimers();
  const flushes: { at: number; change: ReturnType<typeof plainChange> }[] = [];
  const raw: ChangeSet[] = [];
  const coalescer = new ChangeCoalescer(intervalMs, (c) => { raw.push(c); flushes.push({ at: timers.now() - T0, change: plainChange(c) }); }, timers);
  return { timers, flushes, raw, coalescer };
}

const q = (name: string) => aChange({ queues: [`queue:c1:${name}`], events: 1 });

describe('ChangeCoalescer', () => {
  test('the first change flushes at once (leading edge, on a zero-delay timer)', () => {
    const { timers, flushes, coalescer } = setup();
    coalescer.add(q('a'));
    assert.deepEqual(timers.pendingDelays(), [0]);
    assert.equal(flushes.length, 0, 'never synchronously inside add()');
    timers.advance(0);
    assert.deepEqual(flushes, [{ at: 0, change: plainChange(q('a')) }]);
  });

  test('changes within the interval after a flush are merged into one trailing flush at the interval', () => {
    const { timers, flushes, coalescer } = setup(250);
    coalescer.add(q('a'));
    timers.advance(0);
    timers.advance(10);
    coalescer.add(q('b'));
    assert.deepEqual(timers.pendingDelays(), [240]);
    timers.advance(100);
    coalescer.add(q('c'));
    coalescer.add(aChange({ logs: 2, connections: ['c1'] }));
    assert.equal(timers.pendingCount, 1, 'one timer however many changes arrive');
    timers.advance(139);
    assert.equal(flushes.length, 1);
    timers.advance(1);
    assert.deepEqual(flushes[1], {
      at: 250,
      change: plainChange(aChange({ connections: ['c1'], queues: ['queue:c1:b', 'queue:c1:c'], logs: 2, events: 2 })),
    });
  });

  test('a steady stream flushes at most once per interval', () => {
    const { timers, flushes, coalescer } = setup(250);
    for (let t = 0; t < 1_000; t += 10) {
      coalescer.add(q(`q${t}`));
      timers.advance(10);
    }
    timers.advance(250);
    assert.deepEqual(flushes.map((f) => f.at), [0, 250, 500, 750, 1_000]);
    assert.equal(flushes.reduce((n, f) => n + f.change.queues.length, 0), 100, 'every change delivered exactly once');
  });

  test('after a quiet period longer than the interval, the next change flushes at once again', () => {
    const { timers, flushes, coalescer } = setup(250);
    coalescer.add(q('a'));
    timers.advance(1_000);
    coalescer.add(q('b'));
    assert.deepEqual(timers.pendingDelays(), [0]);
    timers.advance(0);
    assert.deepEqual(flushes.map((f) => f.at), [0, 1_000]);
  });

  test('each flush gets its own change set; later changes do not leak into an earlier one', () => {
    const { timers, raw, coalescer } = setup();
    coalescer.add(q('a'));
    timers.advance(0);
    coalescer.add(q('b'));
    timers.advance(250);
    assert.deepEqual([...(raw[0]?.queues ?? [])], ['queue:c1:a']);
    assert.deepEqual([...(raw[1]?.queues ?? [])], ['queue:c1:b']);
  });

  test('the added change set itself is not mutated by merging', () => {
    const { timers, coalescer } = setup();
    const first = q('a');
    coalescer.add(first);
    coalescer.add(q('b'));
    timers.advance(0);
    assert.deepEqual([...first.queues], ['queue:c1:a']);
  });

  test('while paused (view hidden), changes are dropped, nothing flushes and nothing is kept', () => {
    const { timers, flushes, coalescer } = setup(250);
    coalescer.setPaused(true);
    for (let i = 0; i < 1_000; i++) coalescer.add(q(`q${i}`));
    assert.equal(timers.pendingCount, 0);
    timers.advance(5_000);
    coalescer.setPaused(false);
    timers.advance(1_000);
    assert.equal(flushes.length, 0, 'the owner shows everything afresh on resume (tree refreshAll, panel snapshot)');
    coalescer.add(q('after'));
    timers.advance(0);
    assert.deepEqual(flushes.map((f) => f.change.queues), [['queue:c1:after']]);
  });

  test('pausing drops a flush that was scheduled', () => {
    const { timers, flushes, coalescer } = setup(250);
    coalescer.add(q('a'));
    timers.advance(0);
    coalescer.add(q('b')); // due at 250
    coalescer.setPaused(true);
    timers.advance(300);
    coalescer.add(q('c'));
    coalescer.setPaused(false);
    timers.advance(1_000);
    assert.deepEqual(flushes.map((f) => [f.at, f.change.queues]), [[0, ['queue:c1:a']]]);
  });

  test('resuming with nothing pending schedules nothing', () => {
    const { timers, coalescer } = setup();
    coalescer.setPaused(true);
    coalescer.setPaused(false);
    assert.equal(timers.pendingCount, 0);
  });

  test('resuming early waits out the rest of the interval', () => {
    const { timers, flushes, coalescer } = setup(250);
    coalescer.add(q('a'));
    timers.advance(0);
    coalescer.setPaused(true);
    timers.advance(50);
    coalescer.setPaused(false);
    coalescer.add(q('b'));
    assert.deepEqual(timers.pendingDelays(), [200]);
    timers.advance(200);
    assert.deepEqual(flushes.map((f) => f.at), [0, 250]);
  });

  test('discardPending drops what is pending and cancels the timer', () => {
    const { timers, flushes, coalescer } = setup(250);
    coalescer.add(q('a'));
    coalescer.discardPending();
    assert.equal(timers.pendingCount, 0);
    timers.advance(1_000);
    assert.equal(flushes.length, 0);
    coalescer.add(q('b'));
    timers.advance(0);
    assert.deepEqual(flushes.map((f) => f.change.queues), [['queue:c1:b']]);
  });

  test('discardPending while paused leaves nothing to flush on resume', () => {
    const { timers, flushes, coalescer } = setup();
    coalescer.setPaused(true);
    coalescer.add(q('a'));
    coalescer.discardPending();
    coalescer.setPaused(false);
    timers.advance(1_000);
    assert.equal(flushes.length, 0);
  });

  test('dispose cancels a scheduled flush', () => {
    const { timers, flushes, coalescer } = setup();
    coalescer.add(q('a'));
    coalescer.dispose();
    timers.advance(1_000);
    assert.equal(flushes.length, 0);
    assert.equal(timers.pendingCount, 0);
  });
});

describe('systemTimers', () => {
  test('set fires the callback, clear cancels it, now is wall-clock time', async () => {
    const before = Date.now();
    assert.ok(systemTimers.now() >= before && systemTimers.now() <= Date.now());
    const fired: string[] = [];
    const cancelled = systemTimers.set(() => fired.push('cancelled'), 1);
    systemTimers.clear(cancelled);
    await new Promise<void>((resolve) => {
      const keepAlive = setTimeout(resolve, 500); // systemTimers unref their handles, so hold the loop open
      systemTimers.set(() => { fired.push('fired'); clearTimeout(keepAlive); resolve(); }, 1);
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(fired, ['fired']);
  });
});
