// Plain-text labels for job schedulers and per-minute throughput, shared by the Queues tree and tests. Pure.
import type { SchedulerView } from '../source/task-query';

/** `every 10 s`, `0 * * * * (Europe/Paris)` or, for a v5 repeatable job, `legacy repeat <rule>`. */
export function schedulerRule(s: SchedulerView): string {
  const rule = s.pattern !== undefined ? `${s.pattern}${s.tz ? ` (${s.tz})` : ''}` : s.every !== undefined ? `every ${formatDuration(s.every)}` : 'no rule';
  return s.kind === 'legacy' ? `legacy repeat ${rule}` : rule;
}

/** The row's description: the rule, then when it runs next relative to `now`. */
export function schedulerDescription(s: SchedulerView, now: number): string {
  const next = s.next === undefined ? undefined : s.next >= now ? `next in ${formatDuration(s.next - now)}` : `due ${formatDuration(now - s.next)} ago`;
  return [schedulerRule(s), next].filter(Boolean).join(' · ');
}

/** Every known field, one per line, for a tooltip. */
export function schedulerDetails(s: SchedulerView): string[] {
  const lines = [`${s.kind === 'legacy' ? 'Repeatable job (legacy)' : 'Job scheduler'} ${s.id}`];
  if (s.name !== undefined) lines.push(`Template job name: ${s.name}`);
  lines.push(`Rule: ${schedulerRule(s)}`);
  if (s.next !== undefined) lines.push(`Next run: ${new Date(s.next).toISOString()}`);
  if (s.iterations !== undefined) lines.push(`Iterations so far: ${s.iterations}${s.limit !== undefined ? ` of ${s.limit}` : ''}`);
  else if (s.limit !== undefined) lines.push(`Limit: ${s.limit}`);
  if (s.startDate !== undefined) lines.push(`Starts: ${new Date(s.startDate).toISOString()}`);
  if (s.endDate !== undefined) lines.push(`Ends: ${new Date(s.endDate).toISOString()}`);
  if (s.templateBytes !== undefined) lines.push(`Template data + options: ${s.templateBytes} bytes`);
  return lines;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d`;
}

/**
 * Throughput lines from per-minute points (oldest first, [minuteStart, count]): the newest whole minute and
 * the average over the last hour of points. Undefined when there are no points.
 */
export function throughputLines(completed: readonly (readonly [number, number])[], failed: readonly (readonly [number, number])[]): string[] | undefined {
  if (completed.length === 0 && failed.length === 0) return undefined;
  const last = (points: readonly (readonly [number, number])[]): number => points.at(-1)?.[1] ?? 0;
  const hourAvg = (points: readonly (readonly [number, number])[]): number => {
    const newest = points.at(-1)?.[0];
    if (newest === undefined) return 0;
    const hour = points.filter(([t]) => t > newest - 3_600_000);
    return hour.reduce((n, [, v]) => n + v, 0) / hour.length;
  };
  const newest = Math.max(completed.at(-1)?.[0] ?? 0, failed.at(-1)?.[0] ?? 0);
  const round = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  return [
    `Throughput (BullMQ metrics, minute of ${new Date(newest).toISOString().slice(11, 16)} UTC): ${last(completed)} completed, ${last(failed)} failed`,
    `Last hour average: ${round(hourAvg(completed))} completed/min, ${round(hourAvg(failed))} failed/min`,
  ];
}

/** Series name of BullMQ's own per-minute metrics (emitted by the source, read by the tree's tooltip). */
export function bullmqPerMinuteSeries(type: 'completed' | 'failed'): string { return `bullmq_jobs_${type}_per_minute`; }
