// Parses one log line of the Rustvello/pynenc family into a LogRecord's fields. Accepted, in order:
//  - NDJSON: Rustvello (`timestamp, severity, system, logger, message, runner_class, runner_id, worker_id,
//    invocation_id, task_id, text`) and pynenc (the same without `system`/`worker_id`, plus `parent_runner_*`);
//  - the unified text line `{ts} {LEVEL} [R|P] {app_id} [{context}] {target} {message}`;
//  - tracing-subscriber span lines `runner{runner_id=.. cls=..}:worker{worker_id=..}:invocation{..}: target: msg`;
//  - pynenc's own text format `YYYY-MM-DD HH:MM:SS.mmm±HH:MM LEVEL name [ctx] msg`;
//  - anything else as a plain line (level guessed from a leading level word, time = when it was read).
import type { LogLevel } from '../model/entities';
import { parseIsoTimestamp } from '../util/timestamps';

export interface ParsedLogLine {
  readonly timestamp: number;
  readonly level: LogLevel;
  readonly message: string;
  /** `rust` / `python` when the line says so ([R]/[P] or "system"). */
  readonly origin?: 'rust' | 'python';
  readonly app?: string;
  readonly logger?: string;
  readonly runner?: string;
  readonly runnerClass?: string;
  readonly worker?: string;
  readonly invocation?: string;
  readonly task?: string;
  readonly format: 'json' | 'unified' | 'span' | 'pynenc-text' | 'plain';
}

const MAX_MESSAGE_CHARS = 8 * 1024;

const UNIFIED_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\s+(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRIT)\s+\[(R|P)\]\s+(?:([^\s[]+)\s+(?=\[))?(?:\[([^\]]*)\]\s+)?(.*)$/;
const PYNENC_TEXT_RE = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+(TRACE|DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\s+(\S+)\s+(?:\[([^\]]*)\]\s*)?(.*)$/;
const SPAN_RE = /^(?:(\d{4}-\d{2}-\d{2}T\S+)\s+)?(?:(TRACE|DEBUG|INFO|WARN|ERROR)\s+)?((?:[a-z_]+\{[^}]*\}:)+)\s*(.*)$/;
const CONTEXT_RE = /^(?:([A-Za-z]+)\(([^)]*)\))?(?:\.?W\(([^)]*)\))?([0-9a-fA-F][0-9a-fA-F-]{7,})?(?::(.+))?$/;
const LEADING_LEVEL_RE = /^\s*\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRIT|CRITICAL|FATAL)\]?[\s:]/i;

export function normalizeLevel(text: string | undefined): LogLevel {
  switch ((text ?? '').trim().toUpperCase()) {
    case 'TRACE': return 'trace';
    case 'DEBUG': return 'debug';
    case 'WARN': case 'WARNING': return 'warn';
    case 'ERROR': case 'CRIT': case 'CRITICAL': case 'FATAL': return 'error';
    default: return 'info';
  }
}

/** Parses one line (without its newline); `now` is used when the line carries no time. Empty lines → undefined. */
export function parseLogLine(line: string, now: number, allowJson = true): ParsedLogLine | undefined {
  const trimmed = line.trim();
  if (trimmed.length === 0) return undefined;
  if (allowJson && trimmed.startsWith('{')) {
    const json = parseJsonLine(trimmed, now);
    if (json) return json;
  }
  return parseTextLine(trimmed, now);
}

function parseJsonLine(text: string, now: number): ParsedLogLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' && (o[k] as string).length > 0 ? (o[k] as string) : undefined);
  const message = str('message') ?? str('msg');
  const textLine = str('text');
  // The `text` field is the unified line itself; read ids from it when the JSON left them out.
  const fromText = textLine ? parseTextLine(textLine, now) : undefined;
  if (message === undefined && !fromText) return undefined;
  const ts = str('timestamp') ?? str('ts') ?? str('time');
  const system = str('system');
  return {
    format: 'json',
    timestamp: (ts ? parseIsoTimestamp(ts) : undefined) ?? (typeof o['timestamp'] === 'number' ? o['timestamp'] : undefined) ?? fromText?.timestamp ?? now,
    level: normalizeLevel(str('severity') ?? str('level') ?? str('levelname') ?? fromText?.level),
    message: clip(message ?? fromText?.message ?? ''),
    origin: system === 'rust' ? 'rust' : system === 'python' ? 'python' : fromText?.origin,
    app: str('app_id') ?? fromText?.app,
    logger: str('logger') ?? str('name'),
    runner: str('runner_id') ?? fromText?.runner,
    runnerClass: str('runner_class') ?? fromText?.runnerClass,
    worker: str('worker_id') ?? fromText?.worker,
    invocation: str('invocation_id') ?? fromText?.invocation,
    task: str('task_id') ?? fromText?.task,
  };
}

function parseTextLine(line: string, now: number): ParsedLogLine {
  let m = UNIFIED_RE.exec(line);
  if (m) {
    const [, ts, level, origin, app, context, rest = ''] = m;
    const ctx = context !== undefined ? parseContext(context) : {};
    return {
      format: 'unified', timestamp: parseIsoTimestamp(ts ?? '') ?? now, level: normalizeLevel(level), message: clip(rest),
      origin: origin === 'R' ? 'rust' : 'python', app: app || undefined, logger: rest.split(' ', 1)[0] || undefined, ...ctx,
    };
  }
  m = SPAN_RE.exec(line);
  if (m) {
    const [, ts, level, spans = '', rest = ''] = m;
    const fields: Record<string, string> = {};
    for (const span of spans.matchAll(/[a-z_]+\{([^}]*)\}/g)) {
      for (const kv of (span[1] ?? '').matchAll(/([a-z_]+)=("[^"]*"|\S+)/g)) fields[kv[1] ?? ''] = (kv[2] ?? '').replace(/^"|"$/g, '');
    }
    const colon = rest.indexOf(': ');
    return {
      format: 'span', timestamp: (ts ? parseIsoTimestamp(ts) : undefined) ?? now, level: normalizeLevel(level),
      message: clip(rest), logger: colon > 0 ? rest.slice(0, colon) : undefined,
      runner: fields['runner_id'], runnerClass: fields['cls'], worker: fields['worker_id'], invocation: fields['invocation_id'], task: fields['task_id'],
    };
  }
  m = PYNENC_TEXT_RE.exec(line);
  if (m) {
    const [, ts, level, logger, context, rest = ''] = m;
    const ctx = context !== undefined ? parseContext(context) : {};
    return {
      format: 'pynenc-text', timestamp: parseIsoTimestamp((ts ?? '').replace(',', '.')) ?? now, level: normalizeLevel(level),
      message: clip(rest), logger, origin: 'python', ...ctx,
    };
  }
  const lead = LEADING_LEVEL_RE.exec(line);
  return { format: 'plain', timestamp: now, level: lead ? normalizeLevel(lead[1]) : 'info', message: clip(line) };
}

/** `CLS(runner8).W(worker8)<invocation uuid>:<task key>`; every part optional. */
export function parseContext(context: string): { runner?: string; runnerClass?: string; worker?: string; invocation?: string; task?: string } {
  const m = CONTEXT_RE.exec(context.trim());
  if (!m) return {};
  const [, cls, runner, worker, invocation, task] = m;
  return {
    runnerClass: cls || undefined, runner: runner || undefined, worker: worker || undefined,
    invocation: invocation || undefined, task: task || undefined,
  };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}… [truncated]` : text;
}
