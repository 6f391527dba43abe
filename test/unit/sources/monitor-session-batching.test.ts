// MonitorSession.apply: every event goes straight into the store and into one pending change set per tick;
// listeners get one notification per tick with what all of that tick's events changed, and every event.
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { MonitorEvent } from '../../../src/core/model/events';
import type { ChangeSet } from '../../../src/core/store/change-set';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { ev, plainChange } from '../../fixtures/builders';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('MonitorSession.apply batching', () => {
  test('a tick of events: one change notification holding all of them, and every event to onEvent in order', async () => {
    const session = new MonitorSession({ log: quiet });
    const changes: ChangeSet[] = [];
    const events: MonitorEvent[] = [];
    session.onDidChange((c) => changes.push(c));
    session.onEvent((e) => events.push(e));
    const burst: MonitorEvent[] = [
      ev.added('c1'), ev.state('c1', 'connected'),
      ...Array.from({ length: 50 }, (_, i) => ev.task({ id: String(i % 20), status: i < 20 ? 'waiting' : 'active' })),
      ev.worker({ id: 'w1' }), ev.worker({ id: 'w1' }), ev.queue({ name: 'q' }), ev.log(), ev.metric(), ev.generic('c1'),
    ];
    for (const e of burst) session.apply(e);
    assert.equal(changes.length, 0, 'nothing is notified before the tick ends');
    await tick();
    assert.equal(changes.length, 1);
    assert.deepEqual(events, burst);
    const expected = new MonitorStore().applyAll(burst);
    assert.deepEqual(plainChange(changes[0]!), plainChange(expected));
    assert.equal(changes[0]!.tasks.size, 20);
    assert.equal(session.store.tasks('c1').length, 20);
    assert.equal(session.store.task('task:c1:emails:19')?.status, 'active');
    await session.dispose();
  });

  test('the next tick starts a new change set; a tick without events notifies nothing', async () => {
    const session = new MonitorSession({ log: quiet });
    const changes: ChangeSet[] = [];
    session.onDidChange((c) => changes.push(c));
    session.apply(ev.added('c1'));
    await tick();
    session.apply(ev.task({ id: 'a' }));
    await tick();
    await tick();
    assert.equal(changes.length, 2);
    assert.notEqual(changes[0], changes[1]);
    assert.deepEqual(plainChange(changes[0]!).connections, ['c1']);
    assert.deepEqual(plainChange(changes[1]!), { connections: [], queues: [], workers: [], workflows: [], tasks: ['task:c1:emails:a'], logs: 0, metrics: 0, events: 1 });
    await session.dispose();
  });

  test('a listener added later sees only later ticks; a disposed one sees nothing more', async () => {
    const session = new MonitorSession({ log: quiet });
    const seen: number[] = [];
    const sub = session.onEvent(() => seen.push(1));
    session.apply(ev.added('c1'));
    sub.dispose();
    session.apply(ev.task({ id: 'x' }));
    await tick();
    assert.equal(seen.length, 1);
    assert.equal(session.store.tasks().length, 1, 'the store applies events whether anyone listens or not');
    await session.dispose();
  });
});
