// Small readers for values from JSON frames: timestamps in their many forms, ids that may be numbers, and
// dot paths into objects (the generic mapping).
import { z } from 'zod';
import type { WorkerStatus } from '../../core/model/entities';

/** An id that some servers send as a number: always a non-empty string afterwards. */
export const idSchema = z.union([z.string().min(1).max(512), z.number().finite()]).transform(String);

/**
 * Milliseconds since the epoch from an ISO string (a string without a zone is local time, as Python's naive
 * `datetime.now().isoformat()` means), epoch seconds or milliseconds; undefined when it cannot be read.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  }
  if (typeof value === 'string' && value.length > 0 && value.length < 64) {
    if (/^\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value));
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** The value at a dot path (`a.b.0.c`); own properties only, so `__proto__` and friends resolve to nothing. */
export function getPath(root: unknown, path: string): unknown {
  // The common one-segment path without the split (this runs for every mapped field of every message).
  if (path.indexOf('.') < 0) {
    if (root === null || typeof root !== 'object' || !Object.prototype.hasOwnProperty.call(root, path)) return undefined;
    return (root as Record<string, unknown>)[path];
  }
  let current: unknown = root;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A scalar as display text (objects are not ids or statuses). */
export function scalarText(value: unknown, max = 512): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value.slice(0, max) : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

export function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A worker state word from any system, in the model's terms. */
export function workerStatus(raw: string): WorkerStatus {
  switch (raw.toLowerCase()) {
    case 'idle': case 'ready': case 'available': case 'waiting': return 'idle';
    case 'busy': case 'running': case 'active': case 'working': case 'processing': return 'busy';
    case 'error': case 'failed': case 'unhealthy': case 'crashed': return 'error';
    case 'offline': case 'stopped': case 'terminated': case 'dead': case 'closed': return 'offline';
    case 'online': case 'starting': case 'started': case 'alive': return 'online';
    default: return 'unknown';
  }
}
