// The MQTT reader thread (src/sources/mqtt/mqtt-thread.ts) against a real mosquitto: a slow host thread still gets
// every message in order (topics decoded, UTF-8 included); one that falls far behind has the worker drop past its
// bound and count the drops, reported as `mqtt-backlog-full` like the host-thread backlog; a publish goes out
// through the worker (Propeller's Stop Task reaches a real subscriber); a broker that goes away is reported once and
// a refused subscription fails the start as on the host thread; a thread that cannot start leaves the source
// reading on the host thread with a warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Aedes } from 'aedes';
import { findFreePort, startMosquitto, type MosquittoHandle } from '../../helpers/servers';
import { waitUntil } from '../../helpers/source-session';
import { parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import { ReaderThreadError } from '../../../src/sources/reader-thread';
import { MQTT_BATCH_LIMITS, ThreadedMqttSession, type MqttThreadHandlers } from '../../../src/sources/mqtt/mqtt-thread';
import { GenericMqttSource } from '../../../src/sources/mqtt/generic';
import { openMqtt } from '../../../src/sources/mqtt/mqtt-connection';
import type { PropellerSource } from '../../../src/sources/mqtt/propeller';
import { MonitorSession } from '../../../src/sources/monitor-session';

let mosquitto: MosquittoHandle;
before(async () => { mosquitto = await startMosquitto(); });
after(async () => { await mosquitto?.stop(); });

function mqttProfile(fields: Record<string, unknown>): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'it', kind: 'mqtt', system: 'generic', ...fields }]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

function recorder(onEach: (topic: string, payload: Buffer) => void = () => undefined) {
  const messages: { topic: string; text: string }[] = [];
  const warnings: string[] = [];
  const lost: Error[] = [];
  let dropped = 0;
  const handlers: MqttThreadHandlers = {
    onMessage: (topic, payload) => { onEach(topic, payload); messages.push({ topic, text: payload.toString('utf8') }); },
    onDropped: (count) => { dropped += count; },
    onWarn: (m) => { warnings.push(m); },
    onLost: (e) => { lost.push(e); },
    now: () => Date.now(),
  };
  return { messages, warnings, lost, handlers, dropped: () => dropped };
}

/**
 * Publishes `count` messages of `payloadBytes` (`<i> yyy…` on `<prefix><i>`) at QoS 1 from another process, so that
 * a host thread kept busy here does not slow the publisher down, and the broker drops nothing (every loss is ours).
 */
function publishElsewhere(url: string, prefix: string, count: number, payloadBytes: number): Promise<void> {
  const script = `const mqtt = require('mqtt');
    (async () => {
      const [url, prefix, count, size] = process.argv.slice(1);
      const client = await mqtt.connectAsync(url);
      const pad = 'y'.repeat(Number(size));
      await Promise.all(Array.from({ length: Number(count) }, (_, i) => client.publishAsync(prefix + i, i + ' ' + pad, { qos: 1 })));
      await client.endAsync();
    })().catch((error) => { console.error(error); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, url, prefix, String(count), String(payloadBytes)], { cwd: join(__dirname, '../../..'), stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the publisher exited ${code}`))));
  });
}

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* a slow host thread */ }
};

for (const mqttVersion of [4, 5] as const) {
  test(`MQTT ${mqttVersion === 5 ? '5' : '3.1.1'}: a slow host thread gets every message, in order, with its topic (UTF-8 too)`, { timeout: 30_000 }, async () => {
    const r = recorder(() => busy(0.05));
    const session = await ThreadedMqttSession.start(mqttProfile({ url: mosquitto.url, mqttVersion }), ['order/#'], r.handlers);
    const pub = await mqtt.connectAsync(mosquitto.url, { protocolVersion: mqttVersion });
    try {
      const count = 5_000;
      for (let i = 0; i < count; i++) pub.publish(i % 2 === 0 ? `order/${i}` : `order/ünï/${i}`, JSON.stringify({ i, pad: 'x'.repeat(150) }));
      await waitUntil('every message', () => r.messages.length === count, 20_000);
      r.messages.forEach((m, i) => {
        assert.equal(m.topic, i % 2 === 0 ? `order/${i}` : `order/ünï/${i}`);
        assert.equal((JSON.parse(m.text) as { i: number }).i, i);
      });
      assert.equal(r.dropped(), 0);
      assert.deepEqual(r.lost, []);
    } finally {
      await pub.endAsync();
      await session.close();
    }
  });
}

test('a host thread far behind: past its bound the worker drops and counts, the rest arrive in order', { timeout: 30_000 }, async () => {
  // 100 KiB payloads: the bound in bytes is reached after about 330 of them while the host takes 5 ms each.
  const r = recorder(() => busy(5));
  const session = await ThreadedMqttSession.start(mqttProfile({ url: mosquitto.url, qos: 1 }), ['flood/#'], r.handlers);
  try {
    const count = 800;
    const payloadBytes = 100 * 1024;
    await publishElsewhere(mosquitto.url, 'flood/', count, payloadBytes);
    await waitUntil('every message handed on or dropped', () => r.messages.length + r.dropped() === count, 20_000);
    const bound = Math.ceil(MQTT_BATCH_LIMITS.maxInFlightBytes / payloadBytes);
    assert.ok(r.dropped() > 0, `some dropped (${r.messages.length} handed on, ~${bound} fit in flight)`);
    const ids = r.messages.map((m) => Number(m.text.slice(0, m.text.indexOf(' '))));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in order');
  } finally {
    await session.close();
  }
});

test('the source reports the worker\'s drops as mqtt-backlog-full rejects', { timeout: 30_000 }, async () => {
  const source = new GenericMqttSource(mqttProfile({ url: mosquitto.url, qos: 1, topics: ['drops/#'] }));
  const rejects: string[] = [];
  let handled = 0;
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  await source.connect({
    emit: (e) => { if (e.type === 'generic') { handled++; busy(5); } },
    reject: (kind) => { rejects.push(kind); }, log, now: () => Date.now(),
  }, (e) => assert.fail(e));
  try {
    await publishElsewhere(mosquitto.url, 'drops/', 800, 100 * 1024);
    await waitUntil('every message handled or dropped', () => handled + source.messagesDropped === 800, 20_000);
    assert.ok(source.messagesDropped > 0);
    assert.equal(rejects.filter((k) => k === 'mqtt-backlog-full').length, source.messagesDropped);
  } finally {
    await source.disconnect();
  }
});

test('Stop Task publishes through the worker: a real subscriber receives it', { timeout: 30_000 }, async () => {
  const { profiles } = parseConnectionProfiles([{ id: 'prop', kind: 'mqtt', system: 'propeller', url: mosquitto.url, domain: 'd1', channel: 'c1', allowPublish: true }]);
  const session = new MonitorSession({ log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  await session.setProfiles(profiles);
  session.startAll();
  const watcher = await mqtt.connectAsync(mosquitto.url);
  const stops: string[] = [];
  watcher.on('message', (_topic, payload) => { stops.push(payload.toString('utf8')); });
  await watcher.subscribeAsync('m/d1/c/c1/control/manager/stop', { qos: 1 });
  try {
    await waitUntil('connected', () => session.store.connection('prop')?.state === 'connected');
    const source = session.supervisor('prop')!.source as PropellerSource;
    const controller = new AbortController();
    const result = await source.runAction('stopTask', { kind: 'task', ids: ['t-42'] }, { signal: controller.signal, report: () => undefined });
    assert.equal(result.ok, true, result.message);
    await waitUntil('the stop message', () => stops.length === 1);
    assert.deepEqual(JSON.parse(stops[0]!), { id: 't-42', broadcast: true });
  } finally {
    await watcher.endAsync();
    await session.dispose();
  }
});

test('a broker that goes away is reported once; a publish then fails with a reason; a closed port fails the start', { timeout: 30_000 }, async () => {
  const broker = await startMosquitto();
  const r = recorder();
  const session = await ThreadedMqttSession.start(mqttProfile({ url: broker.url }), ['x/#'], r.handlers);
  await broker.kill();
  await waitUntil('lost', () => r.lost.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(r.lost.length, 1);
  await assert.rejects(session.publish('x/1', 'after the loss', 0), /.+/);
  await session.close();
  await broker.stop();
  const closedPort = await findFreePort();
  await assert.rejects(ThreadedMqttSession.start(mqttProfile({ url: `mqtt://127.0.0.1:${closedPort}` }), ['x/#'], recorder().handlers), /ECONNREFUSED/);
});

test('a refused subscription fails the start as on the host thread (mqtt.js rejects a SUBACK with a failure code)', { timeout: 30_000 }, async () => {
  // An aedes broker that refuses filters under `secret/` (a failure code in its SUBACK).
  const broker = await Aedes.createBroker({ authorizeSubscribe: (_client, sub, done) => (sub.topic.startsWith('secret/') ? done(null, null) : done(null, sub)) });
  const server = createServer((socket) => broker.handle(socket));
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    const profile = mqttProfile({ url: `mqtt://127.0.0.1:${port}` });
    const onHost = await openMqtt(profile, ['open/#', 'secret/#'], () => undefined, () => undefined, () => undefined).then(() => 'opened', (e: Error) => e.message);
    const onThread = await ThreadedMqttSession.start(profile, ['open/#', 'secret/#'], recorder().handlers).then(() => 'opened', (e: Error) => e.message);
    assert.match(onThread, /Subscribe error/);
    assert.equal(onThread, onHost);
  } finally {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    server.close();
  }
});

test('a reader thread that cannot start is a ReaderThreadError, and the source then reads on the host thread', { timeout: 30_000 }, async () => {
  // A profile the thread cannot be given (a function is not cloneable) stands for any failure to start it.
  const unclonable = { ...mqttProfile({ url: mosquitto.url, topics: ['fallback/#'] }), options: { topics: ['fallback/#'], hook: () => 1 } } as unknown as ConnectionProfile;
  await assert.rejects(ThreadedMqttSession.start(unclonable, ['fallback/#'], recorder().handlers), (error: unknown) => error instanceof ReaderThreadError);
  const warnings: string[] = [];
  const generic: string[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => { warnings.push(m); }, error: () => undefined };
  const source = new GenericMqttSource(unclonable);
  await source.connect({ emit: (e) => { if (e.type === 'generic') generic.push(e.name); }, reject: () => assert.fail('nothing is rejected'), log, now: () => Date.now() }, (e) => assert.fail(e));
  const pub = await mqtt.connectAsync(mosquitto.url);
  try {
    assert.match(warnings.join('\n'), /read on the extension host's thread: the MQTT reader thread could not start/);
    await pub.publishAsync('fallback/1', 'hello', { qos: 1 });
    await waitUntil('the message from the host-thread connection', () => generic.includes('mqtt:fallback/1'));
  } finally {
    await pub.endAsync();
    await source.disconnect();
  }
});
