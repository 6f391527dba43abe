// Small readers for values that other systems write into Redis: timestamps in their several forms, JSON that
// may not be JSON, and SCAN walks with a cap. Every reader returns undefined rather than throwing.
import type Redis from 'ioredis';
import { escapeGlob, keyNodes } from './redis-client';

/**
 * Milliseconds since the epoch from an ISO 8601 string, unix seconds (float, as Python's time.time() writes)
 * or unix milliseconds, as a number or numeric string. Zone-less ISO strings are read as UTC.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 1e11 ? value * 1000 : value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseTimestamp(Number(text));
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : undefined;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Text cut for a log line or a reject detail. */
export function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export interface ScanResult {
  readonly keys: string[];
  /** True when the walk stopped at `maxKeys` before the end of the keyspace. */
  readonly partial: boolean;
}

/** Walks the keyspace with SCAN (never KEYS) for `pattern` — on every master of a Cluster — stopping after `maxKeys` matches. */
export async function scanKeys(client: Redis, pattern: string, maxKeys: number, count = 1_000): Promise<ScanResult> {
  const keys: string[] = [];
  const seen = new Set<string>(); // SCAN may return a key twice
  const nodes = keyNodes(client);
  for (const [n, node] of nodes.entries()) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      for (const key of batch) {
        if (seen.has(key)) continue;
        seen.add(key);
        keys.push(key);
        if (keys.length >= maxKeys) return { keys, partial: cursor !== '0' || n < nodes.length - 1 };
      }
    } while (cursor !== '0');
  }
  return { keys, partial: false };
}

/** SCAN pattern for keys that start with a literal prefix. */
export function prefixPattern(prefix: string, rest = '*'): string {
  return `${escapeGlob(prefix)}${rest}`;
}

/** The reply of one pipelined command: its value, or the error Redis answered (e.g. WRONGTYPE). */
export type PipelineReply = readonly [Error | null, unknown];

export async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<PipelineReply[]> {
  return ((await pipeline.exec()) ?? []) as PipelineReply[];
}
