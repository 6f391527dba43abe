// The worker side of ThreadedSubscriber (pubsub-thread.ts): one subscriber connection, made by the same factory as
// every Redis connection (TLS, ACL, Sentinel from the profile). Messages arrive as Buffers ('messageBuffer'), so a
// copy is recognized from its first bytes and dropped without decoding it or its channel name; the rest are copied
// into one buffer per batch, transferred to the main thread (one per socket read at least), with at most
// MAX_BATCHES_IN_FLIGHT unacknowledged. Nothing is decoded here: the main thread decodes what it parses anyway.
import { parentPort, workerData } from 'node:worker_threads';
import { PermanentSourceError } from '../../core/source/source';
import { DedupSet } from '../../core/util/dedup-set';
import { leadingEventIdOfBytes } from '../nexus/nexus-events';
import { connectWatched, createRedisClient } from './redis-client';
import { MAX_BATCH, MAX_BATCH_BYTES, MAX_BATCHES_IN_FLIGHT, type PubSubControl, type PubSubWorkerData, type PubSubWorkerMessage } from './pubsub-thread';

function run(port: NonNullable<typeof parentPort>, { profile, plan }: PubSubWorkerData): void {
  const post = (m: PubSubWorkerMessage): void => port.postMessage(m);
  const client = createRedisClient(profile, { connectionName: plan.connectionName });
  // ioredis keeps its socket in `stream`; pausing it is how a reader that is behind stops taking more.
  const socket = (): { pause(): void; resume(): void } | undefined => (client as unknown as { stream?: { pause(): void; resume(): void } }).stream;
  // Copies arrive back to back (the publisher sends one after the other): a small window recognizes them.
  const recent = plan.copies === 'leading-event-id' ? new DedupSet(4_096) : undefined;
  /** This batch's messages: slices of ioredis's read buffers, copied out at the flush (same tick). */
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let copies = 0;
  let flushScheduled = false;
  let inFlight = 0;
  let pausedByBackpressure = false;
  let pausedByRequest = false;

  const flush = (): void => {
    flushScheduled = false;
    if (batch.length === 0 && copies === 0) return;
    const bytes = Buffer.allocUnsafeSlow(batchBytes); // its own ArrayBuffer, so it can be transferred
    const ends = new Uint32Array(batch.length);
    let offset = 0;
    for (let i = 0; i < batch.length; i++) {
      offset += (batch[i] as Buffer).copy(bytes, offset);
      ends[i] = offset;
    }
    const message: PubSubWorkerMessage = { type: 'messages', bytes: bytes.buffer as ArrayBuffer, ends, copies };
    port.postMessage(message, [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
    batch = [];
    batchBytes = 0;
    copies = 0;
    inFlight++;
    if (inFlight >= MAX_BATCHES_IN_FLIGHT && !pausedByBackpressure) {
      pausedByBackpressure = true;
      socket()?.pause();
    }
  };

  const onMessage = (message: Buffer): void => {
    if (recent !== undefined) {
      const id = leadingEventIdOfBytes(message);
      // The id and the length: a copy is the same bytes. The main thread still de-duplicates by id (across sources).
      if (id !== undefined && !recent.firstSeen(`${id}\0${message.length}`)) {
        copies++;
        schedule();
        return;
      }
    }
    batch.push(message);
    batchBytes += message.length;
    if (batch.length >= MAX_BATCH || batchBytes >= MAX_BATCH_BYTES) flush();
    else schedule();
  };
  const schedule = (): void => {
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  client.on('messageBuffer', (_channel: Buffer, message: Buffer) => onMessage(message));
  client.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => onMessage(message));

  port.on('message', (control: PubSubControl) => {
    switch (control.type) {
      case 'ack':
        inFlight -= control.batches;
        if (pausedByBackpressure && inFlight <= MAX_BATCHES_IN_FLIGHT / 2) {
          pausedByBackpressure = false;
          if (!pausedByRequest) socket()?.resume();
        }
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
      if (plan.channels.length > 0) await client.subscribe(...plan.channels);
      if (plan.patterns.length > 0) await client.psubscribe(...plan.patterns);
      established();
      post({ type: 'subscribed' });
    } catch (error) {
      failure('failed', error);
      client.disconnect();
    }
  })();
}

if (parentPort) run(parentPort, workerData as PubSubWorkerData);
