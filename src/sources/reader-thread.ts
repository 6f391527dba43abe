// What the reader threads share (Redis pub/sub: redis/pubsub-thread.ts, MQTT: mqtt/mqtt-thread.ts). A reader thread
// owns one subscriber connection: it reads the socket and parses the protocol, off the extension host's one thread,
// and hands the messages over in batches: their bytes copied back to back into one buffer that is transferred, not
// cloned. The host thread decodes, maps and applies them, acknowledging each batch once handled; the worker keeps at
// most a bounded number of batches (and bytes) unacknowledged and then either pauses its socket (Redis: the server
// holds the messages) or drops and counts (MQTT QoS 0: a paused reader loses them at the broker anyway).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PermanentSourceError } from '../core/source/source';

/**
 * Worker → host: one batch. `bytes` holds the pieces back to back, piece i ending at `ends[i]` (both transferred);
 * what a piece is (a message, or a channel or topic followed by its message) is the reader's protocol. `skipped`:
 * messages the worker read and did not hand over since the last batch (Redis: copies, MQTT: dropped while full).
 */
export interface ReaderBatch {
  readonly type: 'batch';
  readonly bytes: ArrayBuffer;
  readonly ends: Uint32Array;
  readonly skipped: number;
  /** With a reader that describes each message (BatchLimits.recordInts): message i's record at `i * recordInts`. */
  readonly records?: Int32Array;
}

/** Host → worker: this many batches were handled. */
export interface ReaderAck { readonly type: 'ack'; readonly batches: number }

export interface BatchLimits {
  /** Pieces per batch: a batch goes out at the end of every socket read (the next turn), or sooner when full. */
  readonly maxPieces: number;
  readonly maxBytes: number;
  /** Batches posted and not yet acknowledged, their pieces and their bytes, before the worker counts itself full. */
  readonly maxInFlight: number;
  readonly maxInFlightPieces: number;
  readonly maxInFlightBytes: number;
  /** Integers the reader writes per message beside its bytes (a scan record), 0 or absent for none. */
  readonly recordInts?: number;
}

/** The reader thread itself failed (could not start, crashed, exited), as opposed to its connection. */
export class ReaderThreadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReaderThreadError';
  }
}

/**
 * The reader keeps nothing: a small young generation (its garbage is the batches it copied out) and a capped old
 * one keep its share of the extension host's memory small.
 */
const READER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/** Which reader: its name in messages, its bundle in dist/ and its TypeScript source. */
export interface ReaderCode { readonly name: string; readonly bundle: string; readonly sourceFile: string }

/**
 * Starts a reader's code: dist/<bundle> next to the bundle that runs this; from the TypeScript sources (tests,
 * benches, the CLI under tsx) its source file, compiled by tsx in the worker. A failure to start is a ReaderThreadError.
 */
export function startReaderWorker({ name, bundle, sourceFile }: ReaderCode, workerData: unknown): Worker {
  try {
    const bundled = join(__dirname, bundle);
    if (existsSync(bundled)) return new Worker(bundled, { workerData, resourceLimits: READER_HEAP_LIMITS });
    return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(sourceFile)});`, { eval: true, workerData, resourceLimits: READER_HEAP_LIMITS });
  } catch (cause) {
    throw new ReaderThreadError(`the ${name} reader thread could not start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** What every reader says of its connection, beside its batches and its protocol's own messages. */
export type ReaderStatus =
  | { readonly type: 'subscribed' }
  | { readonly type: 'failed' | 'lost'; readonly message: string; readonly permanent: boolean };

/** The owner of a reader thread, as `followReader` tells it what happens. */
export interface ReaderFollower<M> {
  /** Every message of the reader that is not a status. */
  onMessage(message: M): void;
  /** The connection or the thread ended after the subscription was established (unless the owner closed it). */
  onLost(error: Error): void;
  isClosed(): boolean;
  /** The connection or the thread ended (before or after subscribing): the owner stops handling and closes. */
  end(error: Error): void;
}

/**
 * Follows a reader thread from its start: resolves once it has subscribed; rejects with why it could not (its
 * connection's error, permanent or not, or a ReaderThreadError when the thread itself failed or exited).
 */
export function followReader<M extends { readonly type: string }>(worker: Worker, name: string, follower: ReaderFollower<M>): Promise<void> {
  return new Promise((resolve, reject) => {
    let subscribed = false;
    const ended = (error: Error): void => {
      if (!subscribed) reject(error);
      else if (!follower.isClosed()) follower.onLost(error);
      follower.end(error);
    };
    worker.on('message', (m: M | ReaderStatus) => {
      if (m.type === 'subscribed') {
        subscribed = true;
        resolve();
      } else if (m.type === 'failed' || m.type === 'lost') {
        const status = m as Extract<ReaderStatus, { type: 'failed' | 'lost' }>;
        ended(status.permanent ? new PermanentSourceError(status.message) : new Error(status.message));
      } else {
        follower.onMessage(m as M);
      }
    });
    worker.on('error', (cause: Error) => ended(new ReaderThreadError(`the ${name} reader thread failed: ${cause.message}`, { cause })));
    worker.on('exit', (code) => ended(new ReaderThreadError(subscribed ? `the ${name} reader thread exited (${code})` : `the ${name} reader thread exited (${code}) before it subscribed`)));
  });
}

/** Asks a reader to close (it disconnects and exits on its own); one that is stuck is terminated. */
export async function closeReaderWorker(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return; // exited already
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'close' });
  const timer = setTimeout(() => void worker.terminate(), 2_000);
  await exited;
  clearTimeout(timer);
}

/** The worker's side of the flow: collects pieces, posts them as batches, tracks what is unacknowledged. */
export class BatchSender {
  /** This batch's pieces: slices of the client's read buffers or strings, copied out at the flush (same turn). */
  private pieces: (Buffer | string)[] = [];
  private bytes = 0;
  private skipped = 0;
  /** Messages ended in this batch: the next one's record starts at `messages * recordInts`. */
  private messages = 0;
  /** This batch's records, written in place by the reader (sized for a full batch, copied out at the flush). */
  private recordScratch: Int32Array;
  private flushTimer: ReturnType<typeof setImmediate> | undefined;
  /** Pieces and bytes of each batch in flight, oldest first (an ack covers the oldest). */
  private inFlight: { pieces: number; bytes: number }[] = [];
  private inFlightPieces = 0;
  private inFlightBytes = 0;
  private wasFull = false;

  constructor(
    private readonly post: (batch: ReaderBatch, transfer: ArrayBuffer[]) => void,
    private readonly limits: BatchLimits,
    /** Told when the worker becomes full, and when it has room again (half the batches acknowledged). */
    private readonly flow: { onFull?(): void; onRoom?(): void } = {},
  ) {
    this.recordScratch = new Int32Array(limits.maxPieces * (limits.recordInts ?? 0));
  }

  /** Where the current message's record is to be written: `records` from `recordAt` on (with `recordInts`). */
  get records(): Int32Array { return this.recordScratch; }
  get recordAt(): number { return this.messages * (this.limits.recordInts ?? 0); }

  /** Whether the host has as much unacknowledged as the limits allow. */
  get full(): boolean {
    const limits = this.limits;
    return this.inFlight.length >= limits.maxInFlight || this.inFlightPieces >= limits.maxInFlightPieces || this.inFlightBytes >= limits.maxInFlightBytes;
  }

  /** Adds one piece of the current message; `byteLength` of a string piece is its UTF-8 length. */
  add(piece: Buffer | string, byteLength: number = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length): void {
    this.pieces.push(piece);
    this.bytes += byteLength;
  }

  /** Ends a message (and its record): the batch goes out now if it is full, at the next turn otherwise. */
  endMessage(): void {
    this.messages++;
    if (this.pieces.length >= this.limits.maxPieces || this.bytes >= this.limits.maxBytes) this.flush();
    else this.schedule();
  }

  /** Counts a message that was read and not handed over. */
  skip(): void {
    this.skipped++;
    this.schedule();
  }

  acknowledged(batches: number): void {
    for (let i = 0; i < batches && this.inFlight.length > 0; i++) {
      const batch = this.inFlight.shift() as { pieces: number; bytes: number };
      this.inFlightPieces -= batch.pieces;
      this.inFlightBytes -= batch.bytes;
    }
    const limits = this.limits;
    if (this.wasFull && this.inFlight.length <= limits.maxInFlight / 2 && this.inFlightPieces <= limits.maxInFlightPieces / 2 && this.inFlightBytes <= limits.maxInFlightBytes / 2) {
      this.wasFull = false;
      this.flow.onRoom?.();
    }
  }

  private schedule(): void {
    this.flushTimer ??= setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const pieces = this.pieces;
    if (pieces.length === 0 && this.skipped === 0) return;
    const bytes = Buffer.allocUnsafeSlow(this.bytes); // its own ArrayBuffer, so it can be transferred
    const ends = new Uint32Array(pieces.length);
    let offset = 0;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as Buffer | string;
      offset += typeof piece === 'string' ? bytes.write(piece, offset) : piece.copy(bytes, offset);
      ends[i] = offset;
    }
    const recordInts = this.limits.recordInts ?? 0;
    if (recordInts > 0) {
      const records = this.recordScratch.slice(0, this.messages * recordInts);
      this.post({ type: 'batch', bytes: bytes.buffer as ArrayBuffer, ends, skipped: this.skipped, records }, [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer, records.buffer as ArrayBuffer]);
    } else {
      this.post({ type: 'batch', bytes: bytes.buffer as ArrayBuffer, ends, skipped: this.skipped }, [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
    }
    this.inFlight.push({ pieces: pieces.length, bytes: this.bytes });
    this.inFlightPieces += pieces.length;
    this.inFlightBytes += this.bytes;
    this.pieces = [];
    this.bytes = 0;
    this.skipped = 0;
    this.messages = 0;
    if (this.full && !this.wasFull) {
      this.wasFull = true;
      this.flow.onFull?.();
    }
  };
}

/**
 * The host's side of the flow: batches wait here (bounded by what the worker may have in flight) and are handled
 * in turns of about `piecesPerTurn` pieces, so a backlog of batches does not hold the thread for long. The batches
 * of a turn are acknowledged at its end: the worker refills while this thread works through what is still queued
 * (acknowledging only a turn later left it idle, waiting for the refill, a fifth of the time), and since a turn
 * handles a bounded amount, a worker that keeps the port full cannot keep this thread's timers and I/O waiting.
 */
export class BatchInbox {
  private queue: ReaderBatch[] = [];
  /** When each queued batch arrived (the caller's clock): what was read is stamped then, not when handled. */
  private arrivals: number[] = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  private handled = 0;
  private closed = false;

  constructor(
    /** Handles one batch's pieces (as a Buffer over the transferred bytes), its skipped count, arrival and records. */
    private readonly handle: (bytes: Buffer, ends: Uint32Array, skipped: number, at: number, records: Int32Array | undefined) => void,
    private readonly acknowledge: (batches: number) => void,
    private readonly piecesPerTurn: number,
  ) {}

  push(batch: ReaderBatch, at = 0): void {
    if (this.closed) return;
    this.queue.push(batch);
    this.arrivals.push(at);
    this.scheduled ??= setImmediate(this.handleTurn);
  }

  /** Handles every batch received so far (on disconnect: what was read is not lost). */
  drainAll(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.handleUpTo(Number.POSITIVE_INFINITY);
  }

  /** Drops what waits; nothing more is handled or acknowledged. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.arrivals = [];
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  private readonly handleTurn = (): void => {
    this.scheduled = undefined;
    this.handleUpTo(this.piecesPerTurn);
    if (this.queue.length > 0 && !this.closed) this.scheduled ??= setImmediate(this.handleTurn);
  };

  private handleUpTo(pieces: number): void {
    let done = 0;
    try {
      while (done < pieces && this.queue.length > 0 && !this.closed) {
        const batch = this.queue.shift() as ReaderBatch;
        const at = this.arrivals.shift() as number;
        done += batch.ends.length;
        this.handled++;
        this.handle(Buffer.from(batch.bytes), batch.ends, batch.skipped, at, batch.records);
      }
    } finally {
      this.sendAck();
    }
  }

  private sendAck(): void {
    const batches = this.handled;
    this.handled = 0;
    if (!this.closed && batches > 0) this.acknowledge(batches);
  }
}
