// Propeller over MQTT against a real mosquitto and the embedded aedes broker, fed by the demo's Propeller
// simulator (real mqtt.js proplet clients with last-wills): proplets in workers with liveness, tasks with named
// states, metric samples, the topic browser, "Stop task" publishing (and refused when not allowed), 1 MB
// payloads truncated, and reconnect + resubscribe after mosquitto is killed and restarted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoHandle } from '../../helpers/servers';
import { startAedesBroker, type AedesHandle } from '../../../demo/support/aedes-broker';
import { startPropellerSimulator } from '../../../demo/propeller/simulator';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import { workerKey } from '../../../src/core/model/keys';
import { connectedState, recordingLog, until } from '../../helpers/session-wait';

let mosquitto: MosquittoHandle;
let aedes: AedesHandle;

function profile(url: string, extra: Record<string, unknown> = {}): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'prop', kind: 'mqtt', system: 'propeller', url, ...extra }]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

async function session(p: ConnectionProfile): Promise<MonitorSession> {
  const s = new MonitorSession({ log: recordingLog() });
  await s.setProfiles([p]);
  s.setVisible(true);
  s.startAll();
  await until(() => connectedState(s, p.id), 'connected');
  return s;
}

const noProgress = { report: () => undefined, signal: new AbortController().signal };

before(async () => { [mosquitto, aedes] = await Promise.all([startMosquitto(), startAedesBroker()]); });
after(async () => { await Promise.all([mosquitto?.stop(), aedes?.stop()]); });

for (const broker of ['mosquitto', 'aedes'] as const) {
  test(`${broker}: proplets in workers, offline last-will, tasks, metrics and topics`, { timeout: 60_000 }, async () => {
    const url = broker === 'mosquitto' ? mosquitto.url : aedes.url;
    const s = await session(profile(url, { domain: '+', channel: 'demo-channel' }));
    const sim = await startPropellerSimulator({ mqttUrl: url, proplets: 3, intervalMs: 150, crashIndex: 1, crashAfterMs: 900 });
    try {
      const store = s.store;
      await until(() => store.workers('prop').length === 3 && store.worker(workerKey('prop', sim.propletIds[1]!))?.status === 'offline', 'three proplets, the crashed one offline');
      const others = [sim.propletIds[0]!, sim.propletIds[2]!].map((id) => store.worker(workerKey('prop', id))!);
      for (const w of others) assert.ok(['online', 'busy'].includes(w.status), `${w.id} is ${w.status}`);
      assert.match(others[0]!.detail ?? '', /linux\/x86_64/);
      assert.equal(others[0]!.queue, `${sim.base}`);

      await until(() => store.tasks('prop').some((t) => t.status === 'Completed'), 'a completed task');
      const statuses = new Set(store.tasks('prop').map((t) => t.status));
      assert.ok([...statuses].every((st) => ['Running', 'Completed', 'Failed', 'Pending', 'Interrupted'].includes(st)), [...statuses].join());
      const queue = store.queues('prop').find((q) => q.name === 'tasks')!;
      assert.equal(Object.values(queue.counts).reduce((a, b) => a + b, 0), store.tasks('prop').length);

      const names = new Set(store.series().map((x) => x.name));
      for (const n of ['propeller_task_cpu_percent', 'propeller_task_memory_bytes', 'propeller_task_thread_count', 'propeller_task_file_descriptor_count', 'propeller_task_disk_read_bytes', 'propeller_task_avg_cpu_usage', 'propeller_proplet_cpu_percent', 'propeller_proplet_memory_rss_bytes']) {
        assert.ok(names.has(n), `series ${n} missing; have ${[...names].join(', ')}`);
      }
      // Legacy field names (cpu_usage_percent on metrics/proplet) land in the same series, with network counters.
      assert.ok(names.has('propeller_task_network_rx_bytes'));

      const topics = s.supervisor('prop')!.source.topics!();
      const proplet = topics.children(`${sim.base}/control/proplet`, Date.now()).map((e) => e.name);
      assert.ok(proplet.includes('alive') && proplet.includes('metrics'), proplet.join());
      assert.ok(topics.stats(`${sim.base}/control/proplet/alive`, Date.now())!.ratePerSecond > 0);
      assert.equal(store.connection('prop')!.rejectedFrames, 0);
    } finally {
      await sim.stop();
      await s.dispose();
    }
  });
}

test('mosquitto: "Stop task" publishes control/manager/stop only when the profile allows publishing', { timeout: 30_000 }, async () => {
  const sim = await startPropellerSimulator({ mqttUrl: mosquitto.url, proplets: 1, intervalMs: 100 });
  const allowed = await session(profile(mosquitto.url, { allowPublish: true }));
  const readOnly = new MonitorSession({ log: recordingLog() });
  try {
    const task = await until(() => allowed.store.tasks('prop').find((t) => t.status === 'Running'), 'a running task');
    const decl = allowed.supervisor('prop')!.source.actions().find((a) => a.id === 'stopTask')!;
    assert.equal(decl.destructive, true);
    assert.equal(decl.disabledReason, undefined);
    const r = await allowed.runAction('prop', 'stopTask', { kind: 'task', ids: [task.id] }, noProgress);
    assert.equal(r.ok, true, r.message);
    const stop = await until(() => sim.stopsSeen.find((m) => (m as { id?: string }).id === task.id), 'the stop command at the manager topic');
    assert.deepEqual(stop, { id: task.id, broadcast: false, proplet_id: task.worker });

    for (const extra of [{ allowPublish: true, readOnly: true }, {}]) {
      await readOnly.setProfiles([profile(mosquitto.url, extra)]);
      readOnly.startAll();
      await until(() => connectedState(readOnly, 'prop'), 'connected');
      const d = readOnly.supervisor('prop')!.source.actions()[0]!;
      assert.ok(d.disabledReason, 'disabled with a reason');
      const refused = await readOnly.runAction('prop', 'stopTask', { kind: 'task', ids: [task.id] }, noProgress);
      assert.equal(refused.ok, false);
      assert.equal(refused.affected, 0);
      await readOnly.setProfiles([]);
    }
  } finally {
    await sim.stop();
    await allowed.dispose();
    await readOnly.dispose();
  }
});

test('mosquitto: a 1 MB payload is processed, previewed truncated with a flag; bad frames are counted', { timeout: 30_000 }, async () => {
  const s = await session(profile(mosquitto.url, { domain: 'd1', channel: 'c1' }));
  const pub = await mqtt.connectAsync(mosquitto.url);
  try {
    const big = JSON.stringify({ task_id: 'big-task', proplet_id: 'p-big', results: 'x'.repeat(1024 * 1024), error: null });
    await pub.publishAsync('m/d1/c/c1/control/proplet/results', big);
    await pub.publishAsync('m/d1/c/c1/control/proplet/alive', '{"status":"alive"}'); // no proplet_id
    await pub.publishAsync('m/d1/c/c1/control/proplet/metrics', 'not json');
    await until(() => s.store.tasks('prop').find((t) => t.id === 'big-task'), 'the big task');
    assert.equal(s.store.tasks('prop').find((t) => t.id === 'big-task')!.status, 'Completed');
    const stats = s.supervisor('prop')!.source.topics!().stats('m/d1/c/c1/control/proplet/results', Date.now())!;
    assert.equal(stats.last!.truncated, true);
    assert.equal(stats.last!.bytes, Buffer.byteLength(big));
    assert.equal(Buffer.byteLength(stats.last!.text), 20 * 1024);
    await until(() => s.store.connection('prop')!.rejectedFrames === 2, 'two rejects');
  } finally {
    await pub.endAsync();
    await s.dispose();
  }
});

test('mosquitto killed and restarted mid-stream: reconnects, resubscribes, synced within 2 s, no duplicates', { timeout: 60_000 }, async () => {
  const s = await session(profile(mosquitto.url));
  const sim = await startPropellerSimulator({ mqttUrl: mosquitto.url, proplets: 3, intervalMs: 100 });
  try {
    await until(() => s.store.workers('prop').length === 3, 'three proplets');
    await mosquitto.kill();
    await until(() => s.store.connection('prop')!.state === 'reconnecting', 'reconnecting while the broker is down');
    await new Promise((r) => setTimeout(r, 700));
    await mosquitto.restart();
    const back = Date.now();
    await until(() => connectedState(s, 'prop'), 'connected again', 5_000);
    // Synced: fresh alive messages arrive on the new subscription.
    const topics = s.supervisor('prop')!.source.topics!();
    const before = topics.stats(`${sim.base}/control/proplet/alive`, Date.now())!.count;
    await until(() => topics.stats(`${sim.base}/control/proplet/alive`, Date.now())!.count > before + 2, 'alive messages after the restart', 5_000);
    const synced = Date.now() - back;
    assert.ok(synced <= 2_000, `synced ${synced} ms after the broker returned`);
    assert.equal(s.store.workers('prop').length, 3, 'no duplicate proplets');
    assert.ok(s.store.workers('prop').every((w) => w.status === 'online' || w.status === 'busy'));
  } finally {
    await sim.stop();
    await s.dispose();
  }
});
