// The log query language. Whitespace-separated terms, all of which must match:
//   timeout                 substring of the message (case-insensitive unless the term has a capital)
//   "connection reset"      quoted substring, may hold spaces; \" and \\ escape
//   /time(out|d out)/i      regular expression (flags i, s, u)
//   level:error             level; level:warn,error (any of), level:>=warn (at least)
//   task:send_email         field contains value (case-insensitive): runner, worker, invocation (inv), task,
//                           connection (conn), system; task also matches the task's name
//   since:15m  from:…  to:… time range: a duration (ms, s, m, h, d) back from now, an ISO date or epoch ms
//   -term                   negates any of the above (except time bounds)
// A `word:` whose prefix is not a known field is plain text, so "error: timeout" searches what it says.
import type { LogLevel } from '../model/entities';

export const QUERY_FIELDS = ['runner', 'worker', 'invocation', 'task', 'connection', 'system'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];
export const QUERY_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

export type Clause =
  | { readonly kind: 'text'; readonly value: string; readonly negate: boolean }
  | { readonly kind: 'regex'; readonly source: string; readonly flags: string; readonly negate: boolean }
  | { readonly kind: 'field'; readonly field: QueryField; readonly value: string; readonly negate: boolean }
  | { readonly kind: 'level'; readonly levels: readonly LogLevel[]; readonly negate: boolean }
  | { readonly kind: 'time'; readonly bound: 'from' | 'to'; readonly at: TimeValue };

/** An absolute instant, or a duration back from the moment the query runs. */
export type TimeValue = { readonly absolute: number } | { readonly agoMs: number };

export interface QueryError { readonly message: string; readonly start: number; readonly end: number }

export interface ParsedQuery {
  readonly clauses: readonly Clause[];
  readonly errors: readonly QueryError[];
}

const FIELD_ALIASES: Readonly<Record<string, QueryField | 'level' | 'from' | 'to' | 'since'>> = {
  runner: 'runner', worker: 'worker', invocation: 'invocation', inv: 'invocation', task: 'task',
  connection: 'connection', conn: 'connection', system: 'system', level: 'level',
  since: 'since', from: 'from', after: 'from', to: 'to', until: 'to', before: 'to',
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const MAX_QUERY_LENGTH = 2_000;

export function parseQuery(input: string): ParsedQuery {
  const clauses: Clause[] = [];
  const errors: QueryError[] = [];
  const text = input.length > MAX_QUERY_LENGTH ? input.slice(0, MAX_QUERY_LENGTH) : input;
  if (input.length > MAX_QUERY_LENGTH) errors.push({ message: `query cut to ${MAX_QUERY_LENGTH} characters`, start: MAX_QUERY_LENGTH, end: input.length });
  let i = 0;
  const n = text.length;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

  /** Reads a quoted string starting at the opening quote; returns the value and the index after it. */
  const readQuoted = (at: number): { value: string; next: number; closed: boolean } => {
    let value = '';
    let j = at + 1;
    while (j < n && text[j] !== '"') {
      if (text[j] === '\\' && j + 1 < n) j++;
      value += text[j];
      j++;
    }
    return { value, next: Math.min(j + 1, n), closed: j < n };
  };

  while (i < n) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    const start = i;
    let negate = false;
    if (text[i] === '-' && i + 1 < n && !isSpace(text[i + 1])) { negate = true; i++; }

    if (text[i] === '"') {
      const q = readQuoted(i);
      if (!q.closed) errors.push({ message: 'missing closing quote', start, end: n });
      if (q.value) clauses.push({ kind: 'text', value: q.value, negate });
      i = q.next;
      continue;
    }

    if (text[i] === '/') {
      let j = i + 1;
      let inClass = false;
      while (j < n && (text[j] !== '/' || inClass)) {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        j++;
      }
      if (j >= n) {
        errors.push({ message: 'missing closing / of the regular expression', start, end: n });
        i = n;
        continue;
      }
      const source = text.slice(i + 1, j);
      let k = j + 1;
      while (k < n && !isSpace(text[k])) k++;
      const flags = text.slice(j + 1, k);
      i = k;
      if (!/^[isu]*$/.test(flags) || new Set(flags).size !== flags.length) {
        errors.push({ message: `unsupported regular expression flags "${flags}" (use i, s, u)`, start, end: k });
        continue;
      }
      try {
        new RegExp(source, flags);
      } catch (error) {
        errors.push({ message: `invalid regular expression: ${(error as Error).message}`, start, end: k });
        continue;
      }
      if (source) clauses.push({ kind: 'regex', source, flags, negate });
      continue;
    }

    // A word, possibly `field:value` or `field:"quoted value"`.
    let j = i;
    while (j < n && !isSpace(text[j]) && text[j] !== ':') j++;
    const name = text.slice(i, j).toLowerCase();
    const alias = text[j] === ':' ? FIELD_ALIASES[name] : undefined;
    if (alias !== undefined) {
      let value: string;
      let next: number;
      if (text[j + 1] === '"') {
        const q = readQuoted(j + 1);
        if (!q.closed) errors.push({ message: 'missing closing quote', start, end: n });
        value = q.value;
        next = q.next;
      } else {
        next = j + 1;
        while (next < n && !isSpace(text[next])) next++;
        value = text.slice(j + 1, next);
      }
      i = next;
      const clause = fieldClause(alias, value, negate);
      if (typeof clause === 'string') errors.push({ message: clause, start, end: next });
      else clauses.push(clause);
      continue;
    }
    while (j < n && !isSpace(text[j])) j++;
    clauses.push({ kind: 'text', value: text.slice(i, j), negate });
    i = j;
  }
  return { clauses, errors };
}

function fieldClause(alias: QueryField | 'level' | 'from' | 'to' | 'since', value: string, negate: boolean): Clause | string {
  if (value === '') return `${alias}: needs a value`;
  if (alias === 'level') {
    const levels = parseLevels(value);
    return typeof levels === 'string' ? levels : { kind: 'level', levels, negate };
  }
  if (alias === 'since' || alias === 'from' || alias === 'to') {
    if (negate) return `-${alias}: cannot be negated; use ${alias === 'to' ? 'from:' : 'to:'} instead`;
    const at = parseTime(value, alias === 'since');
    if (typeof at === 'string') return `${alias}: ${at}`;
    return { kind: 'time', bound: alias === 'to' ? 'to' : 'from', at };
  }
  return { kind: 'field', field: alias, value, negate };
}

function parseLevels(value: string): LogLevel[] | string {
  const lower = value.toLowerCase();
  const atLeast = /^>=?(\w+)$/.exec(lower) ?? /^(\w+)\+$/.exec(lower);
  if (atLeast) {
    const idx = QUERY_LEVELS.indexOf(normalizeLevel(atLeast[1]!) as LogLevel);
    if (idx < 0) return `unknown level "${atLeast[1]}" (${QUERY_LEVELS.join(', ')})`;
    return QUERY_LEVELS.slice(idx);
  }
  const out: LogLevel[] = [];
  for (const part of lower.split(',')) {
    if (!part) continue;
    const level = normalizeLevel(part);
    if (!QUERY_LEVELS.includes(level as LogLevel)) return `unknown level "${part}" (${QUERY_LEVELS.join(', ')})`;
    if (!out.includes(level as LogLevel)) out.push(level as LogLevel);
  }
  return out.length ? out : 'level: needs a value';
}

function normalizeLevel(s: string): string {
  if (s === 'warning') return 'warn';
  if (s === 'err' || s === 'fatal' || s === 'critical') return 'error';
  return s;
}

function parseTime(value: string, durationOnly: boolean): TimeValue | string {
  const d = DURATION.exec(value);
  if (d) return { agoMs: Number(d[1]) * UNIT_MS[d[2]!]! };
  if (durationOnly) return `"${value}" is not a duration like 30s, 15m, 2h or 1d`;
  if (/^\d{12,}$/.test(value)) return { absolute: Number(value) };
  const t = Date.parse(value);
  if (Number.isNaN(t)) return `"${value}" is not a duration, an ISO date or epoch milliseconds`;
  return { absolute: t };
}

/** Turns the clauses back into query text (used to merge form filters into the query box). */
export function formatClause(c: Clause): string {
  const neg = 'negate' in c && c.negate ? '-' : '';
  const quote = (s: string): string => (/[\s"]/.test(s) || s === '' ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : s);
  switch (c.kind) {
    case 'text': return neg + (c.value.startsWith('-') || c.value.startsWith('/') || c.value.includes(':') ? `"${c.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : quote(c.value));
    case 'regex': return `${neg}/${c.source}/${c.flags}`;
    case 'field': return `${neg}${c.field}:${quote(c.value)}`;
    case 'level': return `${neg}level:${c.levels.join(',')}`;
    case 'time': return `${c.bound}:${'agoMs' in c.at ? `${Math.round(c.at.agoMs / 1000)}s` : new Date(c.at.absolute).toISOString()}`;
  }
}
