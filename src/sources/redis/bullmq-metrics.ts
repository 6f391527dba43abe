// BullMQ's own per-minute metrics, written by workers that set `metrics: { maxDataPoints }`
// (collectMetrics.lua): `metrics:<type>` HASH {count, prevTS, prevCount} and `metrics:<type>:data` LIST of
// counts, newest first, one per whole minute. When a job finishes in a later minute than `prevTS`, the script
// LPUSHes the count of prevTS's minute, then a zero per idle minute, and sets prevTS = now — so data[i] counts
// the minute `floor(prevTS / 60000) - 1 - i`. Read-only: only the points newer than the last read are fetched
// (one HGET per queue and type, then an LRANGE of the new points), and emitted as series samples
// `bullmq_jobs_<type>_per_minute{queue}` stamped at the start of their minute.
import type Redis from 'ioredis';
import type { MetricSample } from '../../core/model/entities';
import { bullmqPerMinuteSeries } from '../../core/views/scheduler-labels';

export const METRIC_TYPES = ['completed', 'failed'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];
/** Points read for a series never seen before: a day of minutes, what the store keeps per series by default. */
export const METRICS_FIRST_READ = 1_440;
const MINUTE = 60_000;

export function bullmqMetricName(type: MetricType): string { return bullmqPerMinuteSeries(type); }

interface Cursor { prevTS: number; newestMinute: number }

export class BullmqMetricsReader {
  /** Per `queue\u0000type`: what was last read, so only newer minutes are fetched and emitted. */
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly client: () => Redis, private readonly prefix: string, private readonly connectionId: string) {}

  /** New per-minute samples of these queues, oldest first per series; queues without metrics cost one HGET each. */
  async read(queues: readonly string[]): Promise<MetricSample[]> {
    if (queues.length === 0) return [];
    const client = this.client();
    const heads = client.pipeline();
    const pairs = queues.flatMap((queue) => METRIC_TYPES.map((type) => ({ queue, type })));
    for (const { queue, type } of pairs) heads.hget(this.key(queue, type), 'prevTS');
    const headReplies = (await heads.exec()) ?? [];
    const changed: { queue: string; type: MetricType; prevTS: number; count: number; cursor?: Cursor }[] = [];
    pairs.forEach((p, i) => {
      const [err, raw] = headReplies[i] ?? [];
      const prevTS = err || raw === null || raw === undefined ? NaN : Number(raw);
      if (!Number.isFinite(prevTS)) return;
      const cursor = this.cursors.get(`${p.queue}\u0000${p.type}`);
      if (cursor && cursor.prevTS === prevTS) return;
      const newestMinute = Math.floor(prevTS / MINUTE) - 1;
      const count = cursor ? Math.min(METRICS_FIRST_READ, newestMinute - cursor.newestMinute) : METRICS_FIRST_READ;
      changed.push({ ...p, prevTS, count, cursor });
    });
    if (changed.length === 0) return [];
    // prevTS is read again after the range: when a worker pushed in between, that series waits for the next read.
    const reads = client.pipeline();
    for (const c of changed) {
      reads.lrange(`${this.key(c.queue, c.type)}:data`, 0, Math.max(0, c.count) - 1);
      reads.hget(this.key(c.queue, c.type), 'prevTS');
    }
    const replies = (await reads.exec()) ?? [];
    const samples: MetricSample[] = [];
    changed.forEach((c, i) => {
      const [e1, data] = replies[i * 2] ?? [];
      const [e2, after] = replies[i * 2 + 1] ?? [];
      if (e1 || e2 || Number(after) !== c.prevTS) return;
      const newestMinute = Math.floor(c.prevTS / MINUTE) - 1;
      const points = c.count > 0 ? (data as string[]) : [];
      for (let j = points.length - 1; j >= 0; j--) {
        const minute = newestMinute - j;
        if (c.cursor && minute <= c.cursor.newestMinute) continue;
        const value = Number(points[j]);
        if (!Number.isFinite(value)) continue;
        samples.push({ connectionId: this.connectionId, system: 'bullmq', name: bullmqMetricName(c.type), labels: { queue: c.queue }, timestamp: minute * MINUTE, value });
      }
      this.cursors.set(`${c.queue}\u0000${c.type}`, { prevTS: c.prevTS, newestMinute });
    });
    return samples;
  }

  /** Forgets a queue that disappeared (its series restart from a full read if it comes back). */
  forget(queue: string): void {
    for (const type of METRIC_TYPES) this.cursors.delete(`${queue}\u0000${type}`);
  }

  private key(queue: string, type: MetricType): string { return `${this.prefix}:${queue}:metrics:${type}`; }
}
