// pynenc and Rustvello Redis layouts (shared/reference/protocols.md §3), as pure key builders and parsers.
//   pynenc (pynenc_redis @ f9a1c84, util/redis_keys.py): `__pynenc__:{app}:{component}:{type}:{id}` —
//     orchestrator `status:{status}` sets, `invocation_status:{id}` status-record JSON, `runner_heartbeats` zset,
//     `runner_heartbeat:{runner}` hash, `all_invocations_by_time` zset; broker `default_queue` list; state
//     backend `invocation:{id}` JSON, `history:{id}` list, `result:`/`exception:`, `parent_invocation_children:`,
//     `workflow:invocations:{wf}`.
//   Rustvello (crates/rustvello-redis @ 1217a29e): `rustvello:{app}:` — `orch:status:{id}` serde-JSON status
//     record (PascalCase status), `orch:heartbeat:{runner}`, broker lists `broker:global`, `broker:task:{task}`.
// Status names arrive in three spellings (pynenc `running`, Rust Display `RUNNING`, serde `Running`); tasks carry
// the normalized lower_snake name, queue counts keep the spelling the system wrote.
import { z } from 'zod';
import { parseTimestamp } from './redis-values';

export type PynencFlavor = 'pynenc' | 'rustvello';

export const PYNENC_STATUSES = [
  'registered', 'concurrency_controlled', 'concurrency_controlled_final', 'rerouted', 'pending', 'pending_recovery',
  'running', 'running_recovery', 'paused', 'resumed', 'killed', 'success', 'failed', 'retry',
] as const;
export type InvocationStatus = (typeof PYNENC_STATUSES)[number];
const KNOWN = new Set<string>(PYNENC_STATUSES);

export const FINAL_STATUSES: ReadonlySet<InvocationStatus> = new Set(['success', 'failed', 'concurrency_controlled_final']);
export const RUNNING_STATUSES: ReadonlySet<InvocationStatus> = new Set(['running', 'running_recovery']);

/** `running`, `RUNNING`, `Running`, `ConcurrencyControlledFinal`, `CONCURRENCY_CONTROLLED_FINAL` → lower_snake; unknown → undefined. */
export function normalizeStatus(raw: string): InvocationStatus | undefined {
  const snake = raw.trim().replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return KNOWN.has(snake) ? (snake as InvocationStatus) : undefined;
}

export function appPrefix(flavor: PynencFlavor, app: string): string {
  return flavor === 'pynenc' ? `__pynenc__:${app}:` : `rustvello:${app}:`;
}

/** pynenc replaces these in key parts before use (redis_keys.py). */
export function pynencKeyPart(part: string): string {
  return part.replace(/\[/g, '__OPEN_BRACKET__').replace(/\]/g, '__CLOSE_BRACKET__').replace(/\*/g, '__ASTERISK__');
}

export const pynencKeys = (app: string) => {
  const p = appPrefix('pynenc', pynencKeyPart(app));
  return {
    statusSet: (status: string) => `${p}orchestrator:status:${status}`,
    statusRecord: (id: string) => `${p}orchestrator:invocation_status:${id}`,
    runnerHeartbeats: `${p}orchestrator:runner_heartbeats`,
    runnerHeartbeat: (runner: string) => `${p}orchestrator:runner_heartbeat:${runner}`,
    allByTime: `${p}orchestrator:all_invocations_by_time`,
    brokerQueue: `${p}broker:default_queue`,
    invocation: (id: string) => `${p}state_backend:invocation:${id}`,
    history: (id: string) => `${p}state_backend:history:${id}`,
    result: (id: string) => `${p}state_backend:result:${id}`,
    exception: (id: string) => `${p}state_backend:exception:${id}`,
    children: (id: string) => `${p}state_backend:parent_invocation_children:${id}`,
    workflowInvocations: (wf: string) => `${p}state_backend:workflow:invocations:${wf}`,
    workflowPrefix: `${p}state_backend:workflow:invocations:`,
    statusSetPrefix: `${p}orchestrator:status:`,
  };
};

export const rustvelloKeys = (app: string) => {
  const p = appPrefix('rustvello', app);
  return {
    statusRecord: (id: string) => `${p}orch:status:${id}`,
    statusPrefix: `${p}orch:status:`,
    heartbeat: (runner: string) => `${p}orch:heartbeat:${runner}`,
    heartbeatPrefix: `${p}orch:heartbeat:`,
    brokerGlobal: `${p}broker:global`,
    brokerTaskPrefix: `${p}broker:task:`,
  };
};

/** Splits a discovered key into app and the rest after `marker` (e.g. `:orchestrator:status:`). */
export function splitAppKey(flavor: PynencFlavor, key: string, marker: string): { app: string; rest: string } | undefined {
  const head = flavor === 'pynenc' ? '__pynenc__:' : 'rustvello:';
  if (!key.startsWith(head)) return undefined;
  const at = key.lastIndexOf(marker);
  if (at <= head.length) return undefined;
  const app = key.slice(head.length, at);
  if (flavor === 'pynenc' && app === '__pynenc__') return undefined; // the global apps registry
  const rest = key.slice(at + marker.length);
  return rest ? { app, rest } : undefined;
}

const idText = z.string().min(1).max(512);

/** `InvocationStatusRecord.to_json` / the Rust `{status, runner_id, timestamp}` struct. */
export const statusRecordSchema = z.object({
  status: z.string().min(1).max(64),
  runner_id: idText.nullish(),
  timestamp: z.union([z.string(), z.number()]).nullish(),
});

export interface StatusRecord {
  readonly raw: string;
  readonly status: InvocationStatus;
  readonly runner?: string;
  readonly at?: number;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
}

function json(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: `not JSON: ${text.slice(0, 60)}` };
  }
}

export function parseStatusRecord(text: string): Parsed<StatusRecord> {
  const j = json(text);
  if (!j.ok) return j;
  const r = statusRecordSchema.safeParse(j.value);
  if (!r.success) return { ok: false, problem: issues(r.error) };
  const status = normalizeStatus(r.data.status);
  if (!status) return { ok: false, problem: `unknown status "${r.data.status}"` };
  return { ok: true, value: { raw: r.data.status, status, runner: r.data.runner_id ?? undefined, at: parseTimestamp(r.data.timestamp) } };
}

/** The state backend's invocation JSON (pynenc). */
export const invocationSchema = z.object({
  invocation_id: idText,
  task_id_key: z.string().max(512).nullish(),
  call_id_key: z.string().max(1024).nullish(),
  parent_invocation_id: idText.nullish(),
  workflow_id: idText.nullish(),
  workflow_type_key: z.string().max(512).nullish(),
  parent_workflow_id: idText.nullish(),
});
export type InvocationRecord = z.infer<typeof invocationSchema>;

export function parseInvocation(text: string): Parsed<InvocationRecord> {
  const j = json(text);
  if (!j.ok) return j;
  const r = invocationSchema.safeParse(j.value);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: issues(r.error) };
}

/** One entry of `state_backend:history:{id}`. */
export const historyEntrySchema = z.object({
  invocation_id: idText.optional(),
  _timestamp: z.union([z.string(), z.number()]).nullish(),
  status_record: statusRecordSchema,
  runner_context_id: z.string().nullish(),
});

/** Runner heartbeat: pynenc's hash fields, or Rustvello's value (a timestamp string, a JSON object or a hash). */
export function heartbeatTime(value: string | Readonly<Record<string, string>> | null): number | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') {
    const direct = parseTimestamp(value);
    if (direct !== undefined) return direct;
    const j = json(value);
    if (!j.ok || typeof j.value !== 'object' || j.value === null) return undefined;
    value = Object.fromEntries(Object.entries(j.value).map(([k, v]) => [k, String(v)]));
  }
  return parseTimestamp(value['last_heartbeat'] ?? value['timestamp'] ?? value['last_seen']);
}
