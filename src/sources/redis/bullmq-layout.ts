// BullMQ's Redis layout as Taskscope reads it: key names, state names per major version, and parsing of
// `meta.version` and worker client names (see shared/reference/bullmq.md §A.1–A.5).

/** States `Queue.getJobCounts()` returns with no arguments, by BullMQ major. v6 dropped `paused`. */
export const BULLMQ_STATES_V5 = ['active', 'completed', 'delayed', 'failed', 'paused', 'prioritized', 'waiting', 'waiting-children'] as const;
export const BULLMQ_STATES_V6 = ['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children'] as const;

export type BullmqState = (typeof BULLMQ_STATES_V5)[number];

/** Redis key suffix and type holding each state. */
export const STATE_KEYS: Readonly<Record<BullmqState, { suffix: string; type: 'list' | 'zset' }>> = {
  active: { suffix: 'active', type: 'list' },
  waiting: { suffix: 'wait', type: 'list' },
  paused: { suffix: 'paused', type: 'list' },
  completed: { suffix: 'completed', type: 'zset' },
  failed: { suffix: 'failed', type: 'zset' },
  delayed: { suffix: 'delayed', type: 'zset' },
  prioritized: { suffix: 'prioritized', type: 'zset' },
  'waiting-children': { suffix: 'waiting-children', type: 'zset' },
};

export interface BullmqVersion {
  readonly raw: string;
  readonly flavour: 'bullmq' | 'bullmq-pro' | 'unknown';
  readonly major?: number;
}

/** Parses `meta.version` (`bullmq:5.81.5`, `bullmq-pro:7.1.0`). */
export function parseBullmqVersion(raw: string | null | undefined): BullmqVersion | undefined {
  if (!raw) return undefined;
  const m = /^(bullmq|bullmq-pro):(\d+)(?:\.|$)/.exec(raw);
  if (!m) return { raw, flavour: 'unknown' };
  return { raw, flavour: m[1] as 'bullmq' | 'bullmq-pro', major: Number(m[2]) };
}

export function statesForVersion(version: BullmqVersion | undefined): readonly BullmqState[] {
  return version?.major !== undefined && version.major >= 6 && version.flavour === 'bullmq' ? BULLMQ_STATES_V6 : BULLMQ_STATES_V5;
}

/** The queue name inside a discovery key `<prefix>:<name>:<suffix>`, or undefined if it is not one. */
export function queueNameFromKey(key: string, prefix: string, suffix: string): string | undefined {
  const head = `${prefix}:`;
  const tail = `:${suffix}`;
  if (!key.startsWith(head) || !key.endsWith(tail) || key.length <= head.length + tail.length) return undefined;
  const name = key.slice(head.length, key.length - tail.length);
  // Queue names cannot contain ':'; a longer middle is a job-scoped key (e.g. `<q>:<jobId>:meta`-like), not a queue.
  return name.includes(':') ? undefined : name;
}

export interface WorkerClient {
  readonly queue: string;
  readonly workerName?: string;
  readonly rawName: string;
  readonly addr?: string;
  readonly ageSeconds?: number;
  readonly idleSeconds?: number;
  readonly clientId?: string;
}

/** Parses `CLIENT LIST` output and keeps BullMQ worker connections `<prefix>:<base64(queue)>[:w:<name>]`. */
export function parseWorkerClients(clientList: string, prefix: string): WorkerClient[] {
  const out: WorkerClient[] = [];
  const head = `${prefix}:`;
  for (const line of clientList.split('\n')) {
    const fields = parseClientLine(line);
    const name = fields['name'];
    if (!name || !name.startsWith(head)) continue;
    const rest = name.slice(head.length);
    const wIndex = rest.indexOf(':w:');
    const encoded = wIndex >= 0 ? rest.slice(0, wIndex) : rest;
    if (encoded.includes(':') || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) continue; // `:qe` and others are not workers
    const queue = decodeBase64(encoded);
    if (queue === undefined) continue;
    out.push({
      queue,
      workerName: wIndex >= 0 ? rest.slice(wIndex + 3) : undefined,
      rawName: name,
      addr: fields['addr'],
      ageSeconds: numberOrUndefined(fields['age']),
      idleSeconds: numberOrUndefined(fields['idle']),
      clientId: fields['id'],
    });
  }
  return out;
}

function parseClientLine(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of line.trim().split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return fields;
}

function decodeBase64(text: string): string | undefined {
  try {
    const decoded = atob(text);
    const bytes = Uint8Array.from(decoded, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function numberOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
