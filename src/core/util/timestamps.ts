// Timestamps as the systems send them, to epoch milliseconds: ISO 8601 / RFC 3339 strings (nanosecond
// fractions and offsets included), serde's SystemTime object {secs_since_epoch, nanos_since_epoch}, and numbers
// (epoch ms, epoch seconds, or — below year 2001 — a device uptime, which says nothing about wall time).

const EPOCH_MS_MIN = 978_307_200_000; // 2001-01-01 in ms
const EPOCH_S_MIN = 978_307_200; // 2001-01-01 in s

/** Epoch ms for `value`, or `fallback` when it has no usable wall-clock meaning. */
export function toEpochMs(value: unknown, fallback: number): number {
  if (typeof value === 'string') return parseIsoTimestamp(value) ?? fallback;
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (value >= EPOCH_MS_MIN && value < 1e14) return Math.round(value);
    if (value >= EPOCH_S_MIN && value < 1e11) return Math.round(value * 1000);
    return fallback; // uptime since boot (embedded proplet) or nonsense
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const secs = o['secs_since_epoch'];
    const nanos = o['nanos_since_epoch'];
    if (typeof secs === 'number' && Number.isFinite(secs) && secs >= 0) {
      return Math.round(secs * 1000 + (typeof nanos === 'number' && Number.isFinite(nanos) ? nanos / 1e6 : 0));
    }
  }
  return fallback;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses ISO 8601 with any number of fraction digits (Go's RFC3339Nano, Python's microseconds). A string
 * without a zone is read as local time, like `Date`. Returns undefined for anything else.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t: number;
  if (zone === undefined) {
    t = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
  } else {
    t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    }
  }
  return Number.isFinite(t) ? t : undefined;
}
