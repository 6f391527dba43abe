// The worker side of ThreadedMqttSession (mqtt-thread.ts): one connection opened by openMqtt, as on the host thread
// (TLS, credentials, MQTT 5, refused subscriptions reported as warnings). On a TCP or TLS socket, QoS 0 messages are
// read off the bytes by PublishTap (publish-tap.ts) once subscribed; everything else is mqtt.js's (over WebSocket,
// all of it). Each message's topic and payload bytes go into the current batch, handed to the host thread once per
// socket read at least; while the host has MQTT_BATCH_LIMITS unacknowledged, messages are dropped and counted (the
// socket keeps being read: QoS 0 is not held by the broker).
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { MqttClient } from 'mqtt';
import { readStreamOptions } from '../../core/config/stream-options';
import { isPermanentSourceError } from '../../core/source/source';
import { BatchSender } from '../reader-thread';
import { describeError } from '../source-supervisor';
import { openMqtt, type MqttSession } from './mqtt-connection';
import { PublishTap } from './publish-tap';
import { MQTT_BATCH_LIMITS, type MqttControl, type MqttWorkerData, type MqttWorkerMessage } from './mqtt-thread';

function run(port: NonNullable<typeof parentPort>, { profile, filters }: MqttWorkerData): void {
  const post = (m: MqttWorkerMessage): void => port.postMessage(m);
  const batches = new BatchSender((batch, transfer) => port.postMessage(batch, transfer), MQTT_BATCH_LIMITS);
  let session: MqttSession | undefined;
  let closing = false;

  const onMessage = (topic: string, payload: Buffer): void => {
    if (batches.full) {
      batches.skip();
      return;
    }
    batches.add(topic);
    batches.add(payload);
    batches.endMessage();
  };
  const onPublish = (bytes: Buffer, topicStart: number, topicEnd: number, payloadStart: number, payloadEnd: number): void => {
    if (batches.full) {
      batches.skip();
      return;
    }
    batches.add(bytes.subarray(topicStart, topicEnd));
    batches.add(bytes.subarray(payloadStart, payloadEnd));
    batches.endMessage();
  };

  let tap: PublishTap | undefined;
  /** Puts the tap between the socket and mqtt.js's parser (before the first byte is read). */
  const tapSocket = (client: MqttClient): void => {
    const stream = client.stream as unknown as { _readableState?: { pipes?: Writable[] } };
    const pipes = stream._readableState?.pipes;
    if (!(stream instanceof Socket) || !Array.isArray(pipes) || pipes.length !== 1) return;
    const parser = pipes[0] as Writable;
    stream.unpipe(parser);
    const installed = new PublishTap(readStreamOptions(profile.options).mqttVersion === 5, onPublish, (bytes) => parser.write(bytes));
    stream.on('data', (chunk: Buffer) => {
      try {
        installed.push(chunk);
      } catch (error) {
        stream.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    });
    stream.resume(); // unpipe paused it
    tap = installed;
  };

  const finish = (): void => {
    closing = true;
    const open = session;
    session = undefined;
    void (open ? open.close() : Promise.resolve()).finally(() => port.close());
  };

  port.on('message', (control: MqttControl) => {
    switch (control.type) {
      case 'ack':
        batches.acknowledged(control.batches);
        return;
      case 'publish': {
        const { id } = control;
        if (!session) {
          post({ type: 'published', id, error: 'not connected' });
          return;
        }
        session.publish(control.topic, control.payload, control.qos).then(
          () => post({ type: 'published', id }),
          (error: unknown) => post({ type: 'published', id, error: describeError(error) }),
        );
        return;
      }
      case 'close':
        finish();
    }
  });

  const failure = (type: 'failed' | 'lost', error: unknown): void => {
    post({ type, message: describeError(error), permanent: isPermanentSourceError(error) });
  };
  openMqtt(profile, filters, onMessage, (error) => {
    failure('lost', error);
    finish();
  }, (message) => post({ type: 'warning', message }), tapSocket).then((opened) => {
    session = opened;
    tap?.arm();
    if (closing) finish();
    else post({ type: 'subscribed' });
  }, (error: unknown) => {
    failure('failed', error);
    finish();
  });
}

if (parentPort) run(parentPort, workerData as MqttWorkerData);
