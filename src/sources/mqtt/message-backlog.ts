// Decouples reading the MQTT socket from processing the messages. mosquitto drops QoS 0 messages for a client
// once about 1 000 packets wait for its socket (`max_queued_messages`, which 2.x applies to QoS 0 too), so a
// subscriber that maps every message inline reads its socket at the speed of the whole pipeline and loses
// messages in bursts. Here the socket is read at mqtt.js's own speed: messages are queued (bounded in bytes and
// count; overflow is dropped and reported, never silent) and processed in slices between I/O turns.

export interface BacklogLimits {
  /** Payload and topic bytes held at most; a burst beyond it is dropped and reported. */
  readonly maxBytes: number;
  readonly maxMessages: number;
  /** Messages processed per turn of the event loop before the socket is read again. */
  readonly sliceMessages: number;
}

/** About 1–2 s of a 100k msg/s stream of 200 B messages. */
export const DEFAULT_BACKLOG_LIMITS: BacklogLimits = { maxBytes: 32 * 1024 * 1024, maxMessages: 200_000, sliceMessages: 1_000 };

export class MessageBacklog {
  private topics: (string | undefined)[] = [];
  private payloads: (Buffer | undefined)[] = [];
  /** Arrival times: a message is stamped when it was read, not when its turn to be processed came. */
  private ats: number[] = [];
  private head = 0;
  private bytes = 0;
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  private droppedTotal = 0;

  constructor(
    private readonly process: (topic: string, payload: Buffer, at: number) => void,
    /** Called for each message dropped because the backlog is full. */
    private readonly onDrop: (topic: string, payloadBytes: number) => void,
    private readonly limits: BacklogLimits = DEFAULT_BACKLOG_LIMITS,
  ) {}

  get size(): number { return this.topics.length - this.head; }
  get heldBytes(): number { return this.bytes; }
  /** Messages dropped because the backlog was full. */
  get dropped(): number { return this.droppedTotal; }

  push(topic: string, payload: Buffer, at: number): void {
    const cost = payload.byteLength + topic.length;
    // An empty backlog takes any message (one larger than the cap alone is still processed, previewed as usual).
    if (this.size > 0 && (this.bytes + cost > this.limits.maxBytes || this.size >= this.limits.maxMessages)) {
      this.droppedTotal++;
      this.onDrop(topic, payload.byteLength);
      return;
    }
    this.topics.push(topic);
    this.payloads.push(payload);
    this.ats.push(at);
    this.bytes += cost;
    this.scheduled ??= setImmediate(this.drainSlice);
  }

  /** Processes everything queued now (on disconnect: what was read is not lost). */
  drainAll(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.size > 0) this.processUpTo(this.topics.length);
  }

  private readonly drainSlice = (): void => {
    this.scheduled = undefined;
    this.processUpTo(Math.min(this.topics.length, this.head + this.limits.sliceMessages));
    if (this.size > 0) this.scheduled ??= setImmediate(this.drainSlice);
  };

  private processUpTo(end: number): void {
    const topics = this.topics;
    const payloads = this.payloads;
    const ats = this.ats;
    while (this.head < end && topics === this.topics) {
      const i = this.head++;
      const topic = topics[i] as string;
      const payload = payloads[i] as Buffer;
      topics[i] = undefined;
      payloads[i] = undefined;
      this.bytes -= payload.byteLength + topic.length;
      this.process(topic, payload, ats[i] as number);
    }
    if (this.head === this.topics.length) {
      this.topics = [];
      this.payloads = [];
      this.ats = [];
      this.head = 0;
    } else if (this.head > 4_096 && this.head * 2 > this.topics.length) {
      // Drop the processed prefix once it dominates, so memory follows what is still queued.
      this.topics = this.topics.slice(this.head);
      this.payloads = this.payloads.slice(this.head);
      this.ats = this.ats.slice(this.head);
      this.head = 0;
    }
  }
}
