// Small readers for values that other systems write into Redis: timestamps in their several forms, JSON that
// may not be JSON, and the one SCAN walk per read. Every reader returns undefined rather than throwing.
import type Redis from 'ioredis';
import { KeyWalkClassifier, type KeyPattern, type KeyWalkResult } from '../../core/redis/key-walk';
import { keyNodes } from './redis-client';

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

/**
 * One SCAN walk of the keyspace (never KEYS) — on every master of a Cluster — for all of `patterns` at once:
 * one cursor loop with a MATCH covering them all (see `scanMatchFor`), each returned key sorted into every
 * pattern it matches, each pattern capped at its own `maxKeys`. Stops early once every pattern is full.
 */
export async function walkKeyspace<N extends string>(client: Redis, patterns: { readonly [P in N]: KeyPattern }, count = 1_000): Promise<KeyWalkResult<N>> {
  const classifier = new KeyWalkClassifier(patterns);
  const match = classifier.match;
  for (const node of keyNodes(client)) {
    let cursor = '0';
    do {
      const [next, batch] = match === undefined ? await node.scan(cursor, 'COUNT', count) : await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      if (!classifier.add(batch)) return classifier.result(false);
    } while (cursor !== '0');
  }
  return classifier.result(true);
}

/** The reply of one pipelined command: its value, or the error Redis answered (e.g. WRONGTYPE). */
export type PipelineReply = readonly [Error | null, unknown];

export async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<PipelineReply[]> {
  return ((await pipeline.exec()) ?? []) as PipelineReply[];
}
