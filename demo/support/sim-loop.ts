// Shared plumbing for the Redis demo simulators: a deterministic random source and a stoppable tick loop.
import Redis from 'ioredis';

/** mulberry32: small, fast, deterministic; the demo and the tests see the same sequence for a seed. */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
  hex(chars: number): string { let s = ''; while (s.length < chars) s += this.int(0, 15).toString(16); return s; }
  uuid(): string { const h = this.hex(32); return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`; }
}

export function redisFromUrl(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** Runs `tick` every `everyMs` until stopped; a tick never overlaps the previous one. */
export class TickLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly everyMs: number, private readonly tick: () => Promise<void>, private readonly log: (msg: string) => void) {}

  start(): this {
    const loop = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.tick().catch((e: unknown) => this.log(`tick failed: ${e instanceof Error ? e.message : String(e)}`));
        void this.running.then(loop);
      }, this.everyMs);
    };
    loop();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
