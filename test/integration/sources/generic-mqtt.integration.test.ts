// Generic MQTT with a field mapping, over MQTT 3.1.1 (aedes) and MQTT 5 (mosquitto), with credentials from
// the profile: tasks, workers and metrics from arbitrary JSON, the topic browser (last value, rate,
// byte-capped history), unmapped messages kept as generic events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startMosquitto, type MosquittoHandle } from '../../helpers/servers';
import { startAedesBroker, type AedesHandle } from '../../../demo/support/aedes-broker';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { parseConnectionProfiles } from '../../../src/core/config/connection-profile';
import { connectedState, recordingLog, until } from '../../helpers/session-wait';

let mosquitto: MosquittoHandle;
let aedes: AedesHandle;
before(async () => { [mosquitto, aedes] = await Promise.all([startMosquitto(), startAedesBroker()]); });
after(async () => { await Promise.all([mosquitto?.stop(), aedes?.stop()]); });

for (const [broker, version] of [['aedes', 4], ['mosquitto', 5]] as const) {
  test(`${broker} (MQTT ${version === 5 ? '5' : '3.1.1'}): mapped tasks, workers, metrics and the topic browser`, { timeout: 30_000 }, async () => {
    const url = broker === 'aedes' ? aedes.url : mosquitto.url;
    const { profiles, problems } = parseConnectionProfiles([{
      id: 'gen', kind: 'mqtt', system: 'generic', url, mqttVersion: version, qos: 1, clientId: `taskscope-it-${broker}`,
      username: 'monitor', topics: ['jobs/#', 'telemetry/+'], topicHistoryBytes: 2048,
      mapping: { taskId: 'job.id', status: 'job.state', worker: 'host', queue: 'job.queue', timestamp: 'ts', metricValue: 'value', metricName: 'metric' },
    }]);
    assert.deepEqual(problems, []);
    const s = new MonitorSession({ log: recordingLog() });
    const generic: string[] = [];
    s.onEvent((e) => { if (e.type === 'generic') generic.push(e.name); });
    await s.setProfiles([{ ...profiles[0]!, password: 'secret-from-storage' }]);
    s.startAll();
    await until(() => connectedState(s, 'gen'), 'connected');
    const pub = await mqtt.connectAsync(url, { protocolVersion: version });
    try {
      await pub.publishAsync('jobs/eu/1', JSON.stringify({ job: { id: 'j1', state: 'running', queue: 'eu' }, host: 'w-1', ts: '2026-01-01T00:00:00Z' }), { qos: 1 });
      await pub.publishAsync('telemetry/cpu', JSON.stringify({ metric: 'cpu', value: '0.75' }), { qos: 1 });
      await pub.publishAsync('telemetry/raw', 'plain text, not JSON', { qos: 1 });
      for (let i = 0; i < 100; i++) await pub.publishAsync('jobs/eu/1', JSON.stringify({ job: { id: 'j1', queue: 'eu', state: i === 99 ? 'done' : 'running' }, n: i, pad: 'x'.repeat(100) }), { qos: 1 });
      await pub.publishAsync('ignored/topic', '{}', { qos: 1 });
      await until(() => s.store.tasks('gen').find((t) => t.id === 'j1' && t.status === 'done'), 'task j1 done');
      const task = s.store.tasks('gen').find((t) => t.id === 'j1')!;
      assert.equal(s.store.tasks('gen').length, 1, 'one task, updated in place');
      assert.equal(task.system, 'generic');
      const worker = s.store.workers('gen').find((w) => w.id === 'w-1')!;
      assert.equal(worker.lastSeen, Date.UTC(2026, 0, 1));
      await until(() => s.store.series().find((x) => x.connectionId === 'gen' && x.name === 'cpu'), 'cpu metric');
      await until(() => generic.includes('mqtt:telemetry/raw'), 'unmapped message kept as a generic event');
      const tb = s.supervisor('gen')!.source.topics!();
      const st = tb.stats('jobs/eu/1', Date.now())!;
      assert.equal(st.count, 101);
      assert.match(st.last!.text, /"n":99/);
      assert.ok(st.historyBytes <= 2048 && st.historySize < 101, `history ${st.historySize} entries, ${st.historyBytes} bytes`);
      assert.ok(st.ratePerSecond > 0);
      assert.equal(tb.stats('ignored/topic', Date.now()), undefined, 'not subscribed');
      assert.deepEqual(tb.children('', Date.now()).map((e) => e.name), ['jobs', 'telemetry']);
    } finally {
      await pub.endAsync();
      await s.dispose();
    }
  });
}

test('a broker that refuses the connection reports why and retries', { timeout: 20_000 }, async () => {
  const { profiles } = parseConnectionProfiles([{ id: 'bad', kind: 'mqtt', system: 'generic', url: 'mqtt://127.0.0.1:1' }]);
  const s = new MonitorSession({ log: recordingLog() });
  await s.setProfiles(profiles);
  s.startAll();
  try {
    const c = await until(() => { const x = s.store.connection('bad'); return x?.state === 'reconnecting' ? x : undefined; }, 'reconnecting');
    assert.match(c.error ?? '', /ECONNREFUSED/);
  } finally {
    await s.dispose();
  }
});
