// Redis pub/sub read off the extension host's main thread. The host's one thread is shared with every other
// extension; a busy event channel would have it read the socket and parse RESP for each message. Here a worker thread
// owns the subscriber connection (pubsub-worker.ts): it reads and parses, drops the back-to-back copies of a message
// the publisher sent to several of the subscribed channels (Nexus: global, project and stats channels), and hands
// the rest over in batches: their bytes copied into one buffer that is transferred, not cloned. The main thread
// decodes, validates, maps and applies them, while the worker reads ahead (the batch flow: ../reader-thread.ts).
// Bounded: at most MAX_BATCHES_IN_FLIGHT batches unacknowledged; past that the worker pauses its socket and Redis
// holds the messages (its pub/sub output-buffer limit applies, as to any slow subscriber).
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { SCAN_RECORD_INTS } from '../nexus/nexus-frame-scan';
import { BatchInbox, closeReaderWorker, followReader, ReaderThreadError, startReaderWorker, type BatchLimits, type ReaderAck, type ReaderBatch, type ReaderStatus } from '../reader-thread';

export { ReaderThreadError };

/** What the worker subscribes to and how it recognizes a copy. */
export interface PubSubPlan {
  readonly connectionName: string;
  readonly channels: readonly string[];
  readonly patterns: readonly string[];
  /** `leading-event-id`: a message whose text starts with the `event_id` (and length) of a recent one is a copy. */
  readonly copies: 'leading-event-id' | 'none';
  /** Whether each message's channel is handed on too (generic sources name events after it). */
  readonly channelNames?: boolean;
  /**
   * `nexus-event`: each message is scanned as a Nexus MonitoringEvent (nexus-frame-scan.ts) by the reader, and its
   * record handed on beside it (`onScannedMessage`), so that the host builds the event without JSON.parse.
   */
  readonly scan?: 'nexus-event';
}

export interface PubSubWorkerData { readonly profile: ConnectionProfile; readonly plan: PubSubPlan }

/** Worker → main. */
export type PubSubWorkerMessage =
  | ReaderStatus
  /**
   * Each piece is a message; with `channelNames`, each message is preceded by its channel: channel i ends at
   * `ends[2i]`, its message at `ends[2i + 1]`. `skipped`: copies dropped.
   */
  | ReaderBatch
  | { readonly type: 'paused' };

/** Main → worker. */
export type PubSubControl = ReaderAck | { readonly type: 'pause' | 'resume' | 'close' };

/**
 * A batch goes out at the end of every socket read, or sooner at this many messages or bytes. With
 * MAX_BATCHES_IN_FLIGHT this bounds what waits for the host thread (≤ 8 192 messages, ≤ 16 MiB) and so the longest
 * stretch it spends on them before its event loop turns (~25 ms at ~3 µs a Nexus event).
 */
export const MAX_BATCH = 512;
export const MAX_BATCH_BYTES = 1 << 20;
/**
 * Batches posted and not yet acknowledged before the worker stops reading. Enough to keep both threads busy (with
 * 4, the worker often sat paused while the host drained: 0.70× the raw subscriber instead of 1.01×, as published).
 */
export const MAX_BATCHES_IN_FLIGHT = 16;

/** The batch limits of a plan: a message with its channel is two pieces. */
export function pubSubBatchLimits(plan: PubSubPlan): BatchLimits {
  const step = plan.channelNames ? 2 : 1;
  return {
    maxPieces: step * MAX_BATCH, maxBytes: MAX_BATCH_BYTES,
    maxInFlight: MAX_BATCHES_IN_FLIGHT, maxInFlightPieces: MAX_BATCHES_IN_FLIGHT * step * MAX_BATCH, maxInFlightBytes: MAX_BATCHES_IN_FLIGHT * MAX_BATCH_BYTES,
    recordInts: plan.scan === 'nexus-event' ? SCAN_RECORD_INTS : 0,
  };
}

export interface PubSubHandlers {
  /** One message's text (decoded as UTF-8), in the order Redis delivered them; its channel with `channelNames`. */
  onMessage(text: string, channel: string | undefined): void;
  /**
   * With a plan that scans: each message as its bytes, `bytes[start, end)`, and its scan record at `records[recordAt]`,
   * instead of `onMessage` (nothing decoded: the handler builds what it needs from the two).
   */
  onScannedMessage?(bytes: Buffer, start: number, end: number, records: Int32Array, recordAt: number): void;
  /** Messages longer than this many bytes are not decoded but reported to `onTooLarge`. */
  readonly maxMessageBytes?: number;
  onTooLarge?(byteLength: number, channel: string | undefined): void;
  /** The subscription ended after it was established. */
  onLost(error: Error): void;
}

export class ThreadedSubscriber {
  private copiesDropped = 0;
  private closed = false;
  private pauseWaiters: (() => void)[] = [];
  private readonly inbox: BatchInbox;

  private constructor(private readonly worker: Worker, handleBatch: (bytes: Buffer, ends: Uint32Array, copies: number, at: number, records: Int32Array | undefined) => void) {
    // A quarter of what the worker may have in flight per turn (~2 000 messages, ~6 ms of Nexus events): the rest
    // waits for the next turn while the worker, acknowledged, refills.
    this.inbox = new BatchInbox(handleBatch, (batches) => worker.postMessage({ type: 'ack', batches } satisfies PubSubControl), MAX_BATCH * 2 * (MAX_BATCHES_IN_FLIGHT / 4));
  }

  /** Starts the worker, connects and subscribes; rejects with the reason when it cannot (like a direct connect). */
  static start(profile: ConnectionProfile, plan: PubSubPlan, handlers: PubSubHandlers): Promise<ThreadedSubscriber> {
    let worker: Worker;
    try {
      worker = startReaderWorker({ name: 'pub/sub', bundle: 'pubsub-worker.js', sourceFile: join(__dirname, 'pubsub-worker.ts') }, { profile, plan } satisfies PubSubWorkerData);
    } catch (error) {
      return Promise.reject(error);
    }
    const step = plan.channelNames ? 2 : 1;
    const maxBytes = handlers.maxMessageBytes ?? Number.POSITIVE_INFINITY;
    const recordInts = pubSubBatchLimits(plan).recordInts ?? 0;
    const onScanned = handlers.onScannedMessage;
    const subscriber: ThreadedSubscriber = new ThreadedSubscriber(worker, (bytes, ends, copies, _at, records) => {
      subscriber.copiesDropped += copies;
      let start = 0;
      if (records !== undefined && onScanned !== undefined && step === 1) {
        for (let i = 0; i < ends.length && !subscriber.closed; i++) {
          const end = ends[i] as number;
          onScanned(bytes, start, end, records, i * recordInts);
          start = end;
        }
        return;
      }
      for (let i = 0; i < ends.length && !subscriber.closed; i += step) {
        let channel: string | undefined;
        if (step === 2) {
          channel = bytes.toString('utf8', start, ends[i]);
          start = ends[i] as number;
        }
        const end = ends[i + step - 1] as number;
        if (end - start > maxBytes) handlers.onTooLarge?.(end - start, channel);
        else handlers.onMessage(bytes.toString('utf8', start, end), channel);
        start = end;
      }
    });
    return followReader<Exclude<PubSubWorkerMessage, ReaderStatus>>(worker, 'pub/sub', {
      onMessage: (m) => {
        if (m.type === 'batch') subscriber.inbox.push(m);
        else for (const w of subscriber.pauseWaiters.splice(0)) w();
      },
      onLost: (error) => handlers.onLost(error),
      isClosed: () => subscriber.closed,
      end: () => void subscriber.close(),
    }).then(() => subscriber);
  }

  /** Copies dropped by the worker before decoding (counted as de-duplicated). */
  get copies(): number { return this.copiesDropped; }

  /** Stops reading the socket (Redis holds what arrives); resolves once the worker has. Used by the benchmarks. */
  pause(): Promise<void> {
    return new Promise((resolve) => {
      this.pauseWaiters.push(resolve);
      this.worker.postMessage({ type: 'pause' } satisfies PubSubControl);
    });
  }

  resume(): void { this.worker.postMessage({ type: 'resume' } satisfies PubSubControl); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inbox.close();
    await closeReaderWorker(this.worker);
  }
}
