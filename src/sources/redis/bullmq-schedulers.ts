// BullMQ job schedulers and legacy repeatable jobs, read-only. Both live in the queue's `repeat` zset (member =
// id, score = next run in ms). A job scheduler (`upsertJobScheduler`, v5.16+ and v6) has a `repeat:<id>` hash
// written by storeJobScheduler.lua that always carries `ic` (iteration count); a v5 legacy repeatable job
// (`add(…, {repeat})`) has a hash from addRepeatableJob-2.lua without `ic`, or — older still — no hash at all,
// its member being `name:jobId:endDate:tz:pattern` (bullmq's own `keyToData`). Removal is an action
// (bullmq-actions.ts) and goes through bullmq.
import type Redis from 'ioredis';
import type { SchedulerList, SchedulerView } from '../../core/source/task-query';

/** Schedulers listed per queue at most (soonest first); the tree shows the count of the rest. */
export const SCHEDULERS_MAX = 200;
const HASH_FIELDS = ['name', 'pattern', 'every', 'tz', 'limit', 'ic', 'startDate', 'endDate'] as const;

export class BullmqSchedulerReader {
  constructor(private readonly client: () => Redis, private readonly prefix: string) {}

  async list(queue: string, max: number = SCHEDULERS_MAX): Promise<SchedulerList> {
    const client = this.client();
    const repeatKey = `${this.prefix}:${queue}:repeat`;
    const head = client.pipeline();
    head.zcard(repeatKey).zrange(repeatKey, 0, max - 1, 'WITHSCORES');
    const headReplies = (await head.exec()) ?? [];
    const [e1, total] = headReplies[0] ?? [new Error('no reply'), 0];
    const [e2, flat] = headReplies[1] ?? [new Error('no reply'), []];
    if (e1 || e2) throw new Error(`${repeatKey} cannot be read as a sorted set: ${(e1 ?? e2)!.message}`);
    const entries: { id: string; next: number }[] = [];
    const pairs = flat as string[];
    for (let i = 0; i + 1 < pairs.length; i += 2) entries.push({ id: pairs[i]!, next: Number(pairs[i + 1]) });
    const pipe = client.pipeline();
    for (const e of entries) {
      const hashKey = `${repeatKey}:${e.id}`;
      pipe.hmget(hashKey, ...HASH_FIELDS);
      pipe.hstrlen(hashKey, 'data');
      pipe.hstrlen(hashKey, 'opts');
    }
    const replies = ((await pipe.exec()) ?? []) as [Error | null, unknown][];
    const schedulers = entries.map((e, i) => {
      const [err, values] = replies[i * 3] ?? [];
      const bytes = Number(replies[i * 3 + 1]?.[1] ?? 0) + Number(replies[i * 3 + 2]?.[1] ?? 0);
      return schedulerView(e.id, Number.isFinite(e.next) ? e.next : undefined, err ? [] : (values as (string | null)[]), bytes);
    });
    return { schedulers, total: Number(total) || 0 };
  }
}

/** One `repeat` entry from its member, score and `repeat:<id>` hash fields (in HASH_FIELDS order). */
export function schedulerView(id: string, next: number | undefined, values: readonly (string | null | undefined)[], templateBytes: number): SchedulerView {
  const f = Object.fromEntries(HASH_FIELDS.map((k, j) => [k, values[j] ?? undefined])) as Record<(typeof HASH_FIELDS)[number], string | undefined>;
  const hasHash = Object.values(f).some((v) => v !== undefined);
  if (!hasHash && id.includes(':')) {
    // Oldest layout: everything is in the member (same split as bullmq's keyToData).
    const parts = id.split(':');
    return {
      id, kind: 'legacy', next, name: parts[0] || undefined,
      endDate: num(parts[2]), tz: parts[3] || undefined, pattern: parts.slice(4).join(':') || undefined,
    };
  }
  return {
    id, kind: f.ic !== undefined ? 'scheduler' : 'legacy', next,
    name: f.name, pattern: f.pattern, every: num(f.every), tz: f.tz, limit: num(f.limit),
    iterations: num(f.ic), startDate: num(f.startDate), endDate: num(f.endDate),
    templateBytes: templateBytes > 0 ? templateBytes : undefined,
  };
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
