// Redis glob patterns (SCAN MATCH, KEYS, PSUBSCRIBE) evaluated on the client, with the server's semantics
// (util.c stringmatchlen): `*` any run, `?` one character, `[abc]` / `[^abc]` / `[a-z]` classes (a reversed
// range is swapped, `\` escapes inside a class, an unclosed class ends at the end of the pattern), `\x` a
// literal x anywhere. Redis compares bytes and we compare UTF-16 code units: the same for ASCII, and for any
// literal text, which is all the patterns the sources build hold.

export type KeyMatcher = (key: string) => boolean;

type Token =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negate: boolean; readonly singles: readonly number[]; readonly ranges: readonly (readonly [number, number])[] };

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const BACKSLASH = 92; // \
const CARET = 94; // ^
const DASH = 45; // -

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern.charCodeAt(i);
    if (c === STAR) {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' }); // `**` is `*`
      i++;
    } else if (c === QUESTION) {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === OPEN) {
      i++;
      const negate = pattern.charCodeAt(i) === CARET;
      if (negate) i++;
      const singles: number[] = [];
      const ranges: [number, number][] = [];
      while (i < n) {
        const d = pattern.charCodeAt(i);
        if (d === BACKSLASH && n - i >= 2) {
          singles.push(pattern.charCodeAt(i + 1));
          i += 2;
        } else if (d === CLOSE) {
          i++;
          break;
        } else if (n - i >= 3 && pattern.charCodeAt(i + 1) === DASH) {
          // As Redis: the range end is taken as written, even `]` or `\`.
          const a = d;
          const b = pattern.charCodeAt(i + 2);
          ranges.push(a <= b ? [a, b] : [b, a]);
          i += 3;
        } else {
          singles.push(d);
          i++;
        }
      }
      tokens.push({ kind: 'class', negate, singles, ranges });
    } else if (c === BACKSLASH && n - i >= 2) {
      tokens.push({ kind: 'char', code: pattern.charCodeAt(i + 1) });
      i += 2;
    } else {
      tokens.push({ kind: 'char', code: c });
      i++;
    }
  }
  return tokens;
}

function matchesOne(token: Token, code: number): boolean {
  switch (token.kind) {
    case 'char': return token.code === code;
    case 'any': return true;
    case 'star': return false;
    case 'class': {
      let hit = token.singles.includes(code);
      if (!hit) for (const [a, b] of token.ranges) if (code >= a && code <= b) { hit = true; break; }
      return hit !== token.negate;
    }
  }
}

/** The literal text every key matching `pattern` starts with (escapes resolved). */
export function globLiteralPrefix(pattern: string): string {
  let out = '';
  for (const t of tokenize(pattern)) {
    if (t.kind !== 'char') break;
    out += String.fromCharCode(t.code);
  }
  return out;
}

/** Escapes glob characters so `text` matches only itself inside a pattern. */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * A matcher for one Redis glob. Literal patterns and `literal*` compile to `===` / `startsWith`; anything
 * else to a loop that backtracks only to the last `*` (every other token takes exactly one character).
 */
export function compileRedisGlob(pattern: string): KeyMatcher {
  const tokens = tokenize(pattern);
  const prefix = globLiteralPrefix(pattern);
  const rest = tokens.slice(prefix.length);
  if (rest.length === 0) return (key) => key === prefix;
  if (rest.length === 1 && rest[0]!.kind === 'star') return (key) => key.startsWith(prefix);
  const start = prefix.length;
  return (key) => {
    if (!key.startsWith(prefix)) return false;
    let t = 0;
    let k = start;
    let starT = -1;
    let starK = 0;
    while (k < key.length) {
      const token = rest[t];
      if (token?.kind === 'star') {
        starT = t++;
        starK = k;
      } else if (token && matchesOne(token, key.charCodeAt(k))) {
        t++;
        k++;
      } else if (starT >= 0) {
        t = starT + 1;
        k = ++starK;
      } else {
        return false;
      }
    }
    while (rest[t]?.kind === 'star') t++;
    return t === rest.length;
  };
}

/**
 * The one SCAN MATCH argument that returns every key any of `patterns` matches (a superset the client then
 * classifies), or undefined when a walk without MATCH is needed (a pattern starts with a wildcard). It is the
 * common literal prefix, continued position by position with a class of the characters the prefixes have
 * there: `rhai_task…:` and `hero:job:`/`hero:work_queue:` give `[hr][eh][ar][io][:_][jtw][ao][brs][:k]*`,
 * which the server tests like a prefix.
 */
export function scanMatchFor(patterns: readonly string[]): string | undefined {
  if (patterns.length === 0) return undefined;
  if (patterns.length === 1) return patterns[0];
  const prefixes = patterns.map(globLiteralPrefix);
  const shortest = Math.min(...prefixes.map((p) => p.length));
  if (shortest === 0) return undefined;
  let match = '';
  for (let i = 0; i < shortest; i++) {
    const chars = [...new Set(prefixes.map((p) => p[i]!))].sort();
    match += chars.length === 1 ? escapeRedisGlob(chars[0]!) : `[${chars.map((c) => (/[\]\\^-]/.test(c) ? `\\${c}` : c)).join('')}]`;
  }
  return `${match}*`;
}
