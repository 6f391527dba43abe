// The per-frame check of a Nexus MonitoringEvent (shared/reference/protocols.md §2), written by hand: it runs for
// every frame of both Nexus transports, where zod's object parse cost ~0.7 µs and a copy of every event (a third of
// the ingest budget). It checks exactly what the former zod schema checked (test/unit/sources/nexus-validate.test.ts
// compares the two on valid and malformed shapes) and validates in place: the parsed JSON object is the event.

/** The flat MonitoringEvent: every field present and unset ones null on the wire. */
export interface NexusEvent {
  readonly event_id?: string | null;
  readonly ts?: string | number | null;
  readonly event_type: string;
  readonly project_id?: string | null;
  readonly parent_task_id?: string | null;
  readonly task_id?: string | null;
  readonly task_type?: string | null;
  readonly phase?: string | null;
  /** An int in the code; a numeric string is accepted too, since the WS snapshot and older emitters differ. */
  readonly worker_id?: number | string | null;
  readonly retry_count?: number | null;
  readonly status?: string | null;
  readonly duration_ms?: number | null;
  readonly counts?: Readonly<Record<string, number>> | null;
  readonly queue?: Readonly<Record<string, number>> | null;
  readonly message?: string | null;
  readonly error?: string | null;
  readonly meta?: Readonly<Record<string, unknown>> | null;
}

/** Optional text fields: a string or null/absent. Sizes are bounded once per frame (maxEventChars), not per field. */
const TEXT_FIELDS = ['project_id', 'parent_task_id', 'task_id', 'task_type', 'phase', 'status', 'message', 'error'] as const;

/**
 * Why `rec` (a parsed JSON object) is not a MonitoringEvent, or undefined when it is one. The reason names the
 * field and what was expected, e.g. `worker_id: expected an integer or a string of 1–200 characters, got 0.5`.
 */
export function nexusEventProblem(rec: Readonly<Record<string, unknown>>): string | undefined {
  const eventType = rec['event_type'];
  if (typeof eventType !== 'string' || eventType.length === 0 || eventType.length > 200) return problem('event_type', 'a string of 1–200 characters', eventType);
  const eventId = rec['event_id'];
  if (eventId != null && (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 200)) return problem('event_id', 'a string of 1–200 characters or null', eventId);
  const ts = rec['ts'];
  if (ts != null && typeof ts !== 'string' && !isFiniteNumber(ts)) return problem('ts', 'a string, a number or null', ts);
  for (let i = 0; i < TEXT_FIELDS.length; i++) {
    const field = TEXT_FIELDS[i] as string;
    const value = rec[field];
    if (value != null && typeof value !== 'string') return problem(field, 'a string or null', value);
  }
  const workerId = rec['worker_id'];
  if (workerId != null && !Number.isSafeInteger(workerId) && (typeof workerId !== 'string' || workerId.length === 0 || workerId.length > 200)) {
    return problem('worker_id', 'an integer, a string of 1–200 characters or null', workerId);
  }
  const retryCount = rec['retry_count'];
  if (retryCount != null && !Number.isSafeInteger(retryCount)) return problem('retry_count', 'an integer or null', retryCount);
  const duration = rec['duration_ms'];
  if (duration != null && !isFiniteNumber(duration)) return problem('duration_ms', 'a finite number or null', duration);
  const countsProblem = numberRecordProblem('counts', rec['counts']) ?? numberRecordProblem('queue', rec['queue']);
  if (countsProblem !== undefined) return countsProblem;
  const meta = rec['meta'];
  if (meta != null && !isPlainObject(meta)) return problem('meta', 'an object or null', meta);
  return undefined;
}

function numberRecordProblem(field: string, value: unknown): string | undefined {
  if (value == null) return undefined;
  if (!isPlainObject(value)) return problem(field, 'an object of numbers or null', value);
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!isFiniteNumber(record[key])) return problem(`${field}.${key.slice(0, 60)}`, 'a finite number', record[key]);
  }
  return undefined;
}

function isFiniteNumber(value: unknown): value is number { return typeof value === 'number' && Number.isFinite(value); }
function isPlainObject(value: unknown): boolean { return typeof value === 'object' && value !== null && !Array.isArray(value); }

function problem(field: string, expected: string, got: unknown): string {
  const shown = got === undefined ? 'nothing' : typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : typeof got === 'object' ? (Array.isArray(got) ? 'an array' : got === null ? 'null' : 'an object') : String(got);
  return `${field}: expected ${expected}, got ${shown}`;
}
