// MetricsFeed: the catalogue and the selected series' samples in a snapshot, then only what is new.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MutableChangeSet } from '../../../src/core/store/change-set';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { MetricsFeed } from '../../../src/core/views/metrics-feed';

const sample = (name: string, timestamp: number, value: number) => ({ type: 'metric' as const, sample: { connectionId: 'c', system: 'generic' as const, name, labels: {}, timestamp, value } });

test('snapshot carries the catalogue and the selected samples; deltas append only newer samples and new series', () => {
  const store = new MonitorStore();
  store.apply({ type: 'connection.added', connectionId: 'c', name: 'c', kind: 'prometheus', system: 'generic', readOnly: false, at: 0 });
  store.applyAll([sample('a_total', 1, 1), sample('a_total', 2, 2), sample('b_bytes', 1, 10)]);
  const feed = new MetricsFeed(store, 2);
  feed.select(['c|a_total{}', 'c|a_total{}', 'x', 'y']);
  assert.deepEqual(feed.selection, ['c|a_total{}', 'x'], 'deduplicated and capped');
  const snap = feed.snapshot(0);
  assert.deepEqual(snap.catalog.map((s) => [s.name, s.kind, s.unit]), [['a_total', 'counter', 'count'], ['b_bytes', 'gauge', 'bytes']]);
  assert.deepEqual(snap.data, [{ key: 'c|a_total{}', flat: [1, 1, 2, 2] }]);
  const change = new MutableChangeSet();
  change.merge(store.applyAll([sample('a_total', 3, 5), sample('new_gauge', 3, 1)]));
  const d = feed.delta(change, 0)!;
  assert.deepEqual(d.appended, [{ key: 'c|a_total{}', flat: [3, 5] }]);
  assert.deepEqual(d.added?.map((s) => s.name), ['new_gauge']);
  assert.equal(feed.delta(new MutableChangeSet(), 0), undefined, 'nothing changed, nothing sent');
  const removal = new MutableChangeSet().merge(store.apply({ type: 'connection.removed', connectionId: 'c', at: 0 }));
  assert.deepEqual(feed.delta(removal, 0)?.removed?.sort(), ['c|a_total{}', 'c|b_bytes{}', 'c|new_gauge{}']);
});
