// The host's side of a scanned Nexus frame (nexus-frame-scan.ts): the event built from the frame's bytes and its scan
// record, classified exactly as a parsed one would be (repeat, validation, de-dup), without JSON.parse and without
// decoding the frame. Kept string values (ids, names, statuses) come from a ByteStrings table, so a value seen before
// is not made again; the event's id is never made at all when it is a plain string (the record carries its de-dup
// fingerprint), nor its time when the scan read it (the record carries its ms, which the mapper reads as it reads the
// text). The frame's text is decoded only where a reject quotes it, or when the record is not usable (then the
// frame takes the full path, parseNexusFrame). Escaped strings and nested values are read by JSON.parse from their
// bytes alone.
import type { DedupSet } from '../../core/util/dedup-set';
import { ByteStrings } from '../byte-strings';
import { classifyNexusObject, DUPLICATE, invalidEvent, MAX_EVENT_CHARS, NEXUS_EVENT_TYPES, parseNexusFrame, SNAPSHOT_EVENT_ID, type NexusEvent, type NexusParse } from './nexus-events';
import { fieldSlot, NEXUS_FIELDS, RECORD_EVENT_TYPE, RECORD_ID_FINGERPRINT, RECORD_TIME_READ, RECORD_USABLE, recordTimeMs, ValueKind, type NexusField } from './nexus-frame-scan';
import { nexusEventProblem } from './nexus-validate';

/** Where each field is in a record. */
function slotOf(field: NexusField): number { return fieldSlot(NEXUS_FIELDS.indexOf(field)); }
const EVENT_ID = slotOf('event_id');
const TS = slotOf('ts');
const EVENT_TYPE = slotOf('event_type');
const PROJECT_ID = slotOf('project_id');
const PARENT_TASK_ID = slotOf('parent_task_id');
const TASK_ID = slotOf('task_id');
const TASK_TYPE = slotOf('task_type');
const PHASE = slotOf('phase');
const WORKER_ID = slotOf('worker_id');
const RETRY_COUNT = slotOf('retry_count');
const STATUS = slotOf('status');
const DURATION_MS = slotOf('duration_ms');
const COUNTS = slotOf('counts');
const QUEUE = slotOf('queue');
const MESSAGE = slotOf('message');
const ERROR = slotOf('error');
const META = slotOf('meta');

/** The validator's bounds on an event_id (nexus-validate.ts): ids outside them take the general path, which rejects. */
const MAX_EVENT_ID_CHARS = 200;
/** Integers of up to this many digits are read from their bytes; longer numbers by Number(). */
const MAX_INTEGER_DIGITS = 15;

/** A value that could not be read from its bytes (a nested value JSON.parse refuses): the frame takes the full path. */
const UNREADABLE = Symbol('unreadable');

/** Reads scanned frames; one per mapper (it holds the table of strings its frames share, and a frame in progress). */
export class ScannedFrameReader {
  private readonly strings = new ByteStrings();
  // The frame being read (set by `parse`; only valid during the call).
  private bytes: Buffer = Buffer.alloc(0);
  private start = 0;
  private record: Int32Array = new Int32Array(0);
  private at = 0;
  private failed = false;

  /**
   * One frame, `bytes[start, end)`, with its scan record at `record[at]` → the same result as `parseNexusFrame` of its
   * text (which it falls back to when the record is not usable), de-duplicated with `dedup`.
   */
  parse(bytes: Buffer, start: number, end: number, record: Int32Array, at: number, dedup: DedupSet, maxEventChars = MAX_EVENT_CHARS): NexusParse {
    if (record[at + RECORD_USABLE] !== 1 || end - start > maxEventChars) return parseNexusFrame(bytes.toString('utf8', start, end), dedup, maxEventChars, false);
    this.bytes = bytes;
    this.start = start;
    this.record = record;
    this.at = at;
    this.failed = false;
    const idFrom = record[at + EVENT_ID + 1] as number;
    const idLength = (record[at + EVENT_ID + 2] as number) - idFrom - 2;
    const plainId = record[at + EVENT_ID] === ValueKind.String && idLength >= 1 && idLength <= MAX_EVENT_ID_CHARS && !this.isSnapshotId(idFrom + 1, idLength);
    if (!plainId) {
      // No id, or one to decode and judge (escaped, out of bounds, the snapshot's): classified as a parsed frame is.
      const event = this.event(this.shared(EVENT_ID));
      return event === undefined ? this.fullPath(end, dedup, maxEventChars) : classifyNexusObject(event, bytes.toString('utf8', start, end), dedup);
    }
    // The cheap path for a repeat: its fingerprint, before anything is built.
    const h1 = record[at + RECORD_ID_FINGERPRINT] as number;
    const h2 = record[at + RECORD_ID_FINGERPRINT + 1] as number;
    if (dedup.repeatFingerprint(h1, h2)) return DUPLICATE;
    // The id is checked above and de-duplicated by its fingerprint: the event does not carry it.
    const event = this.event(undefined);
    if (event === undefined) return this.fullPath(end, dedup, maxEventChars);
    const problem = nexusEventProblem(event);
    if (problem !== undefined) return invalidEvent(problem, bytes.toString('utf8', start, end));
    dedup.rememberFingerprint(h1, h2);
    return { kind: 'event', event: event as unknown as NexusEvent };
  }

  private fullPath(end: number, dedup: DedupSet, maxEventChars: number): NexusParse {
    return parseNexusFrame(this.bytes.toString('utf8', this.start, end), dedup, maxEventChars, false);
  }

  private isSnapshotId(from: number, length: number): boolean {
    if (length !== SNAPSHOT_EVENT_ID.length) return false;
    for (let k = 0; k < length; k++) if (this.bytes[this.start + from + k] !== SNAPSHOT_EVENT_ID.charCodeAt(k)) return false;
    return true;
  }

  /** The event object JSON.parse would give for the fields the event has (other keys are read by nothing). */
  private event(eventId: unknown): Record<string, unknown> | undefined {
    const typeIndex = this.record[this.at + RECORD_EVENT_TYPE] as number;
    const event = {
      event_id: eventId,
      // Read into the record as ms by the scan when it could (so no string is made); the text otherwise.
      ts: this.record[this.at + RECORD_TIME_READ] === 1 ? recordTimeMs(this.record, this.at) : this.fresh(TS),
      event_type: typeIndex >= 0 ? NEXUS_EVENT_TYPES[typeIndex] : this.shared(EVENT_TYPE),
      project_id: this.shared(PROJECT_ID),
      parent_task_id: this.shared(PARENT_TASK_ID),
      task_id: this.shared(TASK_ID),
      task_type: this.shared(TASK_TYPE),
      phase: this.shared(PHASE),
      worker_id: this.shared(WORKER_ID),
      retry_count: this.shared(RETRY_COUNT),
      status: this.shared(STATUS),
      duration_ms: this.shared(DURATION_MS),
      counts: this.shared(COUNTS),
      queue: this.shared(QUEUE),
      message: this.fresh(MESSAGE),
      error: this.fresh(ERROR),
      meta: this.shared(META),
    };
    return this.failed ? undefined : event;
  }

  /** A value whose string, if it is one, recurs from frame to frame (ids, names): from the table. */
  private shared(slot: number): unknown { return this.value(slot, true); }

  /** A value whose string is new in nearly every frame (times, messages): decoded. */
  private fresh(slot: number): unknown { return this.value(slot, false); }

  private value(slot: number, shared: boolean): unknown {
    const i = this.at + slot;
    const record = this.record;
    const kind = record[i];
    if (kind === ValueKind.Absent) return undefined;
    if (kind === ValueKind.Null) return null;
    const from = this.start + (record[i + 1] as number);
    const to = this.start + (record[i + 2] as number);
    switch (kind) {
      case ValueKind.String: return shared ? this.strings.get(this.bytes, from + 1, to - 1) : this.bytes.toString('latin1', from + 1, to - 1);
      case ValueKind.Number: return this.number(from, to);
      case ValueKind.True: return true;
      case ValueKind.False: return false;
      default:
        // An escaped string, an object or an array: JSON.parse reads its bytes (and makes fresh strings).
        try {
          return JSON.parse(this.bytes.toString('latin1', from, to));
        } catch {
          this.failed = true;
          return UNREADABLE;
        }
    }
  }

  /** A JSON number (the scan checked its syntax): a short integer read from its digits, anything else by Number(). */
  private number(from: number, to: number): number {
    const bytes = this.bytes;
    const negative = bytes[from] === 0x2d;
    const first = negative ? from + 1 : from;
    if (to - first <= MAX_INTEGER_DIGITS) {
      let value = 0;
      let i = first;
      for (; i < to; i++) {
        const d = (bytes[i] as number) - 0x30;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
      }
      // -0 stays -0, as JSON.parse reads it.
      if (i === to) return negative ? -value : value;
    }
    return Number(bytes.toString('latin1', from, to));
  }
}
