// Nexus Agents monitoring events (trilogy-group/nexus-agents @ 415fe5cc, src/monitoring/models.py and
// src/api/monitoring_ws.py; see shared/reference/protocols.md §2), transport-neutral: the same JSON arrives over
// Redis pub/sub (`nexus:events`, `nexus:events:project:{id}`, `nexus:events:stats`) and the `/ws/monitor`
// WebSocket, so both Nexus sources parse with this and map with `NexusEventMapper` (nexus-mapper.ts). One event
// may arrive twice (global plus project or stats channel, and the WS server forwards both copies); `parseNexusFrame`
// drops repeats by `event_id` with a bounded DedupSet, which may be shared by several sources (nexus-deployment.ts).
import type { DedupSet } from '../../core/util/dedup-set';
import { nexusEventProblem, type NexusEvent } from './nexus-validate';

/** The MonitoringEventType values the mapper has a shape for; any other `event_type` is kept as a generic event. */
export const NEXUS_EVENT_TYPES = [
  'worker_started', 'worker_heartbeat', 'worker_stopped', 'task_enqueued', 'task_started', 'task_retry',
  'task_completed', 'task_failed', 'task_stalled', 'phase_started', 'phase_completed', 'queue_depth_update', 'stats_snapshot',
] as const;

/** TaskStatus values (src/orchestration/task_types.py). */
export const NEXUS_TASK_STATUSES = ['pending', 'processing', 'completed', 'failed', 'retrying'] as const;
export const NEXUS_PRIORITY_QUEUES = ['high_priority', 'normal_priority', 'low_priority'] as const;
/** Task.priority → list (0 low, 1 normal, 2 high). */
export const PRIORITY_QUEUE: Readonly<Record<number, string>> = { 0: 'low_priority', 1: 'normal_priority', 2: 'high_priority' };

export type { NexusEvent } from './nexus-validate';

/** Over Redis: Nexus truncates events above 8 KiB (MONITORING_MAX_EVENT_SIZE_BYTES); anything far larger is not from it. */
export const MAX_EVENT_CHARS = 256 * 1024;

/** The snapshot the WS server sends on connect always has this id: never a duplicate of anything. */
export const SNAPSHOT_EVENT_ID = 'snapshot';

/** Reject kinds, as counted by `ctx.reject`. */
export type NexusRejectKind = 'invalid-json' | 'nexus-frame' | 'nexus-event';

export type NexusParse =
  | { readonly kind: 'event'; readonly event: NexusEvent }
  | { readonly kind: 'duplicate' }
  /** A frame that is not an event but expected (the WS `{"type":"ping"}` / `{"type":"pong"}` keepalive). */
  | { readonly kind: 'control' }
  | { readonly kind: 'invalid'; readonly reject: NexusRejectKind; readonly problem: string };

/** The result for a repeat (one object: a repeat allocates nothing). */
export const DUPLICATE: NexusParse = { kind: 'duplicate' };

/** Whether `id` is that of an event already seen (the repeat is counted); the WS snapshot's id never is. */
export function isRepeat(id: string | undefined, dedup: DedupSet): boolean {
  if (id === undefined || id === SNAPSHOT_EVENT_ID || !dedup.has(id)) return false;
  dedup.firstSeen(id); // counts the repeat
  return true;
}

/**
 * JSON text → validated event; repeats (by event_id, per `dedup`) come back as `duplicate` before full validation.
 * `checkLeadingId: false` when the caller has already looked for a repeat by the text's leading id (the Redis
 * source: on the bytes, or in its reader thread): then a repeat is only recognized after JSON.parse.
 */
export function parseNexusFrame(text: string, dedup: DedupSet, maxEventChars = MAX_EVENT_CHARS, checkLeadingId = true): NexusParse {
  if (text.length > maxEventChars) return { kind: 'invalid', reject: 'nexus-event', problem: `event of ${text.length} characters (limit ${maxEventChars})` };
  // The copy of an event already seen (Nexus publishes each one on the global and its project channel) is dropped
  // before JSON.parse, the largest cost of a frame, when its id can be read off the start of the text.
  const leadingId = checkLeadingId ? leadingEventId(text) : undefined;
  if (isRepeat(leadingId, dedup)) return DUPLICATE;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reject: 'invalid-json', problem: `not JSON: ${text.slice(0, 60)}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'invalid', reject: 'nexus-event', problem: `not a JSON object: ${text.slice(0, 60)}` };
  return classifyNexusObject(raw as Record<string, unknown>, text, dedup, leadingId);
}

/**
 * A frame's JSON object (parsed, or built from its scan record) → event, repeat, keepalive or reject. `leadingId`:
 * the id already looked up as a repeat before parsing, if any.
 */
export function classifyNexusObject(rec: Record<string, unknown>, text: string, dedup: DedupSet, leadingId?: string): NexusParse {
  if (rec['event_type'] === undefined && 'type' in rec) {
    return rec['type'] === 'ping' || rec['type'] === 'pong' ? { kind: 'control' } : { kind: 'invalid', reject: 'nexus-frame', problem: `unknown frame type: ${text.slice(0, 160)}` };
  }
  const id = rec['event_id'];
  const dedupId = typeof id === 'string' && id !== SNAPSHOT_EVENT_ID ? id : undefined;
  // A repeat skips validation (the cheap path for the second copy); an id is remembered only once its event is valid,
  // so a malformed frame is rejected every time it comes.
  // (Already known not to be one when the leading id was this id.)
  if (dedupId !== leadingId && isRepeat(dedupId, dedup)) return DUPLICATE;
  // Validated in place (nexus-validate.ts): the object is the event, no copy per frame.
  const problem = nexusEventProblem(rec);
  if (problem !== undefined) return invalidEvent(problem, text);
  if (dedupId !== undefined) dedup.remember(dedupId);
  return { kind: 'event', event: rec as unknown as NexusEvent };
}

/** The reject of a frame that is JSON but not a MonitoringEvent: the problem, with the start of the frame. */
export function invalidEvent(problem: string, text: string): NexusParse {
  return { kind: 'invalid', reject: 'nexus-event', problem: `${problem}: ${text.slice(0, 160)}` };
}

const EVENT_ID_KEY = '"event_id"';

/**
 * The `event_id` of a frame that starts with it, read without parsing: `{"event_id": "…"` as Nexus writes it
 * (`json.dumps(model_dump())`, event_id first, with or without spaces). Undefined when the frame starts otherwise or
 * the id holds an escape (then JSON.parse decides). Only ids of events that passed validation are remembered, so a
 * frame recognized by it as a repeat carries the id of a valid event already applied.
 */
export function leadingEventId(text: string): string | undefined {
  let i = skipSpaces(text, 0);
  if (text.charCodeAt(i) !== 123 /* { */) return undefined;
  i = skipSpaces(text, i + 1);
  if (!text.startsWith(EVENT_ID_KEY, i)) return undefined;
  i = skipSpaces(text, i + EVENT_ID_KEY.length);
  if (text.charCodeAt(i) !== 58 /* : */) return undefined;
  i = skipSpaces(text, i + 1);
  if (text.charCodeAt(i) !== 34 /* " */) return undefined;
  const start = i + 1;
  const end = text.indexOf('"', start);
  // An escape inside (or a control character, which JSON forbids) leaves the decision to JSON.parse.
  if (end < 0 || end === start || end - start > 200 || text.lastIndexOf('\\', end) >= start) return undefined;
  return text.slice(start, end);
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  return i;
}

/** The priority list of a task from its enqueue meta: `nexus:tasks:high_priority` → `high_priority`; 0/1/2 → low/normal/high. */
export function queueName(meta: Readonly<Record<string, unknown>> | null | undefined): string | undefined {
  const q = meta?.['queue'];
  if (typeof q === 'string' && q.length > 0) return (q.startsWith('nexus:tasks:') ? q.slice(12) : q).slice(0, 200);
  const p = meta?.['priority'];
  return typeof p === 'number' ? PRIORITY_QUEUE[p] : undefined;
}
