// MQTT over TLS (mqtts:// with the profile's CA file) and over WebSocket (ws://), against an aedes broker listening
// on a TLS socket and a WebSocket server: on the reader thread (where TLS sockets go through PublishTap and
// WebSocket streams through mqtt.js alone) and on the host thread, the same mapped tasks arrive; a broker whose
// certificate the CA does not vouch for fails the connection with the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import mqtt from 'mqtt';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { findFreePort } from '../../helpers/servers';
import { makeTestCertificates, type TestCertificates } from '../../helpers/redis-secure';
import { recordingLog, waitUntil } from '../../helpers/source-session';
import { parseConnectionProfiles } from '../../../src/core/config/connection-profile';
import { GenericMqttSource } from '../../../src/sources/mqtt/generic';
import { MonitorSession } from '../../../src/sources/monitor-session';

let broker: Aedes;
let certs: TestCertificates;
let tcp: TcpServer;
let tls: TlsServer;
let http: HttpServer;
let wss: WebSocketServer;
const ports = { tcp: 0, tls: 0, ws: 0 };

const listen = async (server: TcpServer | TlsServer | HttpServer): Promise<number> => {
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
};

before(async () => {
  certs = await makeTestCertificates();
  broker = await Aedes.createBroker();
  tcp = createTcpServer((socket) => broker.handle(socket));
  tls = createTlsServer({ key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile) }, (socket) => broker.handle(socket));
  http = createHttpServer();
  wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws) as never));
  ports.tcp = await listen(tcp);
  ports.tls = await listen(tls);
  ports.ws = await listen(http);
});

after(async () => {
  wss?.close();
  for (const server of [tcp, tls, http]) await new Promise((r) => server?.close(r));
  await new Promise<void>((r) => broker?.close(() => r()));
});

async function connected(url: string, readerThread: boolean, tlsOptions?: { caFile: string }) {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'it', kind: 'mqtt', system: 'generic', url, topics: ['jobs/#'], mapping: { taskId: 'id', status: 'state' }, ...(tlsOptions ? { tls: tlsOptions } : {}) }]);
  assert.deepEqual(problems, []);
  const log = recordingLog();
  const session = new MonitorSession({ log });
  const source = new GenericMqttSource(profiles[0]!, { readerThread });
  await source.connect({ emit: session.apply, reject: (kind, detail) => assert.fail(`${kind}: ${detail}`), log, now: () => Date.now() }, (e) => assert.fail(e));
  return { session, source };
}

for (const transport of ['mqtts', 'ws'] as const) {
  for (const readerThread of [true, false]) {
    test(`${transport}:// on the ${readerThread ? 'reader' : 'host'} thread: mapped tasks arrive in order`, { timeout: 30_000 }, async () => {
      const url = transport === 'mqtts' ? `mqtts://127.0.0.1:${ports.tls}` : `ws://127.0.0.1:${ports.ws}`;
      const { session, source } = await connected(url, readerThread, transport === 'mqtts' ? { caFile: certs.caFile } : undefined);
      const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.tcp}`);
      try {
        const id = `${transport}-${readerThread}`;
        for (let i = 0; i < 200; i++) pub.publish(`jobs/${id}`, JSON.stringify({ id, state: i === 199 ? 'done' : `step-${i}`, pad: 'x'.repeat(i * 50) }), { qos: 0 });
        await waitUntil(`${id} done`, () => session.store.tasks('it').some((t) => t.id === id && t.status === 'done'));
        assert.equal(source.messagesReceived, 200);
        assert.equal(session.store.tasks('it').length, 1);
      } finally {
        await pub.endAsync();
        await source.disconnect();
      }
    });
  }
}

test('mqtts:// with a CA that did not sign the broker\'s certificate: the connection fails, saying why', { timeout: 30_000 }, async () => {
  for (const readerThread of [true, false]) {
    await assert.rejects(connected(`mqtts://127.0.0.1:${ports.tls}`, readerThread, { caFile: certs.otherCaFile }), /certificate|self[- ]signed|unable to verify/i, `reader thread: ${readerThread}`);
  }
});
