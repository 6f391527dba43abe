// The worker side of ThreadedSubscriber (pubsub-thread.ts): one subscriber connection, made by the same factory as
// every Redis connection (TLS, ACL, Sentinel from the profile). Once ioredis has connected and authenticated, the
// socket's replies are read by PubSubFrameReader (pubsub-frames.ts) instead of ioredis's parser, and the
// subscriptions are written as RESP: a message is then a range of the bytes read, with no Buffer or string made for
// it or its channel. A copy is recognized from its first bytes and dropped undecoded; the rest are copied into one
// buffer per batch, transferred to the main thread (one per socket read at least), with at most
// MAX_BATCHES_IN_FLIGHT unacknowledged. With a plan that scans (Nexus), each message is also scanned here
// (nexus-frame-scan.ts) and its record, with the event's time read, goes in the batch beside it: the main thread
// builds the event from the two without JSON.parse. Nothing else is decoded here.
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { PermanentSourceError } from '../../core/source/source';
import { DedupSet } from '../../core/util/dedup-set';
import { leadingIdFingerprint, NexusFrameScanner } from '../nexus/nexus-frame-scan';
import { connectWatched, createRedisClient } from './redis-client';
import { encodeCommand, PubSubFrameReader, type PubSubFrameHandlers } from './pubsub-frames';
import { BatchSender } from '../reader-thread';
import { pubSubBatchLimits, type PubSubControl, type PubSubWorkerData, type PubSubWorkerMessage } from './pubsub-thread';

function run(port: NonNullable<typeof parentPort>, { profile, plan }: PubSubWorkerData): void {
  const post = (m: PubSubWorkerMessage): void => port.postMessage(m);
  const client = createRedisClient(profile, { connectionName: plan.connectionName });
  // ioredis keeps its socket in `stream`; pausing it is how a reader that is behind stops taking more.
  const socket = (): Socket | undefined => (client as unknown as { stream?: Socket }).stream;
  // Copies arrive back to back (the publisher sends one after the other): a small window recognizes them.
  const recent = plan.copies === 'leading-event-id' ? new DedupSet(4_096) : undefined;
  let pausedByBackpressure = false;
  let pausedByRequest = false;
  const batches = new BatchSender((batch, transfer) => port.postMessage(batch, transfer), pubSubBatchLimits(plan), {
    onFull: () => {
      pausedByBackpressure = true;
      socket()?.pause();
    },
    onRoom: () => {
      pausedByBackpressure = false;
      if (!pausedByRequest) socket()?.resume();
    },
  });

  const scanner = plan.scan === 'nexus-event' ? new NexusFrameScanner() : undefined;
  /** The leading id's fingerprint of the message being read. */
  const leadingId = new Int32Array(2);

  /**
   * Whether the message is a copy of one of the last few thousand: the same leading event_id and length (a copy is
   * the same bytes), told before anything else is read of it. The main thread still de-duplicates by id, across
   * sources.
   */
  const isCopy = (window: DedupSet, bytes: Buffer, start: number, end: number): boolean => {
    if (!leadingIdFingerprint(bytes, start, end, leadingId, 0)) return false;
    const length = end - start;
    return !window.firstSeenFingerprint((leadingId[0] as number) ^ Math.imul(length, 0x9e3779b1), (leadingId[1] as number) ^ Math.imul(length, 0x85ebca77));
  };

  const onMessage = (bytes: Buffer, start: number, end: number, channelStart: number, channelEnd: number): void => {
    if (recent !== undefined && isCopy(recent, bytes, start, end)) {
      batches.skip();
      return;
    }
    if (scanner !== undefined) {
      // The record goes where this message's belongs in the batch.
      const records = batches.records;
      const at = batches.recordAt;
      if (scanner.scan(bytes, start, end, records, at)) scanner.readEventTime(bytes, start, records, at);
    }
    if (plan.channelNames) batches.add(bytes.subarray(channelStart, channelEnd));
    batches.add(bytes.subarray(start, end));
    batches.endMessage();
  };

  port.on('message', (control: PubSubControl) => {
    switch (control.type) {
      case 'ack':
        batches.acknowledged(control.batches);
        return;
      case 'pause':
        pausedByRequest = true;
        socket()?.pause();
        post({ type: 'paused' });
        return;
      case 'resume':
        pausedByRequest = false;
        if (!pausedByBackpressure) socket()?.resume();
        return;
      case 'close':
        client.removeAllListeners('end');
        client.disconnect();
        port.close();
    }
  });

  const failure = (type: 'failed' | 'lost', error: unknown): void => {
    post({ type, message: error instanceof Error ? error.message : String(error), permanent: error instanceof PermanentSourceError });
  };
  void (async () => {
    try {
      const established = await connectWatched(client, { onLost: (error) => failure('lost', error), closedMessage: 'event subscription closed' });
      const stream = socket();
      if (!stream) throw new Error('the Redis connection has no socket');
      await subscribe(stream, plan, onMessage);
      established();
      post({ type: 'subscribed' });
    } catch (error) {
      failure('failed', error);
      client.disconnect();
    }
  })();
}

/** How long the server has to confirm the subscriptions (as ioredis's command timeout for other connections). */
const SUBSCRIBE_TIMEOUT_MS = 15_000;

/**
 * Takes the connection's replies over from ioredis (its queue of commands is empty once connected) and subscribes:
 * resolves when every channel and pattern is confirmed, rejects on an error reply (e.g. NOPERM) or a timeout.
 * Afterwards a reply that is not a message, or bytes that are not RESP, end the connection, which the watcher
 * reports as lost.
 */
function subscribe(stream: Socket, plan: PubSubWorkerData['plan'], onMessage: PubSubFrameHandlers['message']): Promise<void> {
  return new Promise((resolve, reject) => {
    let confirmations = plan.channels.length + plan.patterns.length;
    let subscribed = false;
    const settle = (error?: Error): void => {
      if (subscribed) return;
      subscribed = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => settle(new Error(`the server did not confirm the subscriptions within ${SUBSCRIBE_TIMEOUT_MS / 1000} s`)), SUBSCRIBE_TIMEOUT_MS);
    const reader = new PubSubFrameReader({
      message: onMessage,
      confirmation: () => { if (--confirmations === 0) settle(); },
      errorReply: (text) => {
        if (!subscribed) settle(new PermanentSourceError(`the server refused the subscription: ${text}`));
        else stream.destroy(new Error(`the server sent an error on the event subscription: ${text}`));
      },
    });
    stream.removeAllListeners('data');
    stream.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        const reason = new Error(`unreadable reply on the event subscription: ${error instanceof Error ? error.message : String(error)}`);
        settle(reason);
        stream.destroy(reason);
      }
    });
    if (plan.channels.length > 0) stream.write(encodeCommand(['SUBSCRIBE', ...plan.channels]));
    if (plan.patterns.length > 0) stream.write(encodeCommand(['PSUBSCRIBE', ...plan.patterns]));
    if (confirmations === 0) settle();
  });
}

if (parentPort) run(parentPort, workerData as PubSubWorkerData);
