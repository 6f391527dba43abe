// One MQTT connection for a profile: mqtt://, mqtts://, ws:// and wss:// (MQTT 3.1.1 or 5), credentials from
// the profile (SecretStorage in the extension), TLS CA from a file. No automatic reconnect: the supervisor
// owns reconnecting, and every new connection subscribes again.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { writeToStream, type QoS } from 'mqtt-packet';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { readStreamOptions } from '../../core/config/stream-options';

// mqtt-packet (mqtt.js's codec) builds a cache of 65 536 two-byte Buffers on its first write, to write packet ids
// and lengths a little faster: ~7 MB of the extension host's heap for the whole session, which V8 then sizes its
// heap by. Taskscope reads far more than it writes (subscribe, and a publish per Stop Task), so it goes without.
writeToStream.cacheNumbers = false;

/** An open, subscribed connection: on this thread (openMqtt) or on a reader thread (ThreadedMqttSession). */
export interface MqttSession {
  /** Publishes one message; resolves once mqtt.js has sent it (QoS 0) or the broker acknowledged it (QoS 1, 2). */
  publish(topic: string, payload: string, qos: QoS): Promise<void>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
const noLog = (): void => undefined;

export function mqttClientOptions(profile: ConnectionProfile): IClientOptions {
  const opts = readStreamOptions(profile.options);
  const url = new URL(profile.url);
  const options: IClientOptions = {
    clientId: opts.clientId ?? `taskscope-${randomBytes(6).toString('hex')}`,
    protocolVersion: opts.mqttVersion ?? 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    keepalive: 30,
    resubscribe: false,
  };
  // mqtt.js calls its `debug` logger about ten times per received packet; unless someone asked for that log
  // (DEBUG=mqttjs*), a no-op logger takes those calls off the per-message path.
  if (!/mqttjs/.test(process.env['DEBUG'] ?? '')) options.log = noLog;
  const username = profile.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = profile.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  if (username !== undefined) options.username = username;
  if (password !== undefined) options.password = password;
  if (profile.tls?.caFile) options.ca = readFileSync(profile.tls.caFile);
  if (profile.tls?.rejectUnauthorized !== undefined) options.rejectUnauthorized = profile.tls.rejectUnauthorized;
  return options;
}

/**
 * Connects, subscribes to `filters` and resolves once the broker granted them; rejects on a failed
 * connect or when the broker refuses every filter. `onMessage` receives raw payloads; `onLost` fires once when
 * an established connection closes.
 */
export async function openMqtt(
  profile: ConnectionProfile,
  filters: readonly string[],
  onMessage: (topic: string, payload: Buffer) => void,
  onLost: (error: Error) => void,
  onWarn: (message: string) => void,
  /** Called with the client as soon as it exists, before any byte is read (the reader thread taps its socket). */
  onClient?: (client: MqttClient) => void,
): Promise<MqttSession> {
  const opts = readStreamOptions(profile.options);
  const qos = opts.qos ?? 0;
  const urlForClient = withoutCredentials(profile.url);
  const client = mqtt.connect(urlForClient, mqttClientOptions(profile));
  onClient?.(client);
  let established = false;
  let lastError: Error | undefined;
  let closed = false;
  client.on('error', (err) => { lastError = err; });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => { cleanup(); reject(err); };
    const onConnect = (): void => { cleanup(); resolve(); };
    const onClose = (): void => { cleanup(); reject(lastError ?? new Error(`could not connect to ${urlForClient}`)); };
    const cleanup = (): void => { client.off('connect', onConnect); client.off('close', onClose); client.off('error', fail); };
    client.once('connect', onConnect);
    client.once('close', onClose);
    client.once('error', fail);
  }).catch((err: unknown) => {
    client.end(true);
    throw err;
  });
  client.on('message', onMessage);
  const granted = await client.subscribeAsync(filters.map((f) => f), { qos }).catch((err: unknown) => {
    client.end(true);
    throw err;
  });
  const refused = granted.filter((g) => g.qos === 128 || (typeof g.qos === 'number' && g.qos > 2));
  if (refused.length === granted.length && granted.length > 0) {
    client.end(true);
    throw new Error(`the broker refused every subscription (${filters.join(', ')})`);
  }
  for (const r of refused) onWarn(`the broker refused the subscription "${r.topic}"`);
  established = true;
  client.on('close', () => {
    if (!established || closed) return;
    closed = true;
    onLost(lastError ?? new Error('connection to the MQTT broker closed'));
  });
  return {
    publish: async (topic, payload, publishQos) => { await client.publishAsync(topic, payload, { qos: publishQos }); },
    close: async () => {
      closed = true;
      await client.endAsync(true).catch(() => undefined);
    },
  };
}

function withoutCredentials(raw: string): string {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  return url.toString();
}
