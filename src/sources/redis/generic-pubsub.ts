// Generic JSON over Redis pub/sub: PSUBSCRIBE to the profile's `channels` patterns (default `*`) and map each JSON
// message by the profile's field mapping (the same GenericMapper as generic WebSocket) into tasks, workers, queues
// and metric samples. A message the mapping does not cover is kept as a generic event named after its channel.
// Entity updates go through a LatestEventBuffer, so a burst on a few entities costs a few store writes.
import type Redis from 'ioredis';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { readStreamOptions } from '../../core/config/stream-options';
import { websocketOptions } from '../../core/config/websocket-options';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import { DEFAULT_PREVIEW_CHARS } from '../../core/util/preview';
import { GenericMapper } from '../generic-mapping';
import { LatestEventBuffer } from '../latest-event-buffer';
import { createRedisClient, connectWatched } from './redis-client';
import { clip, parseJson } from './redis-values';

export const DEFAULT_GENERIC_CHANNELS: readonly string[] = ['*'];
/** Messages larger than this are rejected before parsing. */
export const MAX_GENERIC_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface GenericRedisSourceOptions {
  readonly createClient: (profile: ConnectionProfile) => Redis;
}

const DEFAULTS: GenericRedisSourceOptions = {
  createClient: (profile) => createRedisClient(profile, { connectionName: 'taskscope:generic', blocking: true }),
};

export class GenericRedisSource implements Source {
  private readonly options: GenericRedisSourceOptions;
  private readonly patterns: readonly string[];
  private readonly mapper: GenericMapper;
  private client: Redis | undefined;
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
    const client = this.options.createClient(this.profile);
    this.client = client;
    const buffer = new LatestEventBuffer((event, key) => ctx.emit(event, key));
    this.buffer = buffer;
    const established = await connectWatched(client, { onLost, closedMessage: 'Redis subscription closed', debug: (m) => ctx.log.debug(`[${this.profile.id}] redis: ${m}`) });
    client.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => this.receive(ctx, buffer, channel.toString('utf8'), message));
    await client.psubscribe(...this.patterns);
    established();
    ctx.log.info(`[${this.profile.id}] subscribed to ${this.patterns.map((p) => `"${p}"`).join(', ')}`);
  }

  /** One pub/sub message: size-checked, parsed, mapped. Never throws. */
  private receive(ctx: SourceContext, buffer: LatestEventBuffer, channel: string, message: Buffer): void {
    this.messagesReceived++;
    if (message.length > MAX_GENERIC_MESSAGE_BYTES) {
      ctx.reject('redis-generic-too-large', `${clip(channel, 200)}: ${message.length} bytes (limit ${MAX_GENERIC_MESSAGE_BYTES})`);
      return;
    }
    const text = message.toString('utf8');
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
