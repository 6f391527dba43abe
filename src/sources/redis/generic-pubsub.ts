// Generic JSON over Redis pub/sub: PSUBSCRIBE to the profile's `channels` patterns (default `*`) and map each JSON
// message by the profile's field mapping (the same GenericMapper as generic WebSocket) into tasks, workers, queues
// and metric samples. A message the mapping does not cover is kept as a generic event named after its channel.
// Entity updates go through a LatestEventBuffer, so a burst on a few entities costs a few store writes.
// The subscription is read by a worker thread (pubsub-thread.ts), as Nexus events are: the extension host's thread
// decodes, parses and maps, but does not read the socket. A Redis Cluster profile, an injected client factory, or a
// thread that cannot start subscribe on the host's thread instead.
import type Redis from 'ioredis';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { redisTopologyOptions } from '../../core/config/redis-options';
import { readStreamOptions } from '../../core/config/stream-options';
import { websocketOptions } from '../../core/config/websocket-options';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import { DEFAULT_PREVIEW_CHARS } from '../../core/util/preview';
import { GenericMapper } from '../generic-mapping';
import { LatestEventBuffer } from '../latest-event-buffer';
import { createRedisClient, connectWatched } from './redis-client';
import { ReaderThreadError, ThreadedSubscriber } from './pubsub-thread';
import { clip, parseJson } from './redis-values';

export const DEFAULT_GENERIC_CHANNELS: readonly string[] = ['*'];
/** Messages larger than this are rejected before parsing. */
export const MAX_GENERIC_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface GenericRedisSourceOptions {
  readonly createClient: (profile: ConnectionProfile) => Redis;
  /** Read by a worker thread. Default: yes, except for a Redis Cluster and an injected client factory. */
  readonly subscriberThread?: boolean;
}

const CONNECTION_NAME = 'taskscope:generic';
const defaultCreateClient = (profile: ConnectionProfile): Redis => createRedisClient(profile, { connectionName: CONNECTION_NAME, blocking: true });
const DEFAULTS: GenericRedisSourceOptions = { createClient: defaultCreateClient };

export class GenericRedisSource implements Source {
  private readonly options: GenericRedisSourceOptions;
  private readonly patterns: readonly string[];
  private readonly mapper: GenericMapper;
  private client: Redis | undefined;
  private threadedSubscriber: ThreadedSubscriber | undefined;
  private buffer: LatestEventBuffer | undefined;
  /** Messages received since construction (all connections). */
  messagesReceived = 0;

  constructor(readonly profile: ConnectionProfile, options: Partial<GenericRedisSourceOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    const ws = websocketOptions(profile.options);
    this.patterns = ws.channels && ws.channels.length > 0 ? ws.channels : DEFAULT_GENERIC_CHANNELS;
    const mapping = readStreamOptions(profile.options).mapping ?? ws.mapping ?? {};
    this.mapper = new GenericMapper(profile.id, mapping, ws.previewChars ?? DEFAULT_PREVIEW_CHARS);
  }

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    const buffer = new LatestEventBuffer((event, key) => ctx.emit(event, key));
    this.buffer = buffer;
    const useThread = this.options.subscriberThread ?? (this.options.createClient === defaultCreateClient && redisTopologyOptions(this.profile.options).cluster === undefined);
    if (useThread && await this.subscribeOnThread(ctx, buffer, onLost)) return;
    const client = this.options.createClient(this.profile);
    this.client = client;
    const established = await connectWatched(client, { onLost, closedMessage: 'Redis subscription closed', debug: (m) => ctx.log.debug(`[${this.profile.id}] redis: ${m}`) });
    client.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      const name = channel.toString('utf8');
      if (message.length > MAX_GENERIC_MESSAGE_BYTES) this.tooLarge(ctx, message.length, name);
      else this.receive(ctx, buffer, name, message.toString('utf8'));
    });
    await client.psubscribe(...this.patterns);
    established();
    this.subscribed(ctx);
  }

  /** Whether the subscription is read by a worker thread; false (logged) when the thread cannot run. */
  private async subscribeOnThread(ctx: SourceContext, buffer: LatestEventBuffer, onLost: (error: Error) => void): Promise<boolean> {
    try {
      this.threadedSubscriber = await ThreadedSubscriber.start(this.profile, {
        connectionName: CONNECTION_NAME, channels: [], patterns: this.patterns, copies: 'none', channelNames: true,
      }, {
        onMessage: (text, channel) => this.receive(ctx, buffer, channel ?? '', text),
        maxMessageBytes: MAX_GENERIC_MESSAGE_BYTES,
        onTooLarge: (byteLength, channel) => this.tooLarge(ctx, byteLength, channel ?? ''),
        onLost,
      });
      this.subscribed(ctx);
      return true;
    } catch (error) {
      // A thread that cannot run (not a Redis failure, which is reported as usual) costs speed, not messages.
      if (!(error instanceof ReaderThreadError)) throw error;
      ctx.log.warn(`[${this.profile.id}] Redis pub/sub is read on the extension host's thread: ${error.message}`);
      return false;
    }
  }

  private subscribed(ctx: SourceContext): void {
    ctx.log.info(`[${this.profile.id}] subscribed to ${this.patterns.map((p) => `"${p}"`).join(', ')}`);
  }

  private tooLarge(ctx: SourceContext, byteLength: number, channel: string): void {
    this.messagesReceived++;
    ctx.reject('redis-generic-too-large', `${clip(channel, 200)}: ${byteLength} bytes (limit ${MAX_GENERIC_MESSAGE_BYTES})`);
  }

  /** One pub/sub message (size already checked): parsed, mapped. Never throws. */
  private receive(ctx: SourceContext, buffer: LatestEventBuffer, channel: string, text: string): void {
    this.messagesReceived++;
    const json = parseJson(text);
    if (!json.ok) {
      ctx.reject('redis-generic-json', `${clip(channel, 200)}: not JSON (${json.error}): ${clip(text, 80)}`);
      return;
    }
    const result = this.mapper.map(json.value, text, ctx.now(), channel.slice(0, 200));
    if (!result.ok) {
      ctx.reject(result.kind, `${clip(channel, 200)}: ${result.detail}`);
      return;
    }
    for (const event of result.events) buffer.push(event);
  }

  async disconnect(): Promise<void> {
    this.buffer?.discard();
    this.buffer = undefined;
    const threaded = this.threadedSubscriber;
    this.threadedSubscriber = undefined;
    await threaded?.close();
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.disconnect();
    }
  }

  setVisible(_visible: boolean): void { /* pushed data: nothing to poll */ }
  async refresh(): Promise<void> { /* pushed data: the views already show the latest values */ }
  actions(): readonly ActionDeclaration[] { return []; }

  async runAction(actionId: string, _target: ActionTarget, _progress: ActionProgress): Promise<ActionResult> {
    return { ok: false, affected: 0, message: `generic Redis pub/sub has no action "${actionId}"` };
  }
}
