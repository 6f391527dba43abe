// The reconnect state machine every source shares. Pure: it never touches timers or sockets; it returns
// effects (connect now / retry later) that the caller carries out, and reads time from an injected clock.
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';

export interface Clock { now(): number }

export type ReconnectPhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'connecting'; readonly attempt: number }
  | { readonly phase: 'connected'; readonly since: number }
  | { readonly phase: 'waiting'; readonly attempt: number; readonly retryAt: number; readonly error: string }
  | { readonly phase: 'stopped' };

export type ReconnectInput =
  | { readonly type: 'start' }
  | { readonly type: 'connected' }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'retry-due' }
  | { readonly type: 'stop' };

export type ReconnectEffect =
  | { readonly type: 'connect'; readonly attempt: number }
  | { readonly type: 'schedule-retry'; readonly delayMs: number }
  | { readonly type: 'cancel-retry' }
  | { readonly type: 'disconnect' };

export interface ReconnectOptions {
  readonly policy?: BackoffPolicy;
  readonly random?: () => number;
  /** A connection that lived at least this long resets the attempt counter; a flapping one keeps backing off. */
  readonly stableAfterMs?: number;
}

export class ReconnectMachine {
  private current: ReconnectPhase = { phase: 'idle' };
  /** Attempts carried over from a connection that dropped before it became stable. */
  private carriedAttempts = 0;
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;
  private readonly stableAfterMs: number;

  constructor(private readonly clock: Clock, options: ReconnectOptions = {}) {
    this.policy = options.policy ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.stableAfterMs = options.stableAfterMs ?? 10_000;
  }

  get state(): ReconnectPhase { return this.current; }

  dispatch(input: ReconnectInput): ReconnectEffect[] {
    const s = this.current;
    switch (input.type) {
      case 'start':
        if (s.phase !== 'idle' && s.phase !== 'stopped') return [];
        this.carriedAttempts = 0;
        this.current = { phase: 'connecting', attempt: 1 };
        return [{ type: 'connect', attempt: 1 }];
      case 'connected':
        if (s.phase !== 'connecting') return [];
        this.carriedAttempts = s.attempt;
        this.current = { phase: 'connected', since: this.clock.now() };
        return [];
      case 'failed': {
        if (s.phase === 'connecting') return this.scheduleRetry(s.attempt, input.error);
        if (s.phase === 'connected') {
          const lived = this.clock.now() - s.since;
          // The dropped connection counts as the attempt that failed; a stable one starts the count afresh.
          const attempt = lived >= this.stableAfterMs ? 1 : this.carriedAttempts;
          return this.scheduleRetry(attempt, input.error);
        }
        return [];
      }
      case 'retry-due':
        if (s.phase !== 'waiting') return [];
        this.current = { phase: 'connecting', attempt: s.attempt };
        return [{ type: 'connect', attempt: s.attempt }];
      case 'stop': {
        if (s.phase === 'stopped' || s.phase === 'idle') { this.current = { phase: 'stopped' }; return []; }
        const effects: ReconnectEffect[] = s.phase === 'waiting' ? [{ type: 'cancel-retry' }] : [{ type: 'disconnect' }];
        this.current = { phase: 'stopped' };
        return effects;
      }
    }
  }

  private scheduleRetry(failedAttempt: number, error: string): ReconnectEffect[] {
    const next = failedAttempt + 1;
    this.carriedAttempts = next;
    // Connect attempt `next` is reconnect attempt `failedAttempt`: the first retry waits `initialDelayMs`.
    const delayMs = backoffDelay(failedAttempt, this.policy, this.random);
    this.current = { phase: 'waiting', attempt: next, retryAt: this.clock.now() + delayMs, error };
    return [{ type: 'schedule-retry', delayMs }];
  }
}
