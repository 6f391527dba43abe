// Connection profiles: the schema of `taskscope.connections` entries (and of the CLI config file), validated
// entry by entry so one bad entry is reported by field and never stops the others.
import { z } from 'zod';
import { CONNECTION_KINDS, SYSTEMS, type ConnectionKind, type SystemId } from '../model/connection';
import { WEBSOCKET_OPTION_KEYS, websocketOptionShape } from './websocket-options';
import { STREAM_OPTION_KEYS, STREAM_PROFILE_FIELDS } from './stream-options';
import { REDIS_OPTION_KEYS, redisOptionShape } from './redis-options';

/** Which transports each system speaks; a profile pairing them otherwise is rejected with a clear message. */
export const KINDS_BY_SYSTEM: Readonly<Record<SystemId, readonly ConnectionKind[]>> = {
  bullmq: ['redis'],
  rhailib: ['redis'],
  nexus: ['redis', 'websocket'],
  pynenc: ['redis', 'logfile'],
  rustvello: ['redis', 'prometheus', 'logfile'],
  mahavishnu: ['websocket'],
  propeller: ['mqtt'],
  generic: ['redis', 'websocket', 'mqtt', 'prometheus', 'logfile'],
};

const URL_SCHEMES_BY_KIND: Readonly<Record<ConnectionKind, readonly string[]>> = {
  redis: ['redis:', 'rediss:'],
  websocket: ['ws:', 'wss:'],
  mqtt: ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:'],
  prometheus: ['http:', 'https:'],
  logfile: ['file:'],
};

const tlsSchema = z.object({
  caFile: z.string().min(1).optional(),
  rejectUnauthorized: z.boolean().optional(),
});

export const connectionProfileSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 letters, digits, ".", "_" or "-"'),
  name: z.string().min(1).optional(),
  kind: z.enum(CONNECTION_KINDS),
  system: z.enum(SYSTEMS),
  url: z.string().min(1),
  readOnly: z.boolean().optional(),
  enabled: z.boolean().optional(),
  /** Key prefix (BullMQ's `prefix`, default `bull`). */
  prefix: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  /** Only honoured in CLI config files; in settings, secrets belong in SecretStorage. */
  password: z.string().optional(),
  token: z.string().optional(),
  tls: tlsSchema.optional(),
  pollIntervalMs: z.number().int().min(500).max(3_600_000).optional(),
  /** Nexus Agents: profiles with the same name are one deployment (shared de-dup, one owner of the entities). */
  nexusDeployment: z.string().trim().min(1).max(200).optional(),
  ...websocketOptionShape,
  ...STREAM_PROFILE_FIELDS,
  ...redisOptionShape,
});

export type ConnectionProfileInput = z.infer<typeof connectionProfileSchema>;

export interface ConnectionProfile {
  readonly id: string;
  readonly name: string;
  readonly kind: ConnectionKind;
  readonly system: SystemId;
  readonly url: string;
  readonly readOnly: boolean;
  readonly enabled: boolean;
  readonly prefix?: string;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  readonly tls?: { readonly caFile?: string; readonly rejectUnauthorized?: boolean };
  readonly pollIntervalMs?: number;
  /** Per-system options not modelled above, kept as given. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface ProfileProblem {
  readonly index: number;
  readonly id?: string;
  /** Dotted path of the offending field, e.g. `connections[2].kind`. */
  readonly field: string;
  readonly message: string;
}

export interface ParsedProfiles {
  readonly profiles: ConnectionProfile[];
  readonly problems: ProfileProblem[];
}

/** Per-system options validated here that travel in `options` like the transport options. */
const SYSTEM_OPTION_KEYS: readonly string[] = ['nexusDeployment'];

/** Fields with a place of their own in ConnectionProfile; transport options (validated above) travel in `options`. */
const KNOWN_FIELDS = new Set(Object.keys(connectionProfileSchema.shape).filter((k) => !WEBSOCKET_OPTION_KEYS.includes(k) && !STREAM_OPTION_KEYS.has(k) && !REDIS_OPTION_KEYS.includes(k) && !SYSTEM_OPTION_KEYS.includes(k)));

/** Validates every entry independently; `label` names the array in messages (`taskscope.connections`). */
export function parseConnectionProfiles(raw: unknown, label = 'connections'): ParsedProfiles {
  if (raw === undefined || raw === null) return { profiles: [], problems: [] };
  if (!Array.isArray(raw)) {
    return { profiles: [], problems: [{ index: -1, field: label, message: `must be an array of connection objects, got ${typeOfValue(raw)}` }] };
  }
  const profiles: ConnectionProfile[] = [];
  const problems: ProfileProblem[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, index) => {
    const at = `${label}[${index}]`;
    const id = isRecord(entry) && typeof entry['id'] === 'string' ? entry['id'] : undefined;
    const result = connectionProfileSchema.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
        problems.push({ index, id, field: `${at}${path}`, message: issue.message });
      }
      return;
    }
    const p = result.data;
    const kinds = KINDS_BY_SYSTEM[p.system];
    if (!kinds.includes(p.kind)) {
      problems.push({ index, id, field: `${at}.kind`, message: `system "${p.system}" is read over ${kinds.join(' or ')}, not "${p.kind}"` });
      return;
    }
    const schemeProblem = checkUrl(p.kind, p.url);
    if (schemeProblem) {
      problems.push({ index, id, field: `${at}.url`, message: schemeProblem });
      return;
    }
    if (seen.has(p.id)) {
      problems.push({ index, id, field: `${at}.id`, message: `duplicate id "${p.id}"; the first entry with this id is used` });
      return;
    }
    if ((p.cluster || p.sentinel) && p.kind !== 'redis') {
      problems.push({ index, id, field: `${at}.${p.cluster ? 'cluster' : 'sentinel'}`, message: `only redis connections have a cluster or sentinel topology, not "${p.kind}"` });
      return;
    }
    if (p.cluster && p.sentinel) {
      problems.push({ index, id, field: `${at}.sentinel`, message: 'use either "cluster" or "sentinel", not both' });
      return;
    }
    seen.add(p.id);
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) if (!KNOWN_FIELDS.has(k)) options[k] = v;
    profiles.push({
      id: p.id, name: p.name ?? p.id, kind: p.kind, system: p.system, url: p.url,
      readOnly: p.readOnly ?? false, enabled: p.enabled ?? true, prefix: p.prefix, username: p.username,
      password: p.password, token: p.token, tls: p.tls, pollIntervalMs: p.pollIntervalMs, options,
    });
  });
  return { profiles, problems };
}

export function formatProblem(p: ProfileProblem): string {
  return `${p.field}${p.id ? ` (id "${p.id}")` : ''}: ${p.message}`;
}

function checkUrl(kind: ConnectionKind, url: string): string | undefined {
  if (kind === 'logfile' && !/^[a-z]+:\/\//i.test(url)) return undefined; // a plain path or glob
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return `"${url}" is not a valid URL`;
  }
  const allowed = URL_SCHEMES_BY_KIND[kind];
  return allowed.includes(scheme) ? undefined : `a ${kind} connection needs a ${allowed.map((s) => `${s}//`).join(' or ')} URL, got "${scheme}//"`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOfValue(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}
