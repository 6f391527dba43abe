// rhailib's Redis layouts (shared/reference/protocols.md §1), as pure parsers. Two generations exist:
//   circles era: task hash `rhai_task_details:<task_id>`, queue list `rhai_tasks:<circle_public_key>`,
//                statuses pending / processing / completed / error (herocode/rhailib ARCHITECTURE.md, worker README);
//   Hero dispatcher: job hash `hero:job:<job_id>`, queue list `hero:work_queue:<worker_id>`,
//                statuses dispatched / started / error / finished (herocode/hero core/dispatcher/docs/protocol.md).
// The literal field names of the circles-era hash were never found, so fields are read tolerantly in both
// snake_case and camelCase (`created_at`/`createdAt`, `context_id`/`contextId`, `output`/`result`…).
import { z } from 'zod';
import type { KeyPattern } from '../../core/redis/key-walk';
import { escapeRedisGlob } from '../../core/redis/redis-glob';
import { parseTimestamp } from './redis-values';

export type RhaiSchemeId = 'rhai' | 'hero';

export interface RhaiScheme {
  readonly id: RhaiSchemeId;
  readonly taskPrefix: string;
  readonly queuePrefix: string;
  /** The scheme's own status names, in lifecycle order (shown with 0 when absent). */
  readonly statuses: readonly string[];
  readonly initial: string;
  readonly running: string;
  readonly terminal: readonly string[];
  /** Queue name for tasks whose worker is unknown and that are in no queue list. */
  readonly unassignedQueue: string;
}

export const RHAI_SCHEMES: Readonly<Record<RhaiSchemeId, RhaiScheme>> = {
  rhai: {
    id: 'rhai', taskPrefix: 'rhai_task_details:', queuePrefix: 'rhai_tasks:',
    statuses: ['pending', 'processing', 'completed', 'error'], initial: 'pending', running: 'processing',
    terminal: ['completed', 'error'], unassignedQueue: 'rhai_tasks:(unassigned)',
  },
  hero: {
    id: 'hero', taskPrefix: 'hero:job:', queuePrefix: 'hero:work_queue:',
    statuses: ['dispatched', 'started', 'error', 'finished'], initial: 'dispatched', running: 'started',
    terminal: ['finished', 'error'], unassignedQueue: 'hero:work_queue:(unassigned)',
  },
};

/** The key patterns one read walks for (in one SCAN walk): the task hashes and queue lists of both schemes, each capped on its own. */
export function rhaiKeyPatterns(maxTasks: number, maxQueues: number): { readonly [P in 'rhaiTasks' | 'rhaiQueues' | 'heroTasks' | 'heroQueues']: KeyPattern } {
  const { rhai, hero } = RHAI_SCHEMES;
  return {
    rhaiTasks: { pattern: `${escapeRedisGlob(rhai.taskPrefix)}*`, maxKeys: maxTasks },
    rhaiQueues: { pattern: `${escapeRedisGlob(rhai.queuePrefix)}*`, maxKeys: maxQueues },
    heroTasks: { pattern: `${escapeRedisGlob(hero.taskPrefix)}*`, maxKeys: maxTasks },
    heroQueues: { pattern: `${escapeRedisGlob(hero.queuePrefix)}*`, maxKeys: maxQueues },
  };
}

export type RhaiKey =
  | { readonly kind: 'task'; readonly scheme: RhaiScheme; readonly id: string }
  | { readonly kind: 'queue'; readonly scheme: RhaiScheme; readonly worker: string };

export function classifyRhaiKey(key: string): RhaiKey | undefined {
  for (const scheme of Object.values(RHAI_SCHEMES)) {
    if (key.startsWith(scheme.taskPrefix) && key.length > scheme.taskPrefix.length) {
      return { kind: 'task', scheme, id: key.slice(scheme.taskPrefix.length) };
    }
    if (key.startsWith(scheme.queuePrefix) && key.length > scheme.queuePrefix.length) {
      return { kind: 'queue', scheme, worker: key.slice(scheme.queuePrefix.length) };
    }
  }
  return undefined;
}

/** Hash fields read for a list row (never `script`, `output` or `env_vars`, which may be large). */
export const RHAI_ROW_FIELDS = [
  'status', 'created_at', 'createdAt', 'updated_at', 'updatedAt', 'worker_id', 'workerId', 'actor_id',
  'context_id', 'contextId', 'caller_id', 'callerId', 'retries', 'error',
] as const;

/**
 * Hash fields read from every task on every poll to tell whether its row changed; the row itself
 * (`RHAI_ROW_FIELDS`) is read only when these differ from last time. Both schemes' workers write `status` with
 * `updated_at` in the same HSET at every transition (Hero protocol.md; the circles-era worker sets status
 * processing / completed / error), and a retry bumps `retries`. Accepted: a writer that changes only `error`,
 * `caller_id` or the worker fields, keeping status, timestamp and retries, is not seen until the next transition
 * (or a reconnect / Refresh, which read every row again).
 */
export const RHAI_MARKER_FIELDS = ['status', 'updated_at', 'updatedAt', 'retries'] as const;

/** The marker of one HMGET reply of `RHAI_MARKER_FIELDS`, or undefined when the hash has no status (read it in full: it is rejected there). */
export function rhaiMarker(values: readonly (string | null)[]): string | undefined {
  const [status, updated, updatedCamel, retries] = values;
  if (status === null || status === undefined) return undefined;
  return `${status}\u0000${updated ?? ''}\u0000${updatedCamel ?? ''}\u0000${retries ?? ''}`;
}

const text = z.string().max(4096);
const rowSchema = z.object({
  status: z.string().trim().min(1, 'no status').max(64),
  created_at: text.optional(), createdAt: text.optional(), updated_at: text.optional(), updatedAt: text.optional(),
  worker_id: text.optional(), workerId: text.optional(), actor_id: text.optional(),
  context_id: text.optional(), contextId: text.optional(), caller_id: text.optional(), callerId: text.optional(),
  retries: z.string().regex(/^\d+$/, 'retries is not a count').optional(),
  error: z.string().optional(),
});

export interface RhaiTaskRow {
  readonly id: string;
  readonly scheme: RhaiScheme;
  readonly status: string;
  /** Worker (queue suffix) the record names, when it names one. */
  readonly worker?: string;
  readonly caller?: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly retries?: number;
  readonly error?: string;
}

export type RhaiParse = { readonly ok: true; readonly row: RhaiTaskRow } | { readonly ok: false; readonly problem: string };

/** Validates the HMGET reply (values in `RHAI_ROW_FIELDS` order) of one task hash. */
export function parseRhaiRow(scheme: RhaiScheme, id: string, values: readonly (string | null)[]): RhaiParse {
  if (values.every((v) => v === null)) return { ok: false, problem: 'hash has none of the expected fields (deleted, or not a task)' };
  const raw: Record<string, string> = {};
  RHAI_ROW_FIELDS.forEach((f, i) => { const v = values[i]; if (v !== null && v !== undefined) raw[f] = v; });
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ') };
  const r = parsed.data;
  // Hero names the worker outright; the circles era routes by the worker circle's public key (CONTEXT_ID).
  const worker = scheme.id === 'hero' ? (r.worker_id ?? r.workerId ?? r.actor_id) : (r.worker_id ?? r.workerId ?? r.context_id ?? r.contextId);
  return {
    ok: true,
    row: {
      id, scheme, status: r.status,
      worker: worker || undefined,
      caller: r.caller_id ?? r.callerId,
      createdAt: parseTimestamp(r.created_at ?? r.createdAt),
      updatedAt: parseTimestamp(r.updated_at ?? r.updatedAt),
      retries: r.retries !== undefined ? Number(r.retries) : undefined,
      error: r.error || undefined,
    },
  };
}

/** Counts by the scheme's own status names: every known one (0 when absent) plus any others found. */
export function countStatuses(scheme: RhaiScheme, rows: Iterable<RhaiTaskRow>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(scheme.statuses.map((s) => [s, 0]));
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

export function isTerminal(row: RhaiTaskRow): boolean { return row.scheme.terminal.includes(row.status); }
