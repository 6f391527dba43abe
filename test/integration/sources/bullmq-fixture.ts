// Shared setup for the BullMQ integration tests: a BullmqSource connected to a real redis-server with a
// recording context (events, rejects, logs), and helpers to wait for a condition.
import assert from 'node:assert/strict';
import { parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import type { MonitorEvent } from '../../../src/core/model/events';
import type { ActionProgress, SourceContext } from '../../../src/core/source/source';
import { BullmqSource, type BullmqSourceOptions } from '../../../src/sources/redis/bullmq';

export interface Recorded {
  readonly events: MonitorEvent[];
  readonly rejects: { kind: string; detail: string }[];
  readonly logs: string[];
}

export function bullmqProfile(url: string, extra: Record<string, unknown> = {}): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'it', kind: 'redis', system: 'bullmq', url, ...extra }]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

export async function connectSource(url: string, extra: Record<string, unknown> = {}, options: Partial<BullmqSourceOptions> = {}): Promise<{ source: BullmqSource; rec: Recorded; lost: Error[] }> {
  const rec: Recorded = { events: [], rejects: [], logs: [] };
  const ctx: SourceContext = {
    emit: (e) => rec.events.push(e),
    reject: (kind, detail) => rec.rejects.push({ kind, detail }),
    log: { debug: () => undefined, info: (m) => rec.logs.push(m), warn: (m) => rec.logs.push(m), error: (m) => rec.logs.push(m) },
    now: () => Date.now(),
  };
  const lost: Error[] = [];
  const source = new BullmqSource(bullmqProfile(url, extra), options);
  await source.connect(ctx, (e) => lost.push(e));
  return { source, rec, lost };
}

export function progress(signal: AbortSignal = new AbortController().signal): ActionProgress & { reports: [number, number | undefined][] } {
  const reports: [number, number | undefined][] = [];
  return { signal, reports, report: (done, total) => { reports.push([done, total]); } };
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 8_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Latest queue.upsert counts for a queue among recorded events. */
export function lastCounts(rec: Recorded, queue: string): Record<string, number> | undefined {
  for (let i = rec.events.length - 1; i >= 0; i--) {
    const e = rec.events[i]!;
    if (e.type === 'queue.upsert' && e.queue.name === queue) return { ...e.queue.counts };
  }
  return undefined;
}

/** Whether two count records hold the same numbers, whatever their key order. */
export function sameCounts(a: Record<string, number> | undefined, b: Record<string, number>): boolean {
  if (!a) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
