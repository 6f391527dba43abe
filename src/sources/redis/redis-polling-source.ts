// The connection lifecycle shared by the Redis sources that read state by polling (rhailib, Nexus Agents,
// pynenc/Rustvello): one reader connection, a sync on connect, re-reads only while something is visible
// (default every 5 s, `pollIntervalMs` per profile), and removal of entities that vanished between reads.
// Sources remember what they read per task (PollMarkerCache) so that a poll reads in full only what changed; that
// memory is dropped on every (re)connect and on the Refresh action, which therefore read everything again.
import type Redis from 'ioredis';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { MonitorEvent } from '../../core/model/events';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import { VisiblePolling } from '../visible-polling';
import { createRedisClient, connectWatched } from './redis-client';

export interface PollingOptions {
  readonly pollIntervalMs: number;
  readonly createClient: (profile: ConnectionProfile, connectionName: string) => Redis;
}

export const DEFAULT_POLL_INTERVAL_MS = 5_000;

export const defaultCreateClient = (profile: ConnectionProfile, connectionName: string): Redis =>
  createRedisClient(profile, { connectionName });

/** Declared by every polling source; none of rhailib, Nexus or pynenc/Rustvello documents an external retry. */
export const REFRESH_ACTION: ActionDeclaration = { id: 'refresh', title: 'Refresh', targets: ['connection', 'queue'], destructive: false, allowedReadOnly: true };

export abstract class RedisPollingSource implements Source {
  protected client: Redis | undefined;
  protected ctx: SourceContext | undefined;
  protected readonly pollIntervalMs: number;
  private readonly polling: VisiblePolling;
  private syncing: Promise<void> | undefined;
  private readonly seen = new Map<'queue' | 'worker' | 'workflow', Set<string>>();

  constructor(readonly profile: ConnectionProfile, protected readonly options: PollingOptions) {
    this.pollIntervalMs = profile.pollIntervalMs ?? options.pollIntervalMs;
    this.polling = new VisiblePolling({
      intervalMs: this.pollIntervalMs,
      poll: () => this.refresh(),
      readNow: () => this.refresh(),
      connected: () => this.client !== undefined,
      warn: (what, e) => this.ctx?.log.warn(`[${this.profile.id}] ${what} failed: ${errorText(e)}`),
    });
  }

  /** Reads the system's state and emits it; called on connect, on refresh and on every poll while visible. */
  protected abstract sync(): Promise<void>;
  /** Name shown in CLIENT LIST for the reader connection. */
  protected abstract readonly clientName: string;
  /** Extra setup after the reader connected (e.g. a pub/sub subscriber); `onLost` reports its loss. */
  protected async afterConnect(_ctx: SourceContext, _onLost: (error: Error) => void): Promise<void> {}
  protected async beforeDisconnect(): Promise<void> {}
  /** Drops what the source remembers of earlier reads, so that the next sync reads every task in full. */
  protected forgetReads(): void {}

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.ctx = ctx;
    const client = this.options.createClient(this.profile, this.clientName);
    this.client = client;
    const established = await connectWatched(client, { onLost, closedMessage: 'connection to Redis closed', debug: (m) => ctx.log.debug(`[${this.profile.id}] redis: ${m}`) });
    established();
    await this.afterConnect(ctx, onLost);
    // A reconnect may follow a failover, a FLUSHALL or a restore: nothing read before it is trusted.
    this.forgetReads();
    await this.refresh();
    this.polling.start();
  }

  async disconnect(): Promise<void> {
    this.polling.stop();
    await this.beforeDisconnect().catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.disconnect();
    }
    this.seen.clear();
    this.forgetReads();
  }

  setVisible(visible: boolean): void { this.polling.setVisible(visible); }

  /** One sync at a time: a refresh during a running sync waits for it instead of starting another. */
  async refresh(): Promise<void> {
    if (!this.client) return;
    if (this.syncing) return this.syncing;
    this.syncing = this.sync().finally(() => { this.syncing = undefined; });
    return this.syncing;
  }

  actions(): readonly ActionDeclaration[] { return [REFRESH_ACTION]; }

  async runAction(actionId: string, _target: ActionTarget, _progress: ActionProgress): Promise<ActionResult> {
    if (actionId === 'refresh') {
      // Asked for by a person: read everything again (this also brings back tasks the store evicted for retention).
      this.forgetReads();
      await this.refresh();
      return { ok: true, affected: 0, message: 'Refreshed' };
    }
    return { ok: false, affected: 0, message: `${this.profile.system} has no action "${actionId}"` };
  }

  protected emit(event: MonitorEvent): void { this.ctx?.emit(event); }
  protected reject(kind: string, detail: string): void { this.ctx?.reject(kind, detail); }
  protected now(): number { return this.ctx?.now() ?? Date.now(); }
  protected requireClient(): Redis {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  /** After a full read: emits `*.removed` for entities of `kind` seen last time but not now. */
  protected retire(kind: 'queue' | 'worker' | 'workflow', current: Iterable<string>): void {
    const now = new Set(current);
    const before = this.seen.get(kind) ?? new Set<string>();
    const at = this.now();
    for (const id of before) {
      if (now.has(id)) continue;
      if (kind === 'queue') this.emit({ type: 'queue.removed', connectionId: this.profile.id, name: id, at });
      else if (kind === 'worker') this.emit({ type: 'worker.removed', connectionId: this.profile.id, id, at });
      // Workflows have no removal event: a finished one stays in the store with its final state.
    }
    this.seen.set(kind, now);
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
