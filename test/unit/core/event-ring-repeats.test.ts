// The event ring records changes, not the unchanged queues and workers a polling source repeats every poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import type { Queue, Worker } from '../../../src/core/model/entities';

const queue = (counts: Record<string, number>, paused = false): Queue => ({ connectionId: 'c', system: 'bullmq', name: 'emails', counts, paused, updatedAt: Date.now() });
const worker = (status: Worker['status']): Worker => ({ connectionId: 'c', system: 'bullmq', id: 'w1', queue: 'emails', status, lastSeen: 1, updatedAt: Date.now() });

test('a repeated, unchanged queue.upsert is not a new event; a changed one is', () => {
  const store = new MonitorStore();
  assert.equal(store.apply({ type: 'queue.upsert', queue: queue({ waiting: 1 }) }).events, 1);
  assert.equal(store.apply({ type: 'queue.upsert', queue: queue({ waiting: 1 }) }).events, 0);
  assert.equal(store.eventCount(), 1);
  assert.equal(store.apply({ type: 'queue.upsert', queue: queue({ waiting: 2 }) }).events, 1);
  assert.equal(store.apply({ type: 'queue.upsert', queue: queue({ waiting: 2 }, true) }).events, 1);
  assert.equal(store.eventCount(), 3);
  // The store still holds the newest copy (its updatedAt moves on).
  assert.equal(store.queues('c')[0]?.paused, true);
});

test('a repeated, unchanged worker.upsert is not a new event; a status change is', () => {
  const store = new MonitorStore();
  store.apply({ type: 'worker.upsert', worker: worker('online') });
  store.apply({ type: 'worker.upsert', worker: worker('online') });
  store.apply({ type: 'worker.upsert', worker: worker('idle') });
  assert.equal(store.eventCount(), 2);
  assert.deepEqual(store.recentEvents(10).map((e) => e.type === 'worker.upsert' && e.worker.status), ['idle', 'online']);
});
