// PropellerModel on payloads shaped as absmach/propeller @ 102e676e sends them (types.rs, service.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PropellerModel, stateName } from '../../../src/sources/mqtt/propeller-model';
import type { MonitorEvent } from '../../../src/core/model/events';

const base = 'm/tenant-1/c/chan-1';
function decode(model: PropellerModel, suffix: string, payload: unknown, now = 1_000): MonitorEvent[] {
  const r = model.decode(`${base}/${suffix}`, payload, now);
  assert.ok(r.ok, r.ok ? '' : `${r.kind}: ${r.detail}`);
  return r.events;
}

test('numeric task states map to names; unknown numbers stay visible', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(stateName), ['Pending', 'Scheduled', 'Running', 'Completed', 'Failed', 'Skipped', 'Interrupted']);
  assert.equal(stateName(9), 'Unknown(9)');
  const m = new PropellerModel({ connectionId: 'c', livenessTimeoutMs: 10_000 });
  const events = decode(m, 'control/manager/start', { id: 't1', name: 'resize', state: 1, cli_args: null, broadcast: false, daemon: false, proplet_id: 'p1' });
  const task = events.find((e) => e.type === 'task.upsert');
  assert.equal(task?.type === 'task.upsert' && task.task.status, 'Scheduled');
  const q = events.find((e) => e.type === 'queue.upsert');
  assert.equal(q?.type === 'queue.upsert' && q.queue.counts['Scheduled'], 1);
  const done = decode(m, 'control/proplet/results', { task_id: 't1', proplet_id: 'p1', results: '', error: 'trap' });
  const failed = done.find((e) => e.type === 'task.upsert');
  assert.equal(failed?.type === 'task.upsert' && failed.task.status, 'Failed');
  assert.equal(failed?.type === 'task.upsert' && failed.task.name, 'resize', 'earlier fields kept');
  const q2 = done.find((e) => e.type === 'queue.upsert');
  assert.deepEqual(q2?.type === 'queue.upsert' && [q2.queue.counts['Scheduled'], q2.queue.counts['Failed']], [0, 1]);
});

test('liveness: alive within the timeout, stale after it, offline last-will', () => {
  const m = new PropellerModel({ connectionId: 'c', livenessTimeoutMs: 10_000 });
  decode(m, 'control/proplet/create', { proplet_id: 'p1', namespace: 'default', metadata: { os: 'linux', cpu_arch: 'aarch64', wasm_runtime: 'wamr', environment: 'embedded' } }, 0);
  assert.deepEqual(m.checkLiveness(9_000), []);
  const stale = m.checkLiveness(10_001);
  assert.equal(stale[0]?.type === 'worker.upsert' && stale[0].worker.status, 'stale');
  const alive = decode(m, 'control/proplet/alive', { proplet_id: 'p1', status: 'alive', namespace: 'default' }, 12_000);
  assert.equal(alive[0]?.type === 'worker.upsert' && alive[0].worker.status, 'online');
  const lwt = decode(m, 'control/proplet/alive', { status: 'offline', proplet_id: 'p1' }, 13_000);
  assert.equal(lwt[0]?.type === 'worker.upsert' && lwt[0].worker.status, 'offline');
  assert.deepEqual(m.checkLiveness(60_000), [], 'an offline proplet does not turn stale');
});

test('metrics: both field generations, three timestamp forms, aggregates', () => {
  const m = new PropellerModel({ connectionId: 'c', livenessTimeoutMs: 10_000 });
  const now = 5_000;
  const byName = (events: MonitorEvent[]) => new Map(events.flatMap((e) => (e.type === 'metric' ? [[e.sample.name, e.sample] as const] : [])));
  const current = byName(decode(m, 'control/proplet/task_metrics', {
    task_id: 't', proplet_id: 'p', timestamp: { secs_since_epoch: 1_700_000_000, nanos_since_epoch: 250_000_000 },
    metrics: { cpu_percent: 12.5, memory_bytes: 100, memory_percent: 1, disk_read_bytes: 1, disk_write_bytes: 2, uptime_seconds: 3, thread_count: 4, file_descriptor_count: 5 },
    aggregated: { avg_cpu_usage: 1, max_cpu_usage: 2, avg_memory_usage: 3, max_memory_usage: 4, total_disk_read: 5, total_disk_write: 6, sample_count: 7 },
  }, now));
  assert.equal(current.get('propeller_task_cpu_percent')?.value, 12.5);
  assert.equal(current.get('propeller_task_cpu_percent')?.timestamp, 1_700_000_000_250);
  assert.deepEqual(current.get('propeller_task_cpu_percent')?.labels, { task_id: 't', proplet_id: 'p' });
  assert.equal(current.get('propeller_task_sample_count')?.value, 7);
  // Per-task series name their task (the store's per-task budget); proplet series below do not.
  for (const sample of current.values()) assert.deepEqual(sample.task, { queue: 'tasks', id: 't' }, sample.name);
  const legacy = byName(decode(m, 'metrics/proplet', { task_id: 't', proplet_id: 'p', metrics: { cpu_usage_percent: 42.5, memory_usage_bytes: 67108864, network_rx_bytes: 4096, timestamp: '2025-01-15T10:30:00.000Z' } }, now));
  assert.equal(legacy.get('propeller_task_cpu_percent')?.value, 42.5);
  assert.equal(legacy.get('propeller_task_memory_bytes')?.value, 67108864);
  assert.equal(legacy.get('propeller_task_cpu_percent')?.timestamp, Date.UTC(2025, 0, 15, 10, 30));
  const embedded = byName(decode(m, 'control/proplet/metrics', { proplet_id: 'p', timestamp: 98_765, cpu_metrics: { percent: 3 }, memory_metrics: { rss_bytes: 9, heap_free_bytes: 1, heap_max_alloc_bytes: 2 } }, now));
  assert.equal(embedded.get('propeller_proplet_cpu_percent')?.timestamp, now, 'uptime timestamps fall back to receive time');
  assert.equal(embedded.get('propeller_proplet_memory_heap_free_bytes')?.value, 1);
  for (const sample of embedded.values()) assert.equal(sample.task, undefined, sample.name);
  const go = byName(decode(m, 'control/proplet/metrics', { proplet_id: 'p', timestamp: '2025-01-15T10:30:00.123456789Z', cpu_metrics: { percent: 4 } }, now));
  assert.equal(go.get('propeller_proplet_cpu_percent')?.timestamp, Date.UTC(2025, 0, 15, 10, 30, 0, 123));
});

test('bad frames are rejected by kind; topics outside the layout are refused', () => {
  const m = new PropellerModel({ connectionId: 'c', livenessTimeoutMs: 10_000 });
  const r = m.decode(`${base}/control/proplet/alive`, { status: 'alive' }, 0);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.kind, 'propeller-control-proplet-alive');
  assert.equal(m.decode('x/y', {}, 0).ok, false);
  assert.deepEqual(m.decode(`${base}/fl/rounds/start`, {}, 0), { ok: true, events: [] });
});
