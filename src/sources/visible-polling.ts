// Polling only while something shows a source's data (issue: "polling only for what is visible"), shared by the
// Redis sources that poll (RedisPollingSource: rhailib, Nexus, pynenc/Rustvello; BullmqSource): one timer at a
// time, a poll never started while the previous one runs, a read as soon as a view becomes visible, nothing while
// hidden or disconnected. A failed poll is logged and the next one is scheduled as usual.

export interface VisiblePollingOptions {
  /** Time between the end of one poll and the start of the next. */
  readonly intervalMs: number;
  /** One timed poll. */
  readonly poll: () => Promise<void>;
  /** The read when a view becomes visible (often a fuller one than `poll`). */
  readonly readNow: () => Promise<void>;
  /** Whether the source is connected, i.e. polling can do anything. */
  readonly connected: () => boolean;
  /** Where failures go: `what` is "poll" or "refresh". */
  readonly warn: (what: 'poll' | 'refresh', error: unknown) => void;
}

export class VisiblePolling {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private visible = false;
  private polling = false;

  constructor(private readonly opts: VisiblePollingOptions) {}

  get isVisible(): boolean { return this.visible; }

  setVisible(visible: boolean): void {
    const wasVisible = this.visible;
    this.visible = visible;
    if (visible && !wasVisible && this.opts.connected()) void this.opts.readNow().catch((e: unknown) => this.opts.warn('refresh', e));
    if (visible) this.start();
    else this.stop();
  }

  /** Schedules the next poll, if visible and connected and none is scheduled (called after connecting, too). */
  start(): void {
    if (!this.visible || this.timer || !this.opts.connected()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.polling) return this.start();
      this.polling = true;
      this.opts.poll()
        .catch((e: unknown) => this.opts.warn('poll', e))
        .finally(() => {
          this.polling = false;
          this.start();
        });
    }, this.opts.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
