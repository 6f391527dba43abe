// MQTT read off the extension host's main thread. mqtt.js's packet parsing and its garbage were about a third of
// what a mapped message cost the host's one thread; here a worker thread (mqtt-worker.ts) owns the connection made
// by openMqtt, reads the socket at mqtt.js's speed and hands the messages over in batches (../reader-thread.ts):
// topic and payload bytes back to back. The host thread decodes the topics, maps and applies; publishes (Propeller's
// Stop Task) go to the worker and their outcome comes back.
// Bounded: QoS 0 is lost anyway by a reader that pauses (mosquitto drops for slow subscribers), so the worker never
// pauses its socket; past MQTT_BATCH_LIMITS in flight it drops messages and counts them, and the host reports them
// as the backlog on the host thread would (same bytes and messages as DEFAULT_BACKLOG_LIMITS). QoS 0 messages are
// read off the socket's bytes in the worker (publish-tap.ts), not by mqtt.js: no packet object or string per message.
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { QoS } from 'mqtt-packet';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { BatchInbox, closeReaderWorker, followReader, startReaderWorker, type BatchLimits, type ReaderAck, type ReaderBatch, type ReaderStatus } from '../reader-thread';
import { DEFAULT_BACKLOG_LIMITS } from './message-backlog';
import type { MqttSession } from './mqtt-connection';

export interface MqttWorkerData {
  /** With its credentials resolved (the worker has no access to SecretStorage). */
  readonly profile: ConnectionProfile;
  readonly filters: readonly string[];
}

/** Worker → host. A batch's pieces are topic and payload of each message in turn. */
export type MqttWorkerMessage =
  | ReaderBatch
  | ReaderStatus
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'published'; readonly id: number; readonly error?: string };

/** Host → worker. */
export type MqttControl =
  | ReaderAck
  | { readonly type: 'publish'; readonly id: number; readonly topic: string; readonly payload: string; readonly qos: QoS }
  | { readonly type: 'close' };

const MAX_BATCH_MESSAGES = 512;
/**
 * The bound is in messages and bytes, as the backlog's; batches are as many as socket reads (~300 messages of 200 B
 * each), so their number is capped only against a flood of tiny ones.
 */
export const MQTT_BATCH_LIMITS: BatchLimits = {
  maxPieces: 2 * MAX_BATCH_MESSAGES,
  maxBytes: 1 << 20,
  maxInFlight: 8_192,
  maxInFlightPieces: 2 * DEFAULT_BACKLOG_LIMITS.maxMessages,
  maxInFlightBytes: DEFAULT_BACKLOG_LIMITS.maxBytes,
};

export interface MqttThreadHandlers {
  /** One message, in the order the broker sent them; `at`: when its batch reached this thread. */
  onMessage(topic: string, payload: Buffer, at: number): void;
  /** Messages the worker read and dropped because this thread was too far behind. */
  onDropped(count: number): void;
  onWarn(message: string): void;
  /** The connection ended after it was established (once). */
  onLost(error: Error): void;
  now(): number;
}

export class ThreadedMqttSession implements MqttSession {
  /** No more messages are handled (closed, or the connection or thread ended). */
  private closed = false;
  private workerClosing = false;
  private nextPublishId = 1;
  private readonly publishes = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private readonly inbox: BatchInbox;

  private constructor(private readonly worker: Worker, handlers: MqttThreadHandlers) {
    // About as many messages per turn as the host-thread backlog processes, so a backlog of batches yields to I/O.
    this.inbox = new BatchInbox((bytes, ends, dropped, at) => {
      if (dropped > 0) handlers.onDropped(dropped);
      let start = 0;
      for (let i = 0; i + 1 < ends.length && !this.closed; i += 2) {
        const topicEnd = ends[i] as number;
        const end = ends[i + 1] as number;
        handlers.onMessage(bytes.toString('utf8', start, topicEnd), bytes.subarray(topicEnd, end), at);
        start = end;
      }
    }, (batches) => worker.postMessage({ type: 'ack', batches } satisfies MqttControl), 2 * DEFAULT_BACKLOG_LIMITS.sliceMessages);
  }

  /** Starts the worker, connects and subscribes; rejects with the reason when it cannot (as openMqtt does). */
  static start(profile: ConnectionProfile, filters: readonly string[], handlers: MqttThreadHandlers): Promise<ThreadedMqttSession> {
    let worker: Worker;
    try {
      worker = startReaderWorker({ name: 'MQTT', bundle: 'mqtt-worker.js', sourceFile: join(__dirname, 'mqtt-worker.ts') }, { profile, filters } satisfies MqttWorkerData);
    } catch (error) {
      return Promise.reject(error);
    }
    const session = new ThreadedMqttSession(worker, handlers);
    return followReader<Exclude<MqttWorkerMessage, ReaderStatus>>(worker, 'MQTT', {
      onMessage: (m) => {
        if (m.type === 'batch') session.inbox.push(m, handlers.now());
        else if (m.type === 'warning') handlers.onWarn(m.message);
        else session.settlePublish(m.id, m.error);
      },
      onLost: (error) => handlers.onLost(error),
      isClosed: () => session.closed,
      end: (error) => {
        session.stop(error);
        void session.close();
      },
    }).then(() => session);
  }

  publish(topic: string, payload: string, qos: QoS): Promise<void> {
    if (this.closed) return Promise.reject(new Error('not connected'));
    const id = this.nextPublishId++;
    return new Promise((resolve, reject) => {
      this.publishes.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'publish', id, topic, payload, qos } satisfies MqttControl);
    });
  }

  /** Hands on every message received so far (on disconnect: what was read is not lost). */
  drainAll(): void { this.inbox.drainAll(); }

  async close(): Promise<void> {
    if (this.workerClosing) return;
    this.workerClosing = true;
    this.stop(new Error('the MQTT connection was closed'));
    await closeReaderWorker(this.worker);
  }

  private settlePublish(id: number, error: string | undefined): void {
    const pending = this.publishes.get(id);
    this.publishes.delete(id);
    if (error === undefined) pending?.resolve();
    else pending?.reject(new Error(error));
  }

  /** Nothing more is handled; publishes still waiting fail with `reason`. */
  private stop(reason: Error): void {
    this.closed = true;
    this.inbox.close();
    for (const pending of this.publishes.values()) pending.reject(reason);
    this.publishes.clear();
  }
}
