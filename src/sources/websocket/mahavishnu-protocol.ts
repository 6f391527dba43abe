// Mahavishnu's WebSocket protocol (mcp-common WebSocketMessage, read from lesleslie/mcp-common @ f43a40b2 and
// lesleslie/mahavishnu @ bc81118b; see shared/reference/protocols.md §4): the envelope, the second frame shape
// of mahavishnu/core/events/transport.py (`event_type`/`payload`), and the `data` of each event we model.
import { z } from 'zod';
import { idSchema, parseTimestamp } from './ws-values';

export const MESSAGE_TYPES = ['request', 'subscribe', 'unsubscribe', 'ping', 'response', 'event', 'error', 'pong', 'ack'] as const;

export const ERROR_CODES = {
  decode: 'DECODE_ERROR',
  unknownRequest: 'UNKNOWN_REQUEST',
  rateLimit: 'RATE_LIMIT_EXCEEDED',
  forbidden: 'FORBIDDEN',
  authFailed: 'AUTH_FAILED',
  authRequired: 'AUTH_REQUIRED',
} as const;

const text = z.string().max(100_000);
const objectData = z.record(z.string(), z.unknown());

/** mcp_common/websocket/protocol.py WebSocketMessage: every key present, unset ones null. */
const envelopeSchema = z.object({
  id: text.nullish(),
  correlation_id: text.nullish(),
  type: z.enum(MESSAGE_TYPES),
  event: text.nullish(),
  data: objectData.nullish(),
  timestamp: z.union([text, z.number()]).nullish(),
  room: text.nullish(),
  error_code: text.nullish(),
  error_message: text.nullish(),
});

/** mahavishnu/core/events/transport.py WebSocketEventHandler: no `type`, the event in `event_type`/`payload`. */
const eventShapeSchema = z.object({
  event_type: z.string().min(1).max(200),
  event_id: text.nullish(),
  source: text.nullish(),
  correlation_id: text.nullish(),
  causation_id: text.nullish(),
  payload: objectData.nullish(),
  metadata: objectData.nullish(),
  timestamp: z.union([text, z.number()]).nullish(),
  version: z.union([text, z.number()]).nullish(),
});

export interface MahavishnuFrame {
  readonly type: (typeof MESSAGE_TYPES)[number];
  readonly id?: string;
  readonly correlationId?: string;
  readonly event?: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at?: number;
  readonly room?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export type DecodeResult = { readonly ok: true; readonly frame: MahavishnuFrame } | { readonly ok: false; readonly kind: string; readonly detail: string };

/** Validates one parsed frame of either shape. */
export function decodeFrame(raw: unknown): DecodeResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, kind: 'mahavishnu-frame', detail: 'not a JSON object' };
  if ('type' in raw) {
    const r = envelopeSchema.safeParse(raw);
    if (!r.success) return { ok: false, kind: 'mahavishnu-envelope', detail: issueText(r.error) };
    const m = r.data;
    return {
      ok: true,
      frame: {
        type: m.type, id: m.id ?? undefined, correlationId: m.correlation_id ?? undefined, event: m.event ?? undefined,
        data: m.data ?? {}, at: parseTimestamp(m.timestamp), room: m.room ?? undefined,
        errorCode: m.error_code ?? undefined, errorMessage: m.error_message ?? undefined,
      },
    };
  }
  if ('event_type' in raw) {
    const r = eventShapeSchema.safeParse(raw);
    if (!r.success) return { ok: false, kind: 'mahavishnu-event-shape', detail: issueText(r.error) };
    const m = r.data;
    return {
      ok: true,
      frame: { type: 'event', id: m.event_id ?? undefined, correlationId: m.correlation_id ?? undefined, event: m.event_type, data: m.payload ?? {}, at: parseTimestamp(m.timestamp) },
    };
  }
  return { ok: false, kind: 'mahavishnu-frame', detail: 'neither `type` nor `event_type`' };
}

// ---- event data (mahavishnu/websocket/server.py and mahavishnu/pools/websocket/broadcaster.py) ----

const optionalId = idSchema.optional().catch(undefined);

export const workflowStartedData = z.looseObject({
  workflow_id: idSchema,
  name: z.string().max(500).optional().catch(undefined),
  /** Metadata some deployments pass through `**metadata`: the planned stages, or just their number. */
  stages: z.array(z.union([z.string().max(500), z.looseObject({ name: z.string().max(500) }).transform((s) => s.name)])).max(1_000).optional().catch(undefined),
  total_stages: z.number().int().min(0).max(100_000).optional().catch(undefined),
});
export const stageCompletedData = z.looseObject({ workflow_id: idSchema, stage_name: z.string().min(1).max(500) });
export const workflowEndedData = z.looseObject({ workflow_id: idSchema, error: z.unknown().optional() });
export const workerStatusData = z.looseObject({ worker_id: idSchema, status: z.string().min(1).max(100), pool_id: optionalId });
export const workerMembershipData = z.looseObject({ worker_id: idSchema, pool_id: optionalId });
export const poolStatusData = z.looseObject({
  pool_id: optionalId,
  status: z.union([z.string().max(200).transform((state) => ({ state }) as Record<string, unknown>), objectData]),
});
export const poolData = z.looseObject({ pool_id: optionalId, worker_count: z.number().int().min(0).optional().catch(undefined) });
export const taskAssignedData = z.looseObject({ pool_id: optionalId, worker_id: idSchema, task: z.unknown().optional() });

/** get_pool_status reply: `{pool_id, status, workers}`, or `status: "not_found" | "error"`. */
export const poolStatusReply = z.looseObject({
  pool_id: optionalId,
  status: z.union([z.string().max(200), objectData]).optional(),
  workers: z.unknown().optional(),
  error: z.unknown().optional(),
});
/** get_workflow_status reply (a placeholder at bc81118b: running, 0 of 10). */
export const workflowStatusReply = z.looseObject({
  workflow_id: idSchema,
  status: z.string().max(200).optional().catch(undefined),
  stages_completed: z.number().int().min(0).optional().catch(undefined),
  total_stages: z.number().int().min(0).optional().catch(undefined),
});

/** Workers in a get_pool_status reply, in any of the forms seen: a list of ids or objects, or a map id → status. */
export function workersFromReply(workers: unknown): { id: string; status?: string; currentTask?: string }[] | undefined {
  const out: { id: string; status?: string; currentTask?: string }[] = [];
  const fromObject = (id: string, value: unknown): void => {
    if (typeof value === 'string') out.push({ id, status: value });
    else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      out.push({ id, status: typeof v['status'] === 'string' ? v['status'] : undefined, currentTask: typeof v['current_task'] === 'string' ? v['current_task'] : undefined });
    } else out.push({ id });
  };
  if (Array.isArray(workers)) {
    for (const w of workers.slice(0, 10_000)) {
      if (typeof w === 'string' || typeof w === 'number') out.push({ id: String(w) });
      else if (w && typeof w === 'object') {
        const rec = w as Record<string, unknown>;
        const id = rec['worker_id'] ?? rec['id'];
        if (typeof id === 'string' || typeof id === 'number') fromObject(String(id), w);
      }
    }
    return out;
  }
  if (workers && typeof workers === 'object') {
    for (const [id, value] of Object.entries(workers).slice(0, 10_000)) fromObject(id, value);
    return out;
  }
  return undefined;
}

function issueText(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(frame)'}: ${i.message}`).join('; ');
}
