// What every MQTT source shares: the connection (opened by the supervisor, subscribed again on every
// connect), the topic browser fed with truncated previews, JSON decoding with size limits, and unknown
// messages kept as `generic` events. Subclasses say which filters to subscribe and how to map a message.
// The connection runs on a reader thread (mqtt-thread.ts) that reads the socket at mqtt.js's speed and hands the
// messages over in bounded batches; where that thread cannot start, on this thread into a bounded backlog processed
// in slices. Entity events are aggregated per tick, so a burst neither stalls the socket (mosquitto drops QoS 0 for
// slow readers) nor costs a store write per message about the same entity.
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { readStreamOptions, type StreamOptions } from '../../core/config/stream-options';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import type { MonitorEvent } from '../../core/model/events';
import { TopicBrowser } from '../../core/topics/topic-browser';
import { LatestEventBuffer, type EventSink } from '../latest-event-buffer';
import { DEFAULT_PREVIEW_BYTES, oneLineText, previewBytes } from '../../core/util/payload-preview';
import { MessageBacklog } from './message-backlog';
import { openMqtt, type MqttSession } from './mqtt-connection';
import { ThreadedMqttSession } from './mqtt-thread';
import { ReaderThreadError } from '../reader-thread';

/** Payloads larger than this are previewed but not parsed. */
export const MAX_PARSE_BYTES = 8 * 1024 * 1024;
const GENERIC_SUMMARY_CHARS = 300;

/** One received message; `text` is the payload decoded up to the preview limit (`truncated` when cut). */
export interface MqttMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly text: string;
  /** Size of the whole payload. */
  readonly bytes: number;
  readonly truncated: boolean;
  readonly at: number;
}

export interface MqttSourceOptions {
  /** Read the connection on a worker thread (default); false keeps it on this thread (as when the thread cannot start). */
  readonly readerThread?: boolean;
}

export abstract class MqttSourceBase implements Source {
  protected readonly opts: StreamOptions;
  protected ctx: SourceContext | undefined;
  protected session: MqttSession | undefined;
  readonly topicBrowser: TopicBrowser;
  private readonly previewLimit: number;
  /** This connection's entity events, aggregated per tick (latest per entity); absent while not connected. */
  private buffer: LatestEventBuffer | undefined;
  /** Messages read from this connection's socket on this thread, waiting to be processed (see MessageBacklog). */
  private backlog: MessageBacklog | undefined;
  /** The connection when it runs on a reader thread. */
  private threaded: ThreadedMqttSession | undefined;
  private readonly readerThread: boolean;
  /** Messages dropped since construction because the backlog (or the batches in flight from the reader) was full. */
  messagesDropped = 0;
  /** Messages received since construction (all connections). */
  messagesReceived = 0;

  constructor(readonly profile: ConnectionProfile, options: MqttSourceOptions = {}) {
    this.readerThread = options.readerThread ?? true;
    this.opts = readStreamOptions(profile.options);
    this.previewLimit = this.opts.payloadPreviewBytes ?? DEFAULT_PREVIEW_BYTES;
    this.topicBrowser = new TopicBrowser(this.opts.topicHistoryBytes ? { historyBytesPerTopic: this.opts.topicHistoryBytes } : {});
  }

  protected abstract filters(): string[];
  /** Maps one message; return false to keep it as a generic event. */
  protected abstract handle(message: MqttMessage, json: unknown): boolean;
  protected onConnected(): void { /* subclasses start timers */ }
  protected onDisconnected(): void { /* subclasses stop timers */ }

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.ctx = ctx;
    // Every metric sample is kept (MQTT metrics are often one series per topic, sampled per message).
    this.buffer = new LatestEventBuffer((event, key) => ctx.emit(event, key), 10_000, true);
    const onWarn = (m: string): void => ctx.log.warn(`[${this.profile.id}] ${m}`);
    if (this.readerThread) {
      try {
        this.threaded = await ThreadedMqttSession.start(this.profile, this.filters(), {
          onMessage: (topic, payload, at) => this.receiveRead(ctx, topic, payload, at),
          onDropped: (count) => {
            this.messagesDropped += count;
            // One reject per message, as the host-thread backlog counts them; the words are the same for all.
            const detail = `dropped by the MQTT reader thread (${count} at once): this thread is too far behind`;
            for (let i = 0; i < count; i++) ctx.reject('mqtt-backlog-full', detail);
          },
          onWarn,
          onLost,
          now: () => ctx.now(),
        });
        this.session = this.threaded;
        this.onConnected();
        return;
      } catch (error) {
        // A thread that cannot run (not a broker failure, which is reported as usual) costs speed, not messages.
        if (!(error instanceof ReaderThreadError)) throw error;
        ctx.log.warn(`[${this.profile.id}] MQTT messages are read on the extension host's thread: ${error.message}`);
      }
    }
    const backlog = new MessageBacklog((topic, payload, at) => this.receiveRead(ctx, topic, payload, at), (topic, bytes) => {
      this.messagesDropped++;
      ctx.reject('mqtt-backlog-full', `${topic.slice(0, 256)}: ${bytes} bytes dropped, ${backlog.size} messages (${backlog.heldBytes} bytes) still waiting to be processed`);
    });
    this.backlog = backlog;
    this.session = await openMqtt(this.profile, this.filters(), (topic, payload) => backlog.push(topic, payload, ctx.now()), onLost, onWarn);
    this.onConnected();
  }

  /** A message read from the connection: processing runs from a timer, not under mqtt.js, so nothing may escape. */
  private receiveRead(ctx: SourceContext, topic: string, payload: Buffer, at: number): void {
    try {
      this.receive(topic, payload, at);
    } catch (error) {
      ctx.reject('mqtt-handler', `${topic.slice(0, 256)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async disconnect(): Promise<void> {
    this.onDisconnected();
    // What was read is processed before the buffer's last flush.
    this.backlog?.drainAll();
    this.backlog = undefined;
    this.threaded?.drainAll();
    this.threaded = undefined;
    this.buffer?.flush();
    this.buffer = undefined;
    const s = this.session;
    this.session = undefined;
    if (s) await s.close();
  }

  setVisible(_visible: boolean): void { /* pushed data: nothing to poll */ }
  async refresh(): Promise<void> { /* pushed data: the views already show the latest values */ }

  actions(): readonly ActionDeclaration[] { return []; }

  async runAction(actionId: string, _target: ActionTarget, _progress: ActionProgress): Promise<ActionResult> {
    return { ok: false, affected: 0, message: `${this.profile.system} over MQTT has no action "${actionId}"` };
  }

  topics(): TopicBrowser { return this.topicBrowser; }

  /**
   * Processes one message; socket messages come here through the backlog, stamped when they were read (`at`).
   * Exposed for the fuzzer.
   */
  receive(topic: string, payload: Buffer, at?: number): void {
    const ctx = this.ctx;
    if (!ctx) return;
    this.messagesReceived++;
    at ??= ctx.now();
    // Decode once: a payload within the preview limit is its own preview and is what JSON.parse reads.
    const bytes = payload.byteLength;
    const truncated = bytes > this.previewLimit;
    const text = truncated ? previewBytes(payload, this.previewLimit).text : payload.toString('utf8');
    this.topicBrowser.recordText(topic, text, bytes, truncated, at);
    const message: MqttMessage = { topic, payload, text, bytes, truncated, at };
    if (!this.wantsJson(topic)) {
      this.keepGeneric(message);
      return;
    }
    if (payload.byteLength > MAX_PARSE_BYTES) {
      ctx.reject('mqtt-payload-too-large', `${topic}: ${payload.byteLength} bytes, previewed only`);
      this.keepGeneric(message);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(truncated ? payload.toString('utf8') : text);
    } catch {
      json = undefined;
    }
    try {
      if (!this.handle(message, json)) this.keepGeneric(message);
    } catch (error) {
      // A mapping bug must not take the connection down: count it like a bad frame.
      ctx.reject('mqtt-handler', `${topic}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Hands an entity event on: through the per-tick buffer while connected, so a burst of messages about the same
   * task or worker costs one store write; straight to the context otherwise (tests and the fuzzer drive
   * `receive` without connecting).
   */
  protected readonly emitEntity = (event: MonitorEvent): void => {
    const buffer = this.buffer;
    if (buffer) buffer.push(event);
    else this.ctx?.emit(event);
  };

  /** Where mapped events go: the per-tick buffer while connected, straight to the context otherwise. */
  protected sink(): EventSink {
    return this.buffer ?? this.directSink;
  }

  private readonly directSink: EventSink = {
    push: (event) => this.ctx?.emit(event),
    pushAggregated: (event, key) => this.ctx?.emit(event, key),
    defer: (pending) => pending.drainInto(this.directSink),
  };

  /** Whether messages on `topic` are mapped at all (and so worth parsing). */
  protected wantsJson(_topic: string): boolean { return true; }

  protected keepGeneric(message: MqttMessage): void {
    this.ctx?.emit({
      type: 'generic', connectionId: this.profile.id, name: `mqtt:${message.topic.slice(0, 256)}`,
      summary: oneLineText(message.text.length > GENERIC_SUMMARY_CHARS * 2 ? message.text.slice(0, GENERIC_SUMMARY_CHARS * 2) : message.text, message.truncated, message.bytes, GENERIC_SUMMARY_CHARS),
      at: message.at,
    });
  }
}
