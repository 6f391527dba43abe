// Dot paths into parsed JSON (`data.task.id`, `items.0.name`), for per-profile field mappings.

/** The value at `path` in `value`, or undefined. An empty path returns the value itself. */
export function getPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  // The common one-segment path without the split (this runs for every mapped field of every message).
  if (path.indexOf('.') < 0) {
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      const index = Number(path);
      return Number.isInteger(index) ? (value as unknown[])[index] : undefined;
    }
    return Object.prototype.hasOwnProperty.call(value, path) ? (value as Record<string, unknown>)[path] : undefined;
  }
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      const index = Number(segment);
      if (!Number.isInteger(index)) return undefined;
      current = current[index];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/** A scalar at `path` as a string (numbers and booleans converted), or undefined. */
export function getString(value: unknown, path: string | undefined): string | undefined {
  return path === undefined ? undefined : scalarString(getPath(value, path));
}

/** A finite number at `path` (numeric strings accepted), or undefined. */
export function getNumber(value: unknown, path: string | undefined): number | undefined {
  return path === undefined ? undefined : finiteNumber(getPath(value, path));
}

/** A non-empty string, a finite number or a boolean, as a string. */
function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number, numeric strings accepted. */
function finiteNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** `getPath` for one path, split once: a profile's mapping reads the same paths from every message. */
export type PathReader = (value: unknown) => unknown;

/** A reader equivalent to `(v) => getPath(v, path)`, with the path split (and array indexes parsed) up front. */
export function compilePath(path: string): PathReader {
  if (path === '') return (value) => value;
  const segments = path.split('.');
  const indexes = segments.map((s) => { const n = Number(s); return Number.isInteger(n) ? n : -1; });
  if (segments.length === 1) {
    const key = segments[0] as string;
    const index = indexes[0] as number;
    return (value) => step(value, key, index);
  }
  return (value) => {
    let current = value;
    for (let i = 0; i < segments.length && current !== undefined; i++) current = step(current, segments[i] as string, indexes[i] as number);
    return current;
  };
}

/** One segment of a path: an own property of an object, or (`index` ≥ 0) an element of an array. */
function step(value: unknown, key: string, index: number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return index >= 0 ? (value as unknown[])[index] : undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** `getString` through a compiled reader. */
export function readString(value: unknown, reader: PathReader | undefined): string | undefined {
  return reader === undefined ? undefined : scalarString(reader(value));
}

/** `getNumber` through a compiled reader. */
export function readNumber(value: unknown, reader: PathReader | undefined): number | undefined {
  return reader === undefined ? undefined : finiteNumber(reader(value));
}
