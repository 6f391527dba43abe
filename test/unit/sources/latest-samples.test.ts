// LatestSamples (src/sources/latest-samples.ts): metrics declared once with their label names; a sample is the latest
// of its series per drain, with the series' labels and store key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MonitorEvent } from '../../../src/core/model/events';
import { seriesKey } from '../../../src/core/store/monitor-store';
import { collectInto } from '../../../src/sources/latest-event-buffer';
import { LatestSamples } from '../../../src/sources/latest-samples';

const samples = (events: MonitorEvent[]) => events.filter((e): e is Extract<MonitorEvent, { type: 'metric' }> => e.type === 'metric').map((e) => e.sample);

test('families of none, one and two labels: the latest value per series, each with its labels; one name, two label sets, two series', () => {
  const latest = new LatestSamples('c', 'nexus');
  const online = latest.family('workers_online');
  const depth = latest.family('queue_depth', 'queue');
  const tasks = latest.family('tasks', 'status');
  const tasksByParent = latest.family('tasks', 'status', 'parent_task_id');
  const held: MonitorEvent[] = [];
  const deferred = { push: (e: MonitorEvent) => held.push(e), pushAggregated: (e: MonitorEvent) => held.push(e), defer: () => undefined };
  online.set(deferred, 3, 1);
  online.set(deferred, 4, 2);
  depth.set(deferred, 7, 2, 'high');
  depth.set(deferred, 1, 2, 'low');
  tasks.set(deferred, 5, 3, 'done');
  tasksByParent.set(deferred, 2, 3, 'done', 'r-1');
  tasksByParent.set(deferred, 9, 4, 'done', 'r-1');
  assert.equal(held.length, 0, 'nothing goes out before the drain');
  const out: MonitorEvent[] = [];
  latest.drainInto(collectInto(out));
  const got = samples(out).map((s) => `${s.name}${JSON.stringify(s.labels)}=${s.value}@${s.timestamp}`).sort();
  assert.deepEqual(got, ['queue_depth{"queue":"high"}=7@2', 'queue_depth{"queue":"low"}=1@2', 'tasks{"status":"done","parent_task_id":"r-1"}=9@4', 'tasks{"status":"done"}=5@3', 'workers_online{}=4@2']);
  for (const e of out) if (e.type === 'metric') assert.ok(seriesKey(e.sample).length > 0);
  const again: MonitorEvent[] = [];
  latest.drainInto(collectInto(again));
  assert.equal(again.length, 0, 'drained once');
});

test('bounded: past maxSeries every family starts over, and series are rebuilt with the same keys', () => {
  const latest = new LatestSamples('c', 'nexus', 3);
  const depth = latest.family('queue_depth', 'queue');
  const keys = new Set<string>();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 10; i++) {
      const out: MonitorEvent[] = [];
      depth.set(collectInto(out), i, round, `q${i}`);
      for (const e of out) if (e.type === 'metric') keys.add(seriesKey(e.sample));
    }
  }
  assert.equal(keys.size, 10, 'one key per queue, whatever was forgotten between');
});
