// Coalesces bursts of changes into at most one flush per interval (leading flush, then trailing).
// Timers are injected so core stays free of host APIs and tests control time.
import { MutableChangeSet, type ChangeSet } from '../store/change-set';

export interface TimerApi {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export const systemTimers: TimerApi = {
  set: (cb, ms) => {
    const h = setTimeout(cb, ms);
    (h as { unref?: () => void }).unref?.();
    return h;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class ChangeCoalescer {
  private pending: MutableChangeSet | undefined;
  private timer: unknown;
  private lastFlush = -Infinity;
  private paused = false;

  constructor(
    private readonly minIntervalMs: number,
    private readonly flush: (change: ChangeSet) => void,
    private readonly timers: TimerApi = systemTimers,
  ) {}

  add(change: ChangeSet): void {
    // Paused (the view is hidden): nothing is kept. Its owner shows everything afresh when it is shown again (trees
    // refresh in full, panels send a snapshot), and a set merging every key changed meanwhile would grow for as
    // long as the view stays hidden — every task id of a busy system.
    if (this.paused) return;
    (this.pending ??= new MutableChangeSet()).merge(change);
    this.schedule();
  }

  /**
   * While paused (view hidden) changes are dropped and nothing flushes; the owner must refresh in full when it
   * resumes (StoreTree: `refreshAll` on visibility; PanelMessenger: a snapshot).
   */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.discardPending();
    else this.schedule();
  }

  /** Drops what is pending (e.g. a full snapshot was just sent). */
  discardPending(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  dispose(): void { this.discardPending(); }

  private schedule(): void {
    if (this.paused || this.timer !== undefined || !this.pending) return;
    const wait = Math.max(0, this.lastFlush + this.minIntervalMs - this.timers.now());
    this.timer = this.timers.set(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.paused || !this.pending) return;
    const change = this.pending;
    this.pending = undefined;
    this.lastFlush = this.timers.now();
    this.flush(change);
  }
}
