// Event times of Nexus frames: ISO text (Nexus sends UTC with an offset; without one UTC is assumed) or epoch
// seconds/ms → ms. Every frame has a distinct `ts`, mostly in the same second as the one before, so `EventClock`
// remembers the last one and reads only the fraction of the next when the rest is the same (the full parse cost a
// tenth of a frame's budget). Used by the mapper, and by the scan (nexus-frame-scan.ts), which hands a frame's time
// over as its milliseconds so the host makes no string of it.

/** ISO text or epoch seconds/ms → ms. */
export function timestampMs(ts: string | number | null | undefined): number | undefined {
  if (typeof ts === 'number') return Number.isFinite(ts) && ts > 0 ? (ts < 1e11 ? Math.round(ts * 1000) : Math.round(ts)) : undefined;
  if (!ts) return undefined;
  const fast = isoUtcMs(ts);
  if (fast !== undefined) return fast;
  const ms = Date.parse(/([zZ]|[+-]\d{2}:?\d{2})$/.test(ts) ? ts : `${ts}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The common shapes, without a regex or Date.parse (every frame has a distinct `ts`):
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)` → ms; anything else → undefined, and the general path decides.
 */
function isoUtcMs(ts: string): number | undefined {
  const n = ts.length;
  if (n < 20 || ts.charCodeAt(4) !== 45 || ts.charCodeAt(7) !== 45 || ts.charCodeAt(10) !== 84 || ts.charCodeAt(13) !== 58 || ts.charCodeAt(16) !== 58) return undefined;
  let end: number;
  if (ts.charCodeAt(n - 1) === 90) end = n - 1; // Z
  else if (ts.endsWith('+00:00')) end = n - 6;
  else return undefined;
  const year = digits(ts, 0, 4);
  const month = digits(ts, 5, 2);
  const day = digits(ts, 8, 2);
  const hour = digits(ts, 11, 2);
  const minute = digits(ts, 14, 2);
  const second = digits(ts, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let ms = 0;
  if (end > 19) {
    // A fraction of 1–9 digits (Python writes microseconds): milliseconds are its first three.
    if (ts.charCodeAt(19) !== 46 || end - 20 < 1 || end - 20 > 9 || digits(ts, 20, end - 20) < 0) return undefined;
    for (let i = 20; i < 23; i++) ms = ms * 10 + (i < end ? ts.charCodeAt(i) - 48 : 0);
  } else if (end !== 19) return undefined;
  // Date.UTC would roll 31 February over into March: such a date is not one.
  if (day > 28 && day > daysInMonth(year, month)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * The milliseconds of `ts` when it is `previous` (an ISO UTC time isoUtcMs accepted) with only the digits after
 * the seconds' "." changed, else -1.
 */
function sameSecondFraction(ts: string, previous: string): number {
  const n = ts.length;
  if (n !== previous.length || n < 21 || ts.charCodeAt(19) !== 46) return -1;
  for (let i = 0; i < 20; i++) if (ts.charCodeAt(i) !== previous.charCodeAt(i)) return -1;
  let i = 20;
  let ms = 0;
  let digitsRead = 0;
  for (; i < n; i++) {
    const d = ts.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    if (digitsRead < 3) ms = ms * 10 + d;
    digitsRead++;
  }
  if (digitsRead === 0 || digitsRead > 9) return -1;
  // The same layout: `previous` has its fraction digits in the same places, and the same text after them.
  for (let j = 20; j < i; j++) {
    const d = previous.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return -1;
  }
  for (let j = i; j < n; j++) if (ts.charCodeAt(j) !== previous.charCodeAt(j)) return -1;
  for (; digitsRead < 3; digitsRead++) ms *= 10;
  return ms;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal number in `text[start, start + count)`, or -1 when a character is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Reads event times, remembering the last one (per reader: no shared state). */
export class EventClock {
  private lastTs: string | number | null | undefined;
  private lastMs: number | undefined;
  /** For ISO times that differ from the last only in the fraction: the last one's value without its milliseconds. */
  private lastWholeSecondMs: number | undefined;

  /** `ts` in ms since the epoch, or undefined when it is none of the forms read. */
  ms(ts: string | number | null | undefined): number | undefined {
    if (ts === this.lastTs) return this.lastMs;
    const previous = this.lastTs;
    this.lastTs = ts;
    if (typeof ts === 'string' && typeof previous === 'string' && this.lastWholeSecondMs !== undefined) {
      const fraction = sameSecondFraction(ts, previous);
      if (fraction >= 0) return (this.lastMs = this.lastWholeSecondMs + fraction);
    }
    // The common ISO form is parsed once here; its whole second is what the next frames' fractions add to.
    const fast = typeof ts === 'string' ? isoUtcMs(ts) : undefined;
    this.lastMs = fast ?? timestampMs(ts);
    this.lastWholeSecondMs = fast !== undefined ? fast - (fast % 1000) : undefined;
    return this.lastMs;
  }
}
