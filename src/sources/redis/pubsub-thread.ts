// Redis pub/sub read off the extension host's main thread. The host's one thread is shared with every other
// extension; a busy event channel would have it read the socket and parse RESP for each message. Here a worker thread
// owns the subscriber connection (pubsub-worker.ts): it reads and parses, drops the back-to-back copies of a message
// the publisher sent to several of the subscribed channels (Nexus: global, project and stats channels), and hands
// the rest over in batches: their bytes copied into one buffer that is transferred, not cloned. The main thread
// decodes, validates, maps and applies them, while the worker reads ahead.
// Bounded: at most MAX_BATCHES_IN_FLIGHT batches unacknowledged; past that the worker pauses its socket and Redis
// holds the messages (its pub/sub output-buffer limit applies, as to any slow subscriber).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { PermanentSourceError } from '../../core/source/source';

/** What the worker subscribes to and how it recognizes a copy. */
export interface PubSubPlan {
  readonly connectionName: string;
  readonly channels: readonly string[];
  readonly patterns: readonly string[];
  /** `leading-event-id`: a message whose text starts with the `event_id` (and length) of a recent one is a copy. */
  readonly copies: 'leading-event-id' | 'none';
  /** Whether each message's channel is handed on too (generic sources name events after it). */
  readonly channelNames?: boolean;
}

export interface PubSubWorkerData { readonly profile: ConnectionProfile; readonly plan: PubSubPlan }

/** Worker → main. */
export type PubSubWorkerMessage =
  | { readonly type: 'subscribed' }
  | { readonly type: 'failed' | 'lost'; readonly message: string; readonly permanent: boolean }
  /**
   * `bytes` holds the messages back to back, message i ending at `ends[i]` (both transferred). With `channelNames`,
   * each message is preceded by its channel: channel i ends at `ends[2i]`, its message at `ends[2i + 1]`.
   */
  | { readonly type: 'messages'; readonly bytes: ArrayBuffer; readonly ends: Uint32Array; readonly copies: number }
  | { readonly type: 'paused' };

/** Main → worker. `ack`: this many batches were handled. */
export type PubSubControl = { readonly type: 'ack'; readonly batches: number } | { readonly type: 'pause' | 'resume' | 'close' };

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

export interface PubSubHandlers {
  /** One message's text (decoded as UTF-8), in the order Redis delivered them; its channel with `channelNames`. */
  onMessage(text: string, channel: string | undefined): void;
  /** Messages longer than this many bytes are not decoded but reported to `onTooLarge`. */
  readonly maxMessageBytes?: number;
  onTooLarge?(byteLength: number, channel: string | undefined): void;
  /** The subscription ended after it was established. */
  onLost(error: Error): void;
}

/** The reader thread itself failed (could not start, crashed, exited), as opposed to its Redis connection. */
export class ReaderThreadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReaderThreadError';
  }
}

export class ThreadedSubscriber {
  private copiesDropped = 0;
  private closed = false;
  private unacknowledged = 0;
  private pauseWaiters: (() => void)[] = [];

  private constructor(private readonly worker: Worker) {}

  /** Starts the worker, connects and subscribes; rejects with the reason when it cannot (like a direct connect). */
  static start(profile: ConnectionProfile, plan: PubSubPlan, handlers: PubSubHandlers): Promise<ThreadedSubscriber> {
    let worker: Worker;
    try {
      worker = startWorker({ profile, plan });
    } catch (cause) {
      return Promise.reject(new ReaderThreadError(`the pub/sub reader thread could not start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }));
    }
    const subscriber = new ThreadedSubscriber(worker);
    const step = plan.channelNames ? 2 : 1;
    const maxBytes = handlers.maxMessageBytes ?? Number.POSITIVE_INFINITY;
    return new Promise((resolve, reject) => {
      let subscribed = false;
      worker.on('message', (m: PubSubWorkerMessage) => {
        switch (m.type) {
          case 'subscribed':
            subscribed = true;
            resolve(subscriber);
            return;
          case 'messages':
            subscriber.copiesDropped += m.copies;
            try {
              const bytes = Buffer.from(m.bytes);
              let start = 0;
              for (let i = 0; i < m.ends.length && !subscriber.closed; i += step) {
                let channel: string | undefined;
                if (step === 2) {
                  channel = bytes.toString('utf8', start, m.ends[i]);
                  start = m.ends[i] as number;
                }
                const end = m.ends[i + step - 1] as number;
                if (end - start > maxBytes) handlers.onTooLarge?.(end - start, channel);
                else handlers.onMessage(bytes.toString('utf8', start, end), channel);
                start = end;
              }
            } finally {
              subscriber.acknowledgeLater();
            }
            return;
          case 'paused':
            for (const w of subscriber.pauseWaiters.splice(0)) w();
            return;
          case 'failed':
          case 'lost': {
            const error = m.permanent ? new PermanentSourceError(m.message) : new Error(m.message);
            if (!subscribed) reject(error);
            else if (!subscriber.closed) handlers.onLost(error);
            void subscriber.close();
          }
        }
      });
      worker.on('error', (cause: Error) => {
        const error = new ReaderThreadError(`the pub/sub reader thread failed: ${cause.message}`, { cause });
        if (!subscribed) reject(error);
        else if (!subscriber.closed) handlers.onLost(error);
        void subscriber.close();
      });
      worker.on('exit', (code) => {
        if (!subscribed) reject(new ReaderThreadError(`the pub/sub reader thread exited (${code}) before it subscribed`));
        else if (!subscriber.closed) handlers.onLost(new ReaderThreadError(`the pub/sub reader thread exited (${code})`));
        subscriber.closed = true;
      });
    });
  }

  /**
   * Batches are acknowledged after the event loop has turned: the port hands over every batch queued at once, and
   * an immediate acknowledgement would let the worker refill it before timers and I/O of this thread get a turn.
   */
  private acknowledgeLater(): void {
    if (this.unacknowledged++ === 0) setImmediate(this.acknowledge);
  }

  private readonly acknowledge = (): void => {
    const batches = this.unacknowledged;
    this.unacknowledged = 0;
    if (!this.closed) this.worker.postMessage({ type: 'ack', batches } satisfies PubSubControl);
  };

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
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage({ type: 'close' } satisfies PubSubControl);
    // The worker disconnects and exits on its own; a stuck one is terminated.
    const timer = setTimeout(() => void this.worker.terminate(), 2_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The reader keeps nothing: a small young generation (its garbage is the batches it copied out) and a capped old
 * one keep its share of the extension host's memory small.
 */
const READER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/**
 * The worker's code: dist/pubsub-worker.js next to the bundle that runs this; from the TypeScript sources (tests,
 * benches, the CLI under tsx) the .ts file, compiled by tsx in the worker.
 */
function startWorker(data: PubSubWorkerData): Worker {
  const bundled = join(__dirname, 'pubsub-worker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: data, resourceLimits: READER_HEAP_LIMITS });
  const source = join(__dirname, 'pubsub-worker.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, { eval: true, workerData: data, resourceLimits: READER_HEAP_LIMITS });
}
