// Minimal globbing for log paths: `*` and `?` within a segment, `**` across segments. The walk starts at the
// longest wildcard-free prefix and is bounded (depth and entries), so a careless pattern cannot scan a disk.
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

const MAX_ENTRIES = 5_000;
const MAX_DEPTH = 8;

export function hasGlob(pattern: string): boolean { return /[*?[]/.test(pattern); }

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
        if (pattern[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Absolute path of `pattern` against `baseDir` (`file://` URLs accepted). */
export function resolvePattern(pattern: string, baseDir: string): string {
  const raw = pattern.startsWith('file://') ? decodeURIComponent(new URL(pattern).pathname) : pattern;
  return isAbsolute(raw) ? raw : resolve(baseDir, raw);
}

/** Files matching an absolute pattern, sorted; `[]` when the starting directory does not exist. */
export async function expandGlob(absPattern: string): Promise<string[]> {
  if (!hasGlob(absPattern)) return [absPattern];
  const posix = absPattern.split(sep).join('/');
  const segments = posix.split('/');
  const firstWild = segments.findIndex((s) => hasGlob(s));
  const root = segments.slice(0, firstWild).join('/') || '/';
  const matcher = globToRegExp(posix);
  const out: string[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || seen > MAX_ENTRIES) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++seen > MAX_ENTRIES) return;
      const full = join(dir, e.name);
      const asPosix = full.split(sep).join('/');
      if (e.isFile() && matcher.test(asPosix)) out.push(full);
      else if (e.isDirectory()) await walk(full, depth + 1);
    }
  };
  await walk(root, 0);
  return out.sort();
}
