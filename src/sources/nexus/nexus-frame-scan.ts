// A Nexus MonitoringEvent read off its bytes without JSON.parse: one pass over a frame that records where each of the
// event's fields lies and what kind of JSON value it holds (a scan record, a few dozen integers). `JSON.parse` was
// the largest cost of a frame on the thread that applies it (~1.3 µs of ~4 µs), and the Redis source's reader thread
// runs this pass instead (~0.6 µs, no allocation), handing the record over beside the frame's bytes; the host then
// builds the event from the two (nexus-scanned-frame.ts).
//
// The scan only ever accelerates: it accepts a frame only where building the event from its record gives exactly
// what JSON.parse would have (every byte ASCII, the whole text one JSON object, keys without escapes, `event_type` a
// plain string, objects and arrays only under the event's own fields, whose slices JSON.parse reads). Anything else
// (a non-ASCII byte, a syntax error, an unexpected shape) marks the record unusable and the frame takes the full path,
// which also words every reject. test/unit/sources/nexus-frame-scan.test.ts compares both paths on valid, mutated and
// random frames.
import { fingerprintBytes } from '../../core/util/dedup-set';
import { EventClock } from './event-clock';
import { NEXUS_EVENT_TYPES } from './nexus-events';

/** The MonitoringEvent fields (nexus-validate.ts), in the order of a scan record. */
export const NEXUS_FIELDS = [
  'event_id', 'ts', 'event_type', 'project_id', 'parent_task_id', 'task_id', 'task_type', 'phase', 'worker_id',
  'retry_count', 'status', 'duration_ms', 'counts', 'queue', 'message', 'error', 'meta',
] as const;
export type NexusField = (typeof NEXUS_FIELDS)[number];

/** What a field's value is. `Absent`: the key does not occur (JSON.parse would leave it undefined). */
export const ValueKind = { Absent: 0, Null: 1, String: 2, EscapedString: 3, Number: 4, True: 5, False: 6, Object: 7, Array: 8 } as const;

/**
 * A record: [0] 1 when the frame was scanned and its record is usable, else 0; [1] the index of `event_type` in
 * NEXUS_EVENT_TYPES, or -1; [2, 3] the de-dup fingerprint of `event_id` (dedup-set.ts `fingerprintBytes`) when it is a
 * plain string; [4–6] its time, when read (RECORD_TIME_READ); then per field (NEXUS_FIELDS order) its kind and the
 * start and end of its value, as offsets from the frame's first byte (a string's range includes its quotes).
 */
export const RECORD_USABLE = 0;
export const RECORD_EVENT_TYPE = 1;
export const RECORD_ID_FINGERPRINT = 2;
/** [4] 1 when `ts` was read into [5, 6] (its ms since the epoch: high and low 32 bits), by `readEventTime`. */
export const RECORD_TIME_READ = 4;
export const RECORD_TIME_MS = 5;
const FIELDS_AT = 7;
export const SCAN_RECORD_INTS = FIELDS_AT + NEXUS_FIELDS.length * 3;
/** Where field `f`'s kind is in a record; its start and end follow. */
export function fieldSlot(f: number): number { return FIELDS_AT + f * 3; }
const EVENT_ID_SLOT = fieldSlot(NEXUS_FIELDS.indexOf('event_id'));
const EVENT_TYPE_SLOT = fieldSlot(NEXUS_FIELDS.indexOf('event_type'));
const TS_SLOT = fieldSlot(NEXUS_FIELDS.indexOf('ts'));
/** timestampMs reads a number below 1e11 as seconds: earlier times stay text. */
const MIN_TIME_AS_MS = 1e11;

/** The milliseconds a record's RECORD_TIME_MS holds. */
export function recordTimeMs(record: Int32Array, at: number): number {
  return (record[at + RECORD_TIME_MS] as number) * 2 ** 32 + ((record[at + RECORD_TIME_MS + 1] as number) >>> 0);
}

/** Frames longer than this are not scanned (the full path bounds them): offsets stay far from int32 limits. */
const MAX_SCANNED_BYTES = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const NOT_FOUND = -1;

/** Field names as bytes, and a first-byte-and-length table that finds the one a key may be (no two share both). */
const FIELD_BYTES = NEXUS_FIELDS.map((name) => Uint8Array.from(name, (c) => c.charCodeAt(0)));
const MAX_FIELD_NAME = 32;
const FIELD_BY_FIRST_BYTE_AND_LENGTH = buildFieldTable();
/** Event types as bytes, for `event_type` (compared only when the value is a plain string). */
const EVENT_TYPE_BYTES = NEXUS_EVENT_TYPES.map((name) => Uint8Array.from(name, (c) => c.charCodeAt(0)));

function buildFieldTable(): Int8Array {
  const table = new Int8Array(128 * MAX_FIELD_NAME).fill(NOT_FOUND);
  NEXUS_FIELDS.forEach((name, f) => {
    const slot = name.charCodeAt(0) * MAX_FIELD_NAME + name.length;
    if (table[slot] !== NOT_FOUND) throw new Error(`nexus-frame-scan: ${name} shares its first letter and length with another field`);
    table[slot] = f;
  });
  return table;
}

/** Bytes that end the plain run of a JSON string here: the quote, a backslash, control characters and non-ASCII. */
const STRING_STOP = Uint8Array.from({ length: 256 }, (_, c) => (c === QUOTE || c === BACKSLASH || c < 0x20 || c > 0x7e ? 1 : 0));

function isSpace(c: number): boolean { return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; }
function isDigit(c: number): boolean { return c >= DIGIT_0 && c <= DIGIT_9; }
function isHexDigit(c: number): boolean { return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66); }

/** Scans frames into records. One per thread that scans: it keeps a return slot and the last time read. */
export class NexusFrameScanner {
  /** Set by `stringEnd`: whether the string it just read holds an escape (a return slot, so nothing is allocated). */
  private escapedString = false;
  private readonly clock = new EventClock();

  /**
   * Scans `bytes[start, end)` (one frame) into `record[at, at + SCAN_RECORD_INTS)`. Returns whether the record is
   * usable; when it is not, the frame must be parsed in full. Allocates nothing.
   */
  scan(bytes: Buffer, start: number, end: number, record: Int32Array, at: number): boolean {
    for (let f = 0; f < NEXUS_FIELDS.length; f++) record[at + fieldSlot(f)] = ValueKind.Absent;
    record[at + RECORD_EVENT_TYPE] = NOT_FOUND;
    const usable = end - start <= MAX_SCANNED_BYTES && this.scanObject(bytes, start, end, record, at) && record[at + EVENT_TYPE_SLOT] === ValueKind.String;
    record[at + RECORD_USABLE] = usable ? 1 : 0;
    record[at + RECORD_TIME_READ] = 0;
    if (!usable) return false;
    record[at + RECORD_EVENT_TYPE] = eventTypeIndex(bytes, start, record, at);
    const id = at + EVENT_ID_SLOT;
    if (record[id] === ValueKind.String) fingerprintBytes(bytes, start + (record[id + 1] as number) + 1, start + (record[id + 2] as number) - 1, record, at + RECORD_ID_FINGERPRINT);
    return true;
  }

  /**
   * Reads the `ts` of a scanned frame into its record as milliseconds (RECORD_TIME_MS), so that the host makes no
   * string of it: only a plain string time EventClock reads, from 1973 on (earlier values would be taken for seconds
   * when read back as a number). A separate step, so a reader can skip it for the copies it drops.
   */
  readEventTime(bytes: Buffer, start: number, record: Int32Array, at: number): void {
    const slot = at + TS_SLOT;
    if (record[at + RECORD_USABLE] !== 1 || record[slot] !== ValueKind.String) return;
    const ms = this.clock.ms(bytes.toString('latin1', start + (record[slot + 1] as number) + 1, start + (record[slot + 2] as number) - 1));
    if (ms === undefined || !Number.isInteger(ms) || ms < MIN_TIME_AS_MS || ms > Number.MAX_SAFE_INTEGER) return;
    record[at + RECORD_TIME_READ] = 1;
    record[at + RECORD_TIME_MS] = Math.floor(ms / 2 ** 32);
    record[at + RECORD_TIME_MS + 1] = ms >>> 0;
  }

  private scanObject(bytes: Uint8Array, start: number, end: number, record: Int32Array, at: number): boolean {
    let i = skipSpaces(bytes, start, end);
    if (i >= end || bytes[i] !== OPEN_BRACE) return false;
    i = skipSpaces(bytes, i + 1, end);
    if (i < end && bytes[i] === CLOSE_BRACE) return skipSpaces(bytes, i + 1, end) === end;
    let expected = 0;
    for (;;) {
      // A key: a plain string (a key with an escape may spell a field's name: the full path decides). Nexus writes
      // the fields in their model's order, so the field after the last one is tried first.
      if (i >= end || bytes[i] !== QUOTE) return false;
      const keyStart = i + 1;
      let field = expected < NEXUS_FIELDS.length ? keyAt(bytes, keyStart, end, expected) : NOT_FOUND;
      let keyEnd: number;
      if (field !== NOT_FOUND) {
        keyEnd = keyStart + (FIELD_BYTES[field] as Uint8Array).length;
      } else {
        keyEnd = keyStart;
        while (keyEnd < end && STRING_STOP[bytes[keyEnd] as number] === 0) keyEnd++;
        if (keyEnd >= end || bytes[keyEnd] !== QUOTE) return false;
        field = fieldOf(bytes, keyStart, keyEnd);
      }
      expected = field + 1;
      i = skipSpaces(bytes, keyEnd + 1, end);
      if (i >= end || bytes[i] !== COLON) return false;
      i = skipSpaces(bytes, i + 1, end);
      if (i >= end) return false;
      const valueStart = i;
      const c = bytes[i] as number;
      let kind: number;
      let valueEnd: number;
      if (c === QUOTE) {
        valueEnd = this.stringEnd(bytes, i, end);
        kind = this.escapedString ? ValueKind.EscapedString : ValueKind.String;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        // Only a field of the event's own is read as a slice by JSON.parse (which checks it); anything else nested
        // would go unchecked here.
        if (field === NOT_FOUND) return false;
        valueEnd = this.nestedEnd(bytes, i, end);
        kind = c === OPEN_BRACE ? ValueKind.Object : ValueKind.Array;
      } else if (c === 0x6e /* n */) {
        valueEnd = literalEnd(bytes, i, end, 'null');
        kind = ValueKind.Null;
      } else if (c === 0x74 /* t */) {
        valueEnd = literalEnd(bytes, i, end, 'true');
        kind = ValueKind.True;
      } else if (c === 0x66 /* f */) {
        valueEnd = literalEnd(bytes, i, end, 'false');
        kind = ValueKind.False;
      } else {
        valueEnd = numberEnd(bytes, i, end);
        kind = ValueKind.Number;
      }
      if (valueEnd === NOT_FOUND) return false;
      if (field !== NOT_FOUND) {
        // A repeated key: JSON.parse keeps the last value, and so does this.
        const slot = at + fieldSlot(field);
        record[slot] = kind;
        record[slot + 1] = valueStart - start;
        record[slot + 2] = valueEnd - start;
      }
      i = skipSpaces(bytes, valueEnd, end);
      if (i >= end) return false;
      const next = bytes[i];
      if (next === COMMA) {
        i = skipSpaces(bytes, i + 1, end);
        continue;
      }
      return next === CLOSE_BRACE && skipSpaces(bytes, i + 1, end) === end;
    }
  }

  /** The offset after the closing quote of the JSON string opening at `at`, or NOT_FOUND (invalid, or not ASCII). */
  private stringEnd(bytes: Uint8Array, at: number, end: number): number {
    this.escapedString = false;
    let i = at + 1;
    for (;;) {
      while (i < end && STRING_STOP[bytes[i] as number] === 0) i++;
      if (i >= end) return NOT_FOUND;
      const c = bytes[i] as number;
      if (c === QUOTE) return i + 1;
      if (c !== BACKSLASH) return NOT_FOUND; // a control character, or not ASCII
      this.escapedString = true;
      const e = bytes[i + 1];
      if (e === 0x75 /* u */) {
        if (i + 5 >= end) return NOT_FOUND;
        for (let k = 2; k <= 5; k++) if (!isHexDigit(bytes[i + k] as number)) return NOT_FOUND;
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
      } else {
        return NOT_FOUND;
      }
    }
  }

  /**
   * The offset after the object or array opening at `at`: brackets counted outside strings, nothing checked beyond
   * ASCII (JSON.parse reads the slice). NOT_FOUND when it does not close, or holds a non-ASCII byte.
   */
  private nestedEnd(bytes: Uint8Array, at: number, end: number): number {
    let depth = 0;
    for (let i = at; i < end; i++) {
      const c = bytes[i] as number;
      if (c === QUOTE) {
        const after = this.stringEnd(bytes, i, end);
        if (after === NOT_FOUND) return NOT_FOUND;
        i = after - 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      } else if (c > 0x7e) {
        return NOT_FOUND;
      }
    }
    return NOT_FOUND;
  }
}

function skipSpaces(bytes: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && isSpace(bytes[i] as number)) i++;
  return i;
}

/** `field` when the key starting at `start` (after its quote) is its name, closed by a quote; else NOT_FOUND. */
function keyAt(bytes: Uint8Array, start: number, end: number, field: number): number {
  const name = FIELD_BYTES[field] as Uint8Array;
  const length = name.length;
  if (start + length >= end || bytes[start + length] !== QUOTE) return NOT_FOUND;
  for (let k = 0; k < length; k++) if (bytes[start + k] !== name[k]) return NOT_FOUND;
  return field;
}

/** The field a key names, or NOT_FOUND. */
function fieldOf(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length >= MAX_FIELD_NAME) return NOT_FOUND;
  const f = FIELD_BY_FIRST_BYTE_AND_LENGTH[(bytes[start] as number) * MAX_FIELD_NAME + length] as number;
  if (f === NOT_FOUND) return NOT_FOUND;
  const name = FIELD_BYTES[f] as Uint8Array;
  for (let k = 1; k < length; k++) if (bytes[start + k] !== name[k]) return NOT_FOUND;
  return f;
}

function literalEnd(bytes: Uint8Array, at: number, end: number, literal: string): number {
  if (at + literal.length > end) return NOT_FOUND;
  for (let k = 1; k < literal.length; k++) if (bytes[at + k] !== literal.charCodeAt(k)) return NOT_FOUND;
  return at + literal.length;
}

/** The offset after the JSON number at `at` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or NOT_FOUND. */
function numberEnd(bytes: Uint8Array, at: number, end: number): number {
  let i = at;
  if (bytes[i] === MINUS) i++;
  if (i >= end) return NOT_FOUND;
  if (bytes[i] === DIGIT_0) i++;
  else if (isDigit(bytes[i] as number)) while (i < end && isDigit(bytes[i] as number)) i++;
  else return NOT_FOUND;
  if (i < end && bytes[i] === DOT) {
    i++;
    if (i >= end || !isDigit(bytes[i] as number)) return NOT_FOUND;
    while (i < end && isDigit(bytes[i] as number)) i++;
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    if (i >= end || !isDigit(bytes[i] as number)) return NOT_FOUND;
    while (i < end && isDigit(bytes[i] as number)) i++;
  }
  return i;
}

/** The index of a plain `event_type` value in NEXUS_EVENT_TYPES, or NOT_FOUND (a type the mapper has no shape for). */
function eventTypeIndex(bytes: Uint8Array, start: number, record: Int32Array, at: number): number {
  const slot = at + EVENT_TYPE_SLOT;
  const from = start + (record[slot + 1] as number) + 1;
  const length = (record[slot + 2] as number) - (record[slot + 1] as number) - 2;
  for (let t = 0; t < EVENT_TYPE_BYTES.length; t++) {
    const name = EVENT_TYPE_BYTES[t] as Uint8Array;
    if (name.length !== length) continue;
    let k = 0;
    while (k < length && bytes[from + k] === name[k]) k++;
    if (k === length) return t;
  }
  return NOT_FOUND;
}

const EVENT_ID_KEY = Uint8Array.from('"event_id"', (c) => c.charCodeAt(0));

/**
 * The de-dup fingerprint of a frame's `event_id` when the frame starts with it (`{"event_id": "…"`, as Nexus writes
 * it) and it is plain ASCII, into `out[at]` and `out[at + 1]`; false otherwise. Nothing is allocated and nothing after
 * the id is read: a reader recognizes a copy by it before scanning the frame.
 */
export function leadingIdFingerprint(bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number): boolean {
  let i = skipSpaces(bytes, start, end);
  if (i >= end || bytes[i] !== OPEN_BRACE) return false;
  i = skipSpaces(bytes, i + 1, end);
  if (i + EVENT_ID_KEY.length > end) return false;
  for (let k = 0; k < EVENT_ID_KEY.length; k++) if (bytes[i + k] !== EVENT_ID_KEY[k]) return false;
  i = skipSpaces(bytes, i + EVENT_ID_KEY.length, end);
  if (i >= end || bytes[i] !== COLON) return false;
  i = skipSpaces(bytes, i + 1, end);
  if (i >= end || bytes[i] !== QUOTE) return false;
  const idStart = i + 1;
  let idEnd = idStart;
  while (idEnd < end && STRING_STOP[bytes[idEnd] as number] === 0) idEnd++;
  if (idEnd >= end || bytes[idEnd] !== QUOTE || idEnd === idStart) return false;
  fingerprintBytes(bytes, idStart, idEnd, out, at);
  return true;
}
