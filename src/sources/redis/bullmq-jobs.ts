// BullMQ job reads: paged rows per state (range read + HMGET of only the fields a row shows, in one read-only
// Lua script, so one round trip), the full
// record of one job on demand (values cut inside Redis so a 10 MB payload never crosses the wire), and a
// bounded substring search run in Redis over the newest jobs of each state. Reads only.
import type Redis from 'ioredis';
import type { Task } from '../../core/model/entities';
import { detailValue, type DetailValue, type TaskDetail, type TaskRef, type TaskStatusChange } from '../../core/model/task-detail';
import type { TaskLogLine, TaskLogPage, TaskLogRequest, TaskPage, TaskPageRequest, TaskSearchHit, TaskSearchRequest, TaskSearchSummary } from '../../core/source/task-query';
import { STATE_KEYS, type BullmqState } from './bullmq-layout';
import { RedisScript } from './redis-script';

/** The fields a list row shows; `data`, `returnvalue`, `stacktrace` and logs are never read for rows. */
export const ROW_FIELDS = ['name', 'timestamp', 'processedOn', 'finishedOn', 'atm', 'attemptsMade', 'failedReason', 'pb', 'parentKey'] as const;
const ROW_ERROR_MAX = 500;
/** Newest log lines loaded with a job's detail. */
export const DETAIL_LOG_LINES = 200;
const DETAIL_LOG_LINE_MAX = 4_000;
/** Children listed in a job's detail, per kind (pending, processed, failed, unsuccessful). */
const DETAIL_CHILDREN_MAX = 50;
const SEARCH_CHUNK = 200;

/** Lists every field of a hash with its full byte length and at most ARGV[1] bytes of its value. */
const HASH_PREFIXES_LUA = `
local t = redis.call('TYPE', KEYS[1])['ok']
if t ~= 'hash' then return {t} end
local max = tonumber(ARGV[1])
local out = {'hash'}
local fields = redis.call('HKEYS', KEYS[1])
for _, f in ipairs(fields) do
  local v = redis.call('HGET', KEYS[1], f)
  out[#out + 1] = f
  out[#out + 1] = string.len(v)
  out[#out + 1] = string.sub(v, 1, max)
end
return out`;

/** For each job key, the first field (or log line) containing ARGV[1] (lower case), with an excerpt. */
const SEARCH_LUA = `
local needle = ARGV[1]
local r = tonumber(ARGV[2])
local fields = {'name', 'data', 'failedReason', 'returnvalue', 'stacktrace'}
local out = {}
local function excerpt(v, p)
  return string.sub(v, math.max(1, p - r), p + string.len(needle) + r)
end
for i, k in ipairs(KEYS) do
  local vals = redis.pcall('HMGET', k, unpack(fields))
  if type(vals) == 'table' and not vals.err then
    local found = false
    for j, f in ipairs(fields) do
      local v = vals[j]
      if v then
        local p = string.find(string.lower(v), needle, 1, true)
        if p then
          out[#out + 1] = i; out[#out + 1] = f; out[#out + 1] = excerpt(v, p)
          found = true
          break
        end
      end
    end
    if not found then
      local logs = redis.pcall('LRANGE', k .. ':logs', -50, -1)
      if type(logs) == 'table' and not logs.err then
        for _, line in ipairs(logs) do
          local p = string.find(string.lower(line), needle, 1, true)
          if p then
            out[#out + 1] = i; out[#out + 1] = 'logs'; out[#out + 1] = excerpt(line, p)
            break
          end
        end
      end
    end
  end
end
return out`;

/**
 * One page of a state in one round trip: the total, the ids of the range, and only the row fields of each job.
 * KEYS[1] is the state key; the job hashes `ARGV[4]<id>` share the queue's hash tag when it has one, so the
 * script stays in one Cluster slot. Reply: {total, id, err|false, field values…, log lines, id, …} or {'ERR', message}.
 */
const PAGE_LUA = `
local total = redis.pcall(ARGV[1] == 'list' and 'LLEN' or 'ZCARD', KEYS[1])
if type(total) == 'table' and total.err then return {'ERR', total.err} end
local ids
if ARGV[1] == 'list' then ids = redis.call('LRANGE', KEYS[1], ARGV[2], ARGV[3])
else ids = redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3]) end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
local out = {total}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  local vals = redis.pcall('HMGET', ARGV[4] .. id, unpack(fields))
  if type(vals) == 'table' and vals.err then
    out[#out + 1] = vals.err
    for _ = 1, #fields do out[#out + 1] = false end
  else
    out[#out + 1] = false
    for j = 1, #fields do out[#out + 1] = vals[j] end
  end
  local logs = redis.pcall('LLEN', ARGV[4] .. id .. ':logs')
  if type(logs) ~= 'number' then logs = 0 end
  out[#out + 1] = logs
end
return out`;
const PAGE_SCRIPT = new RedisScript(PAGE_LUA);

/**
 * One page of a job's log list, each line cut to ARGV[3] bytes inside Redis. KEYS[1] = `<job>:logs`;
 * ARGV[1] offset, ARGV[2] count. Reply: {total, offset, bytes, prefix, bytes, prefix…} or {'ERR', message}.
 */
const LOGS_LUA = `
local total = redis.pcall('LLEN', KEYS[1])
if type(total) == 'table' and total.err then return {'ERR', total.err} end
local count = tonumber(ARGV[2])
local offset = tonumber(ARGV[1])
if offset >= total then offset = math.max(0, total - count) end
local max = tonumber(ARGV[3])
local out = {total, offset}
for _, line in ipairs(redis.call('LRANGE', KEYS[1], offset, offset + count - 1)) do
  out[#out + 1] = string.len(line)
  out[#out + 1] = string.sub(line, 1, max)
end
return out`;
const LOGS_SCRIPT = new RedisScript(LOGS_LUA);
/** A log line longer than this is cut (with the flag and its full size). */
export const LOG_LINE_MAX = 2_000;
/** Lines per log page at most, whatever the caller asks. */
const LOG_PAGE_MAX = 200;

export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
}

export interface JobReaderOptions {
  readonly connectionId: string;
  readonly prefix: string;
  readonly now: () => number;
}

export class BullmqJobReader {
  constructor(private readonly client: () => Redis, private readonly opts: JobReaderOptions) {}

  key(queue: string, suffix: string): string { return `${this.opts.prefix}:${queue}:${suffix}`; }

  /** One page of a state, newest first: the total, the range and the row fields of each job in one round trip. */
  async page(request: TaskPageRequest): Promise<TaskPage> {
    const layout = stateLayout(request.state);
    const stateKey = this.key(request.queue, layout.suffix);
    const offset = Math.max(0, Math.floor(request.offset));
    const stop = offset + Math.max(1, Math.floor(request.limit)) - 1;
    const reply = (await PAGE_SCRIPT.run(this.client(), [stateKey], [layout.type, offset, stop, this.key(request.queue, ''), ...ROW_FIELDS])) as (string | number | null)[];
    if (reply[0] === 'ERR') throw new Error(`${stateKey} cannot be read as a ${layout.type}: ${String(reply[1])}`);
    const at = this.opts.now();
    const tasks: Task[] = [];
    const width = 3 + ROW_FIELDS.length;
    for (let i = 1; i + width - 1 < reply.length; i += width) {
      const id = String(reply[i]);
      const err = reply[i + 1];
      if (typeof err === 'string') {
        tasks.push(this.unreadableRow(request.queue, id, request.state, err, at));
        continue;
      }
      const task = this.rowFromValues(request.queue, id, request.state, reply.slice(i + 2, i + width - 1) as (string | null)[], at);
      const logCount = Number(reply[i + width - 1]) || 0;
      if (task) tasks.push(logCount > 0 ? { ...task, logCount } : task);
    }
    return { tasks, total: Number(reply[0]) || 0, offset };
  }

  /**
   * One page of a job's log, oldest first: the total and the lines of the range, each cut inside Redis to
   * `maxLineBytes` so a 10 MB line never crosses the wire. An offset past the end reads the last page.
   */
  async logs(request: TaskLogRequest & { readonly queue: string }, maxLineBytes: number = LOG_LINE_MAX): Promise<TaskLogPage> {
    const logsKey = this.key(request.queue, `${request.id}:logs`);
    const limit = Math.max(1, Math.min(LOG_PAGE_MAX, Math.floor(request.limit)));
    const reply = (await LOGS_SCRIPT.run(this.client(), [logsKey], [Math.max(0, Math.floor(request.offset)), limit, maxLineBytes])) as (string | number)[];
    if (reply[0] === 'ERR') throw new Error(`${logsKey} cannot be read as a list: ${String(reply[1])}`);
    const total = Number(reply[0]) || 0;
    const offset = Number(reply[1]) || 0;
    const lines: TaskLogLine[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      const bytes = Number(reply[i]) || 0;
      const text = String(reply[i + 1] ?? '');
      const truncated = bytes > maxLineBytes;
      lines.push({ index: offset + lines.length, text: truncated ? text.replace(/\uFFFD+$/, '') : text, truncated, bytes });
    }
    return { lines, total, offset };
  }

  /** Row tasks for ids of one queue; jobs deleted since the range read are left out. */
  async rows(queue: string, ids: readonly string[], state: string): Promise<Task[]> {
    if (ids.length === 0) return [];
    const pipe = this.client().pipeline();
    for (const id of ids) pipe.hmget(this.key(queue, id), ...ROW_FIELDS);
    const replies = (await pipe.exec()) ?? [];
    const at = this.opts.now();
    const tasks: Task[] = [];
    ids.forEach((id, i) => {
      const [err, values] = replies[i] ?? [];
      if (err) {
        tasks.push(this.unreadableRow(queue, id, state, err.message, at));
        return;
      }
      const task = this.rowFromValues(queue, id, state, values as (string | null)[], at);
      if (task) tasks.push(task);
    });
    return tasks;
  }

  private unreadableRow(queue: string, id: string, state: string, message: string, at: number): Task {
    return { connectionId: this.opts.connectionId, system: 'bullmq', id, queue, status: state, error: `unreadable job key: ${message}`, updatedAt: at };
  }

  /** A row from HMGET values in ROW_FIELDS order; undefined when the job was deleted after the range read. */
  private rowFromValues(queue: string, id: string, state: string, values: readonly (string | null | undefined)[], at: number): Task | undefined {
    const row = Object.fromEntries(ROW_FIELDS.map((f, j) => [f, values[j] ?? undefined])) as Record<(typeof ROW_FIELDS)[number], string | undefined>;
    if (Object.values(row).every((v) => v === undefined)) return undefined;
    return this.rowTask(queue, id, state, row, at);
  }

  private rowTask(queue: string, id: string, state: string, row: Record<string, string | undefined>, at: number): Task {
    const attempts = num(row['atm']) ?? num(row['attemptsMade']);
    const error = row['failedReason'];
    const parent = row['parentKey'] ? this.refFromKey(row['parentKey']) : undefined;
    return {
      connectionId: this.opts.connectionId, system: 'bullmq', id, queue, status: state,
      name: row['name'], worker: row['pb'], parentId: parent?.id,
      createdAt: num(row['timestamp']), startedAt: num(row['processedOn']), finishedAt: num(row['finishedOn']),
      attempts, error: error ? cut(error, ROW_ERROR_MAX) : undefined,
      workflowId: parent ? `${parent.queue ?? queue}:${parent.id}` : undefined,
      updatedAt: at,
    };
  }

  /** The state of one job the way `getStateV2` decides it; `unknown` when it is in none of them. */
  async state(queue: string, id: string): Promise<string> {
    const pipe = this.client().pipeline();
    const zsets: BullmqState[] = ['completed', 'failed', 'delayed', 'prioritized'];
    for (const s of zsets) pipe.zscore(this.key(queue, STATE_KEYS[s].suffix), id);
    const lists: BullmqState[] = ['active', 'waiting', 'paused'];
    for (const s of lists) pipe.call('LPOS', this.key(queue, STATE_KEYS[s].suffix), id);
    pipe.zscore(this.key(queue, 'waiting-children'), id);
    const replies = (await pipe.exec()) ?? [];
    const order: string[] = [...zsets, ...lists, 'waiting-children'];
    for (let i = 0; i < order.length; i++) {
      const [err, v] = replies[i] ?? [];
      if (!err && v !== null && v !== undefined) return order[i]!;
    }
    return 'unknown';
  }

  /** The full record of one job, or undefined when it no longer exists. Throws when the key is not a job hash. */
  async detail(queue: string, id: string, maxValueBytes: number): Promise<TaskDetail | undefined> {
    const client = this.client();
    const jobKey = this.key(queue, id);
    const pipe = client.pipeline();
    pipe.eval(HASH_PREFIXES_LUA, 1, jobKey, String(maxValueBytes));
    pipe.llen(`${jobKey}:logs`).lrange(`${jobKey}:logs`, -DETAIL_LOG_LINES, -1);
    pipe.sscan(`${jobKey}:dependencies`, '0', 'COUNT', DETAIL_CHILDREN_MAX);
    pipe.hscan(`${jobKey}:processed`, '0', 'COUNT', DETAIL_CHILDREN_MAX);
    pipe.hscan(`${jobKey}:failed`, '0', 'COUNT', DETAIL_CHILDREN_MAX);
    pipe.zrange(`${jobKey}:unsuccessful`, 0, DETAIL_CHILDREN_MAX - 1);
    const replies = ((await pipe.exec()) ?? []) as [Error | null, unknown][];
    const [hashErr, hashReply] = replies[0] ?? [null, null];
    if (hashErr) throw new Error(`${jobKey}: ${hashErr.message}`);
    const flat = hashReply as (string | number)[];
    if (flat[0] === 'none') return undefined;
    if (flat[0] !== 'hash') throw new Error(`${jobKey} is a Redis ${String(flat[0])}, not a BullMQ job hash`);
    const fields = new Map<string, { bytes: number; prefix: string }>();
    for (let i = 1; i + 2 < flat.length; i += 3) fields.set(String(flat[i]), { bytes: Number(flat[i + 1]), prefix: String(flat[i + 2] ?? '') });
    const small = (f: string): string | undefined => fields.get(f)?.prefix;
    const state = await this.state(queue, id);
    const row = Object.fromEntries(ROW_FIELDS.map((f) => [f, small(f)]));
    const task = this.rowTask(queue, id, state, row, this.opts.now());

    const values: Record<string, DetailValue> = {};
    for (const f of ['data', 'opts', 'returnvalue', 'progress', 'failedReason', 'stacktrace', 'defa']) {
      const v = fields.get(f);
      if (v) values[f] = cutValue(v, maxValueBytes);
    }
    const known = new Set([...ROW_FIELDS, 'data', 'opts', 'returnvalue', 'progress', 'failedReason', 'stacktrace', 'defa']);
    for (const [f, v] of fields) if (!known.has(f)) values[f] = cutValue(v, maxValueBytes);

    const logCount = Number(replies[1]?.[1] ?? 0) || 0;
    const logs = ((replies[2]?.[1] as string[] | undefined) ?? []).map((l) => cut(l, DETAIL_LOG_LINE_MAX));
    const children: TaskRef[] = [];
    const addChildren = (keys: readonly string[], status: string): void => {
      for (const k of keys) {
        const ref = this.refFromKey(k);
        children.push({ connectionId: this.opts.connectionId, queue: ref.queue, id: ref.id, status });
      }
    };
    addChildren(scanKeys(replies[3]?.[1]), 'pending');
    addChildren(everyOther(scanKeys(replies[4]?.[1])), 'completed');
    addChildren(everyOther(scanKeys(replies[5]?.[1])), 'failed (ignored)');
    addChildren((replies[6]?.[1] as string[] | undefined) ?? [], 'failed');

    const history: TaskStatusChange[] = [];
    if (task.createdAt) history.push({ status: 'added', at: task.createdAt });
    if (task.startedAt) history.push({ status: 'processed', at: task.startedAt });
    if (task.finishedAt) history.push({ status: state === 'failed' ? 'failed' : 'finished', at: task.finishedAt });
    const parentKey = small('parentKey');
    const parent = parentKey ? this.refFromKey(parentKey) : undefined;
    return {
      task: logCount > 0 ? { ...task, logCount } : task, values, logs, logsTruncated: logCount > logs.length, history,
      parent: parent ? { connectionId: this.opts.connectionId, queue: parent.queue, id: parent.id } : undefined,
      children: children.length > 0 ? children : undefined,
    };
  }

  /**
   * Exact id first (every queue, instantly), then a substring scan of the newest `maxJobsPerState` jobs of each
   * state, run inside Redis in chunks so no payload crosses the wire; hits stream through `onHits`.
   */
  async search(queues: readonly { name: string; states: readonly string[] }[], request: TaskSearchRequest, onHits: (hits: readonly TaskSearchHit[]) => void, signal: AbortSignal): Promise<TaskSearchSummary> {
    const client = this.client();
    const text = request.text.trim();
    let scanned = 0;
    let hits = 0;
    let partial = false;
    const skipped: string[] = [];
    const seen = new Set<string>();
    const emit = (list: TaskSearchHit[]): void => {
      const fresh = list.filter((h) => !seen.has(`${h.task.queue}:${h.task.id}`));
      for (const h of fresh) seen.add(`${h.task.queue}:${h.task.id}`);
      hits += fresh.length;
      if (fresh.length > 0) onHits(fresh);
    };
    if (text === '') return { scanned, hits, partial, cancelled: false };
    // 1. Exact id in every queue: one pipelined EXISTS.
    const pipe = client.pipeline();
    for (const q of queues) pipe.exists(this.key(q.name, text));
    const exists = (await pipe.exec()) ?? [];
    for (let i = 0; i < queues.length; i++) {
      if (Number(exists[i]?.[1]) !== 1) continue;
      const q = queues[i]!;
      const state = await this.state(q.name, text);
      const [task] = await this.rows(q.name, [text], state);
      if (task) emit([{ task, field: 'id', excerpt: text }]);
    }
    // 2. Substring over the newest jobs of every state.
    const needle = text.toLowerCase();
    for (const q of queues) {
      for (const state of q.states) {
        if (signal.aborted) return { scanned, hits, partial: true, cancelled: true, note: 'Search cancelled.' };
        const layout = stateLayout(state);
        const stateKey = this.key(q.name, layout.suffix);
        const head = client.pipeline();
        if (layout.type === 'list') head.llen(stateKey).lrange(stateKey, 0, request.maxJobsPerState - 1);
        else head.zcard(stateKey).zrevrange(stateKey, 0, request.maxJobsPerState - 1);
        const [[e1, total], [e2, idsRaw]] = pairs(await head.exec());
        if (e1 || e2) { skipped.push(`${q.name}/${state} (unreadable)`); partial = true; continue; }
        if (Number(total) > request.maxJobsPerState) {
          partial = true;
          skipped.push(`${q.name}/${state}: newest ${request.maxJobsPerState} of ${Number(total)}`);
        }
        const ids = idsRaw as string[];
        for (let i = 0; i < ids.length; i += SEARCH_CHUNK) {
          if (signal.aborted) return { scanned, hits, partial: true, cancelled: true, note: 'Search cancelled.' };
          const chunk = ids.slice(i, i + SEARCH_CHUNK);
          const reply = (await client.eval(SEARCH_LUA, chunk.length, ...chunk.map((id) => this.key(q.name, id)), needle, '40')) as (string | number)[];
          scanned += chunk.length;
          const found: { id: string; field: string; excerpt: string }[] = [];
          for (let j = 0; j + 2 < reply.length; j += 3) found.push({ id: chunk[Number(reply[j]) - 1]!, field: String(reply[j + 1]), excerpt: String(reply[j + 2]) });
          const idMatches = chunk.filter((id) => id.toLowerCase().includes(needle) && !found.some((f) => f.id === id)).map((id) => ({ id, field: 'id', excerpt: id }));
          const all = [...found, ...idMatches];
          if (all.length === 0) continue;
          const tasks = await this.rows(q.name, all.map((f) => f.id), state);
          const byId = new Map(tasks.map((t) => [t.id, t]));
          emit(all.flatMap((f) => { const task = byId.get(f.id); return task ? [{ task, field: f.field, excerpt: f.excerpt.replace(/\s+/g, ' ') }] : []; }));
        }
      }
    }
    return { scanned, hits, partial, cancelled: false, note: skipped.length > 0 ? `Partial: ${skipped.join('; ')}` : undefined };
  }

  /** `<prefix>:<queue>:<id>` → queue and id (falls back to the last ':' for keys under another prefix). */
  refFromKey(key: string): { queue?: string; id: string } {
    const head = `${this.opts.prefix}:`;
    if (key.startsWith(head)) {
      const rest = key.slice(head.length);
      const i = rest.indexOf(':');
      if (i > 0) return { queue: rest.slice(0, i), id: rest.slice(i + 1) };
    }
    const parts = key.split(':');
    return parts.length >= 3 ? { queue: parts[parts.length - 2], id: parts[parts.length - 1]! } : { id: key };
  }
}

export function stateLayout(state: string): { suffix: string; type: 'list' | 'zset' } {
  const layout = (STATE_KEYS as Record<string, { suffix: string; type: 'list' | 'zset' } | undefined>)[state];
  if (!layout) throw new Error(`unknown BullMQ state "${state}"`);
  return layout;
}

/** A value read as a prefix inside Redis: complete values are pretty-printed, cut ones keep their full size. */
export function cutValue(v: { bytes: number; prefix: string }, maxBytes: number): DetailValue {
  if (v.bytes <= maxBytes) return detailValue(v.prefix, maxBytes);
  return { text: v.prefix.replace(/\uFFFD+$/, ''), isJson: false, truncated: true, bytes: v.bytes };
}

/** The first two pipeline replies as [error, value] pairs. */
function pairs(replies: [Error | null, unknown][] | null): [[Error | null, unknown], [Error | null, unknown]] {
  const at = (i: number): [Error | null, unknown] => replies?.[i] ?? [new Error('no reply'), undefined];
  return [at(0), at(1)];
}

function scanKeys(reply: unknown): string[] {
  return Array.isArray(reply) && Array.isArray(reply[1]) ? (reply[1] as string[]) : [];
}

function everyOther(list: readonly string[]): string[] { return list.filter((_, i) => i % 2 === 0); }

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function cut(text: string, max: number): string { return text.length > max ? `${text.slice(0, max)}…` : text; }
