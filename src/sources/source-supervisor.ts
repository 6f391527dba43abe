// Drives one Source through the shared reconnect state machine with real timers, turns its lifecycle into
// `connection.state` events, and counts and logs (rate-limited) the frames it rejects.
import type { MonitorEvent } from '../core/model/events';
import type { ConnectionState } from '../core/model/connection';
import { ReconnectMachine, type Clock, type ReconnectEffect, type ReconnectOptions } from '../core/connection/reconnect-machine';
import { isPermanentSourceError, type Source, type SourceContext, type SourceLogger } from '../core/source/source';
import { PerKeyRateLimit } from '../core/util/rate-limit';

export interface SupervisorOptions extends ReconnectOptions {
  readonly clock?: Clock;
  /** Window for logging repeated rejects of one kind. */
  readonly rejectLogWindowMs?: number;
}

export class SourceSupervisor {
  private readonly machine: ReconnectMachine;
  private readonly clock: Clock;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly rejectLog: PerKeyRateLimit;
  /** Identifies the current connect attempt, so a late result of an abandoned attempt is ignored. */
  private generation = 0;
  private visible = false;

  constructor(
    readonly source: Source,
    private readonly emit: (event: MonitorEvent, entityKey?: string) => void,
    private readonly log: SourceLogger,
    options: SupervisorOptions = {},
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.machine = new ReconnectMachine(this.clock, options);
    this.rejectLog = new PerKeyRateLimit(options.rejectLogWindowMs ?? 60_000);
  }

  get id(): string { return this.source.profile.id; }
  get phase(): string { return this.machine.state.phase; }

  start(): void { this.run(this.machine.dispatch({ type: 'start' })); }

  async stop(): Promise<void> {
    this.run(this.machine.dispatch({ type: 'stop' }));
    this.generation++;
    await this.source.disconnect().catch(() => undefined);
    this.setState('stopped');
  }

  /** Skips the remaining backoff (user asked to reconnect). */
  reconnectNow(): void {
    const s = this.machine.state;
    if (s.phase === 'waiting') {
      this.clearRetry();
      this.run(this.machine.dispatch({ type: 'retry-due' }));
    } else if (s.phase === 'idle' || s.phase === 'stopped') {
      this.start();
    }
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    this.source.setVisible(visible);
  }

  private run(effects: readonly ReconnectEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'connect': void this.connect(effect.attempt); break;
        case 'schedule-retry': {
          this.clearRetry();
          const s = this.machine.state;
          this.setState('reconnecting', s.phase === 'waiting' ? s.error : undefined, effect.delayMs, s.phase === 'waiting' ? s.attempt : undefined);
          this.retryTimer = setTimeout(() => { this.retryTimer = undefined; this.run(this.machine.dispatch({ type: 'retry-due' })); }, effect.delayMs);
          this.retryTimer.unref?.();
          break;
        }
        case 'cancel-retry': this.clearRetry(); break;
        case 'disconnect': break; // stop() disconnects after dispatching
      }
    }
  }

  private async connect(attempt: number): Promise<void> {
    const generation = ++this.generation;
    this.setState('connecting', undefined, undefined, attempt);
    const ctx = this.context(generation);
    try {
      await this.source.connect(ctx, (error) => this.lost(generation, error));
      if (generation !== this.generation) return;
      this.run(this.machine.dispatch({ type: 'connected' }));
      this.setState('connected');
      this.source.setVisible(this.visible);
    } catch (error) {
      if (generation !== this.generation) return;
      const message = describeError(error);
      this.log.warn(`[${this.id}] connect failed (attempt ${attempt}): ${message}`);
      await this.source.disconnect().catch(() => undefined);
      if (generation !== this.generation) return;
      if (isPermanentSourceError(error)) {
        this.machine.dispatch({ type: 'stop' });
        this.setState('disconnected', message);
        return;
      }
      this.run(this.machine.dispatch({ type: 'failed', error: message }));
    }
  }

  private lost(generation: number, error: Error): void {
    if (generation !== this.generation || this.machine.state.phase !== 'connected') return;
    this.log.warn(`[${this.id}] connection lost: ${error.message}`);
    void this.source.disconnect().catch(() => undefined).then(() => {
      if (generation !== this.generation) return;
      this.run(this.machine.dispatch({ type: 'failed', error: error.message }));
    });
  }

  private context(generation: number): SourceContext {
    return {
      emit: (event, entityKey) => { if (generation === this.generation) this.emit(event, entityKey); },
      reject: (kind, detail) => {
        if (generation !== this.generation) return;
        const now = this.clock.now();
        this.emit({ type: 'connection.rejected', connectionId: this.id, reason: kind, at: now });
        const suppressed = this.rejectLog.allow(kind, now);
        if (suppressed !== undefined) {
          this.log.warn(`[${this.id}] rejected ${kind}: ${detail}${suppressed > 0 ? ` (${suppressed} more of this kind since the last report)` : ''}`);
        }
      },
      log: this.log,
      now: () => this.clock.now(),
    };
  }

  private setState(state: ConnectionState, error?: string, retryInMs?: number, attempt?: number): void {
    this.emit({ type: 'connection.state', connectionId: this.id, state, error, retryInMs, attempt, at: this.clock.now() });
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
