// Per-task metric series under many tasks: 320 Propeller tasks (start, two task_metrics frames with every
// process metric and aggregate, result) published as real frames to a mosquitto started here, with the
// default retention. Per-task series live in a budget of their own: the newest tasks keep their charts, the
// oldest tasks' are evicted (counted), and proplet series — including a proplet first seen after all the
// tasks, which the old shared cap would have refused — are never starved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoHandle } from '../../helpers/servers';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { parseConnectionProfiles } from '../../../src/core/config/connection-profile';
import { DEFAULT_RETENTION } from '../../../src/core/store/monitor-store';
import { connectedState, recordingLog, until } from '../../helpers/session-wait';

const TASKS = 320;
const BASE = 'm/dom1/c/chan1';
let mosquitto: MosquittoHandle;

before(async () => { mosquitto = await startMosquitto(); });
after(async () => { await mosquitto?.stop(); });

function taskMetrics(taskId: string, n: number): object {
  return {
    task_id: taskId, proplet_id: 'proplet-a', timestamp: new Date(Date.now()).toISOString(),
    metrics: {
      cpu_percent: 10 + n, memory_bytes: 1e6 * (n + 1), memory_percent: 1.5, disk_read_bytes: 100, disk_write_bytes: 200,
      network_rx_bytes: 300, network_tx_bytes: 400, uptime_seconds: n, thread_count: 4, file_descriptor_count: 12,
    },
    aggregated: {
      avg_cpu_usage: 10, max_cpu_usage: 12, avg_memory_usage: 1e6, max_memory_usage: 2e6, total_disk_read: 100,
      total_disk_write: 200, total_network_rx: 300, total_network_tx: 400, sample_count: n + 1,
    },
  };
}

function propletMetrics(propletId: string): object {
  return {
    proplet_id: propletId, timestamp: new Date().toISOString(),
    cpu_metrics: { user_seconds: 1, system_seconds: 2, percent: 3 },
    memory_metrics: { rss_bytes: 1, heap_alloc_bytes: 2, heap_sys_bytes: 3, heap_inuse_bytes: 4, heap_free_bytes: 5, heap_max_alloc_bytes: 6, container_usage_bytes: 7, container_limit_bytes: 8 },
  };
}

test(`${TASKS} Propeller tasks: the newest keep their per-task series, the oldest are evicted, proplet series survive`, { timeout: 60_000 }, async () => {
  const { profiles } = parseConnectionProfiles([{ id: 'prop', kind: 'mqtt', system: 'propeller', url: mosquitto.url, domain: 'dom1', channel: 'chan1' }]);
  const s = new MonitorSession({ log: recordingLog() });
  await s.setProfiles(profiles);
  s.setVisible(true);
  s.startAll();
  await until(() => connectedState(s, 'prop'), 'connected');
  const pub = await mqtt.connectAsync(mosquitto.url);
  const send = (suffix: string, body: object) => pub.publishAsync(`${BASE}/${suffix}`, JSON.stringify(body), { qos: 1 });
  try {
    await send('control/proplet/create', { proplet_id: 'proplet-a', metadata: { hostname: 'h1' } });
    await send('control/proplet/metrics', propletMetrics('proplet-a'));
    for (let i = 0; i < TASKS; i++) {
      const id = `task-${i}`;
      await send('control/manager/start', { id, name: `job ${i}`, state: 1, proplet_id: 'proplet-a' });
      await send('control/proplet/task_metrics', taskMetrics(id, 0));
      await send('control/proplet/task_metrics', taskMetrics(id, 1));
      await send('control/proplet/results', { task_id: id, proplet_id: 'proplet-a', results: [i] });
      if (i % 50 === 0) await send('control/proplet/metrics', propletMetrics('proplet-a'));
    }
    // A proplet first seen after every task: with one shared cap its series would have been refused.
    await send('control/proplet/create', { proplet_id: 'proplet-late', metadata: { hostname: 'h2' } });
    await send('control/proplet/metrics', propletMetrics('proplet-late'));

    const store = s.store;
    const seriesOf = (label: string, value: string) => store.series().filter((x) => x.labels[label] === value);
    await until(() => seriesOf('proplet_id', 'proplet-late').filter((x) => x.name.startsWith('propeller_proplet_')).length === 11, 'series of the late proplet');
    await until(() => store.tasks('prop').filter((t) => t.status === 'Completed').length === TASKS, 'every task completed');

    const last = seriesOf('task_id', `task-${TASKS - 1}`);
    assert.equal(last.length, 19, 'the newest task has all its series');
    assert.deepEqual(last.find((x) => x.name === 'propeller_task_cpu_percent')?.samples.toArray().map(([, v]) => v), [10, 11]);
    assert.equal(seriesOf('task_id', 'task-0').length, 0, 'the oldest task has none left');
    const taskSeries = store.series().filter((x) => x.labels['task_id'] !== undefined);
    const budget = DEFAULT_RETENTION.maxTaskSeries!;
    assert.ok(taskSeries.length <= budget && taskSeries.length > budget - 19, `${taskSeries.length} per-task series within the budget ${budget}`);
    // Whole tasks: every task that has series has all 19 of them, and they are the newest ones.
    const byTask = new Map<string, number>();
    for (const x of taskSeries) byTask.set(x.labels['task_id']!, (byTask.get(x.labels['task_id']!) ?? 0) + 1);
    assert.ok([...byTask.values()].every((n) => n === 19), 'no task with only part of its series');
    const kept = [...byTask.keys()].map((id) => Number(id.slice('task-'.length))).sort((a, b) => a - b);
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, k) => TASKS - kept.length + k), 'the newest tasks keep their series');

    assert.equal(seriesOf('proplet_id', 'proplet-a').filter((x) => x.name.startsWith('propeller_proplet_')).length, 11, 'the first proplet still has its series');
    const r = store.retention();
    assert.equal(r.seriesRefused, 0);
    assert.equal(r.taskSeriesEvicted, TASKS * 19 - taskSeries.length);
    assert.equal(r.taskSeriesBudget, budget);
  } finally {
    await pub.endAsync();
    await s.dispose();
  }
});
