// Shared plumbing for the Redis demo simulators: a deterministic random source and a stoppable tick loop.
import Redis, { Cluster } from 'ioredis';

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

export function redisFromUrl(url: string, clusterNodes?: readonly string[]): Redis {
  if (clusterNodes && clusterNodes.length > 0) {
    const nodes = clusterNodes.map((n) => {
      const u = new URL(/^[a-z]+:\/\//i.test(n) ? n : `redis://${n}`);
      return { host: u.hostname, port: Number(u.port) || 6379 };
    });
    // Typed as Redis for the command surface both share; writers that batch use `writeBatch`.
    return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } }) as unknown as Redis;
  }
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

type Batch = ReturnType<Redis['multi']>;

/**
 * A group of writes: MULTI on a single server; on a Cluster, whose MULTI must stay in one slot, the same commands
 * one after another (the systems simulated here use keys without hash tags, so a group spans slots).
 */
export function writeBatch(redis: Redis): Batch {
  if (!((redis as unknown) instanceof Cluster)) return redis.multi();
  const queued: { name: string; args: unknown[] }[] = [];
  const batch: Batch = new Proxy({} as Batch, {
    get(_target, name) {
      if (name === 'exec') {
        return async () => {
          const out: [Error | null, unknown][] = [];
          for (const c of queued) out.push(await (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[c.name]!(...c.args).then((v) => [null, v] as [null, unknown], (e: Error) => [e, null] as [Error, null]));
          return out;
        };
      }
      if (name === 'then') return undefined;
      return (...args: unknown[]) => { queued.push({ name: String(name), args }); return batch; };
    },
  });
  return batch;
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
