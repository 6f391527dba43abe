// The scan of Nexus frames (nexus-frame-scan.ts) and the events built from it (nexus-scanned-frame.ts) must give
// exactly what the full path gives (JSON.parse, validation, de-dup, then the mapper): the same kind of result, the
// same reject and wording, and the same model events, for valid, odd, malformed and random frames, with repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MonitorEvent } from '../../../src/core/model/events';
import { DedupSet } from '../../../src/core/util/dedup-set';
import { EventClock } from '../../../src/sources/nexus/event-clock';
import { NEXUS_EVENT_TYPES, type NexusEvent, type NexusParse } from '../../../src/sources/nexus/nexus-events';
import {
  fieldSlot, leadingIdFingerprint, NEXUS_FIELDS, NexusFrameScanner, RECORD_EVENT_TYPE, RECORD_ID_FINGERPRINT, RECORD_TIME_READ, RECORD_USABLE,
  recordTimeMs, SCAN_RECORD_INTS, ValueKind,
} from '../../../src/sources/nexus/nexus-frame-scan';
import { NexusEventMapper } from '../../../src/sources/nexus/nexus-mapper';

const mapper = () => new NexusEventMapper({ connectionId: 'c', system: 'nexus', now: () => 7, dedupCapacity: 1_000 });

interface Outcome { readonly kind: string; readonly reject?: string; readonly problem?: string; readonly events?: MonitorEvent[] }

function outcome(m: NexusEventMapper, parsed: NexusParse, text: string | undefined): Outcome {
  if (parsed.kind === 'event') return { kind: 'event', events: m.map(parsed.event as NexusEvent, text) };
  if (parsed.kind === 'invalid') return { kind: 'invalid', reject: parsed.reject, problem: parsed.problem };
  return { kind: parsed.kind };
}

/** Both paths, side by side, each with its own mapper (and so its own de-dup), fed the same frames. */
class BothPaths {
  readonly full = mapper();
  readonly scanned = mapper();
  private readonly scanner = new NexusFrameScanner();
  private readonly record = new Int32Array(SCAN_RECORD_INTS * 2);

  /** Asserts both give the same for `text` as UTF-8 bytes; returns the outcome and whether the scan's record was usable. */
  check(text: string): { outcome: Outcome; usable: boolean } {
    // Written at an offset, in a buffer with bytes around the frame, as records and frames sit in a batch.
    const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(text, 'utf8'), Buffer.from('}}')]);
    const start = 2;
    const end = bytes.length - 2;
    // The full path reads the frame as the source decodes it (a lone surrogate in `text` became U+FFFD in UTF-8).
    const decoded = bytes.toString('utf8', start, end);
    const expected = outcome(this.full, this.full.parse(decoded, false), decoded);
    const at = SCAN_RECORD_INTS;
    const usable = this.scanner.scan(bytes, start, end, this.record, at);
    if (usable) this.scanner.readEventTime(bytes, start, this.record, at);
    const parsed = this.scanned.parseScanned(bytes, start, end, this.record, at);
    // As the Redis source does: the text goes with an event only for a type the mapper has no shape for.
    const known = parsed.kind === 'event' && this.record[at + RECORD_EVENT_TYPE]! >= 0 && usable;
    const actual = outcome(this.scanned, parsed, known ? undefined : bytes.toString('utf8', start, end));
    assert.deepEqual(actual, expected, `frame: ${decoded}`);
    return { outcome: actual, usable };
  }

  checkDedupAgrees(): void {
    assert.equal(this.scanned.dedup.duplicates, this.full.dedup.duplicates, 'repeats counted');
    assert.equal(this.scanned.dedup.size, this.full.dedup.size, 'ids remembered');
  }
}

const BASE = {
  event_id: 'e-1', ts: '2025-08-09T16:05:00.123456+00:00', event_type: 'task_started', project_id: 'p1', parent_task_id: 'research-1',
  task_id: 't-1', task_type: 'search', phase: null, worker_id: 3, retry_count: 0, status: null, duration_ms: null, counts: null, queue: null,
  message: null, error: null, meta: null,
};
let serial = 0;
const frame = (fields: Record<string, unknown>) => JSON.stringify({ ...BASE, event_id: `e-${++serial}`, ...fields });

test('a Nexus frame as json.dumps writes it is scanned: every field, its kind and place, the type, the id fingerprint, the time', () => {
  const text = '{"event_id": "6f1c-2d3e", "ts": "2025-08-09T16:05:00.123456+00:00", "event_type": "task_completed", "project_id": null, "parent_task_id": "r-1", "task_id": "t-9", "task_type": "search", "phase": null, "worker_id": 12, "retry_count": 0, "status": "completed", "duration_ms": 1250.5, "counts": {"completed": 1}, "queue": null, "message": "done \\"ok\\"", "error": null, "meta": {"queue": "nexus:tasks:high_priority"}}';
  const bytes = Buffer.from(text);
  const record = new Int32Array(SCAN_RECORD_INTS);
  const scanner = new NexusFrameScanner();
  assert.equal(scanner.scan(bytes, 0, bytes.length, record, 0), true);
  scanner.readEventTime(bytes, 0, record, 0);
  assert.equal(record[RECORD_USABLE], 1);
  assert.equal(NEXUS_EVENT_TYPES[record[RECORD_EVENT_TYPE]!], 'task_completed');
  const value = (field: string) => {
    const slot = fieldSlot(NEXUS_FIELDS.indexOf(field as never));
    return { kind: record[slot], text: text.slice(record[slot + 1], record[slot + 2]) };
  };
  assert.deepEqual(value('task_id'), { kind: ValueKind.String, text: '"t-9"' });
  assert.deepEqual(value('project_id'), { kind: ValueKind.Null, text: 'null' });
  assert.deepEqual(value('worker_id'), { kind: ValueKind.Number, text: '12' });
  assert.deepEqual(value('duration_ms'), { kind: ValueKind.Number, text: '1250.5' });
  assert.deepEqual(value('counts'), { kind: ValueKind.Object, text: '{"completed": 1}' });
  assert.deepEqual(value('message'), { kind: ValueKind.EscapedString, text: '"done \\"ok\\""' });
  const dedup = new DedupSet(10);
  dedup.firstSeen('6f1c-2d3e');
  assert.equal(dedup.hasFingerprint(record[RECORD_ID_FINGERPRINT]!, record[RECORD_ID_FINGERPRINT + 1]!), true, 'the id hashed from bytes is the id hashed as a string');
  assert.equal(record[RECORD_TIME_READ], 1);
  assert.equal(recordTimeMs(record, 0), new EventClock().ms('2025-08-09T16:05:00.123456+00:00'));
});

test('what the scan leaves to the full path: non-ASCII, escaped keys, nested values under other keys, a non-string type, broken JSON', () => {
  const scanner = new NexusFrameScanner();
  const record = new Int32Array(SCAN_RECORD_INTS);
  const usable = (text: string) => {
    const bytes = Buffer.from(text);
    return scanner.scan(bytes, 0, bytes.length, record, 0);
  };
  assert.equal(usable(frame({})), true);
  assert.equal(usable(frame({ message: 'café' })), false, 'a byte ≥ 0x80 moves offsets: not scanned');
  assert.equal(usable(frame({}).replace('"task_id"', '"task\\u005fid"')), false, 'an escaped key may name a field');
  assert.equal(usable(frame({ extra: { a: 1 } })), false, 'nested values are read only under the event\'s own fields');
  assert.equal(usable(frame({ extra: [1, 2], event_type: 'x' })), false);
  assert.equal(usable(frame({ extra: 'fine', other: 12e3, flag: true })), true, 'unknown keys with plain values are checked and skipped');
  assert.equal(usable(frame({ event_type: 7 })), false, 'a type that is not a string is judged by the full path');
  assert.equal(usable('{"type":"ping"}'), false);
  assert.equal(usable('{}'), false);
  for (const broken of ['{"event_type":"x",}', '{"event_type":"x"', '{"event_type":"x"} x', '{"event_type":"x","n":01}', '{"event_type":"x","n":1.}', '{"event_type":"x","s":"a\tb"}', '{"event_type":"x","s":"\\q"}', 'null', '[]']) {
    assert.equal(usable(broken), false, broken);
  }
  // A repeated key: the last value counts, as in JSON.parse.
  const text = '{"event_type":"worker_started","task_id":"a","task_id":"b"}';
  assert.equal(usable(text), true);
  const slot = fieldSlot(NEXUS_FIELDS.indexOf('task_id'));
  assert.equal(text.slice(record[slot + 1], record[slot + 2]), '"b"');
});

test('both paths agree on hand-picked frames: odd values, rejects, repeats, the snapshot id, keepalives', () => {
  const both = new BothPaths();
  const repeated = frame({ event_type: 'task_enqueued', meta: { queue: 'nexus:tasks:high_priority', priority: 2 } });
  const frames = [
    frame({}), frame({ event_type: 'task_completed', status: 'completed', duration_ms: 120 }), repeated, repeated,
    frame({ event_type: 'worker_heartbeat', worker_id: 'w-7', message: 'alive' }), frame({ event_type: 'worker_stopped', worker_id: 0 }),
    frame({ event_type: 'phase_started', phase: 'search' }), frame({ event_type: 'phase_completed', phase: 'search' }),
    frame({ event_type: 'stats_snapshot', counts: { completed: 3, failed: 1, pending: 0 }, queue: { high_priority: 2, total: 2 }, meta: { workers_online: 4 } }),
    frame({ event_type: 'custom_kind', message: 'unknown types keep their frame as a preview' }),
    frame({ event_type: 'task_failed', error: 'Traceback:\n  line 1\n\tKeyError: "x" \\ \u0001' }),
    frame({ ts: 1_754_755_500 }), frame({ ts: 1_754_755_500_123 }), frame({ ts: '1970-01-01T00:00:05Z' }), frame({ ts: '2025-08-09 16:05:00' }),
    frame({ ts: '2025-02-31T00:00:00Z' }), frame({ ts: null }), frame({ ts: 'yesterday' }), frame({ ts: -0 }),
    frame({ worker_id: 0.5 }), frame({ worker_id: '' }), frame({ retry_count: 1e400 }), frame({ duration_ms: -0 }), frame({ duration_ms: 2.5e-3 }),
    frame({ retry_count: 123456789012345678 }), frame({ counts: { completed: 'x' } }), frame({ counts: [1] }), frame({ meta: 'x' }), frame({ meta: [] }),
    frame({ task_id: 7 }), frame({ task_id: '' }), frame({ status: 'x'.repeat(100) }), frame({ task_id: 'long-task-id-0123456789-abcdef' }),
    frame({ event_id: '' }), frame({ event_id: 'x'.repeat(201) }), frame({ event_id: 'snapshot' }), frame({ event_id: 'snapshot' }), frame({ event_id: null }),
    frame({ event_id: 'with "quotes"' }), frame({ event_id: 5 }), frame({ message: 'ünïcödé' }), frame({ event_type: '' }), frame({ event_type: 'x'.repeat(201) }),
    '{"type":"ping"}', '{"type":"pong"}', '{"type":"hello"}', 'not json', '', '[1]', '"text"', '{"event_type":"task_started","event_id":"dup-key","event_id":"dup-key-2"}',
    JSON.stringify({ event_type: 'task_started', task_id: 'no-id' }), `  ${frame({})}\n`, JSON.stringify({ ...BASE, event_id: 'pretty' }, null, 2),
  ];
  for (const text of frames) both.check(text);
  // Everything once more: every valid id is now a repeat, everything invalid is rejected again.
  for (const text of frames) both.check(text);
  both.checkDedupAgrees();
  assert.ok(both.scanned.dedup.duplicates > 10);
});

/** Values of every kind each field could carry, valid for it or not. */
const anyValue = fc.oneof(
  fc.constant(null), fc.string({ maxLength: 12 }), fc.constantFrom('a"b', 'a\\b', 'line\nnext', 'tab\t', 'ctl\u0001', 'é', '😀', 'snapshot', ''),
  fc.integer({ min: -1_000, max: 1_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e21, 5e-324, 2 ** 53 + 2),
  fc.boolean(), fc.dictionary(fc.constantFrom('completed', 'failed', 'pending', 'queue', 'priority', 'total', 'workers_online'), fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxKeys: 3 }),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const TIMES = ['2025-08-09T16:05:00.123456+00:00', '2025-08-09T16:05:00Z', '2025-08-09T16:05:01.5+00:00', '1970-01-01T00:00:00Z', '2025-08-09T16:05:00+02:00', 'never'];
/** Mostly a value the field takes in Nexus's frames, now and then anything. */
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: anyValue, weight: 1 });
const text = fc.oneof(fc.constant(null), fc.string({ maxLength: 16 }), fc.constantFrom('a"b', 'line\nnext', 'ünï', 'long-name-0123456789-abcdef'));
const numbers = fc.dictionary(fc.constantFrom('completed', 'failed', 'pending', 'processing', 'high_priority', 'total'), fc.integer({ min: 0, max: 50 }), { maxKeys: 4 });
const nexusObject = fc.record({
  event_id: field(fc.oneof(fc.constantFrom('a', 'b', 'c', 'snapshot'), fc.uuid(), fc.constant(null))),
  ts: field(fc.oneof(fc.constantFrom(...TIMES), fc.integer({ min: 0, max: 2_000_000_000_000 }), fc.constant(null))),
  event_type: field(fc.constantFrom(...NEXUS_EVENT_TYPES, 'custom')),
  project_id: field(text), parent_task_id: field(fc.oneof(fc.constantFrom('r-1', 'r-2'), text)), task_id: field(fc.oneof(fc.constantFrom('t-1', 't-2', 't-3'), text)),
  task_type: field(text), phase: field(fc.oneof(fc.constantFrom('search', 'summarize'), text)), worker_id: field(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom('w-1', 'w-2'), fc.constant(null))),
  retry_count: field(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(null))), status: field(fc.oneof(fc.constantFrom('pending', 'completed', 'failed'), fc.constant(null))),
  duration_ms: field(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(null))),
  counts: field(fc.oneof(numbers, fc.constant(null))), queue: field(fc.oneof(numbers, fc.constant(null))), message: field(text), error: field(text),
  meta: field(fc.oneof(fc.constant(null), fc.record({ queue: fc.constantFrom('nexus:tasks:high_priority', 'low_priority'), priority: fc.integer({ min: 0, max: 2 }), workers_online: fc.integer({ min: 0, max: 9 }) }, { requiredKeys: [] }))),
  extra: anyValue,
}, { requiredKeys: ['event_type', 'ts', 'task_id', 'worker_id'] });

/** JSON.stringify or json.dumps spacing, fields in any order. */
const spelled = fc.tuple(nexusObject, fc.boolean(), fc.integer({ min: 0, max: 1_000 })).map(([object, python, seed]) => {
  const entries = Object.entries(object).filter(([k, v]) => k !== 'extra' || v !== null);
  entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7));
  const separator = python ? ', ' : ',';
  const colon = python ? ': ' : ':';
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}${colon}${JSON.stringify(v) ?? 'null'}`).join(separator)}}`;
});

test('property: both paths agree on random frames of every field kind, in order and out of it, with repeats', () => {
  const seen = { frames: 0, scanned: 0, scannedEvents: 0, scannedRejects: 0, scannedRepeats: 0 };
  fc.assert(fc.property(fc.array(spelled, { minLength: 1, maxLength: 20 }), (texts) => {
    const both = new BothPaths();
    for (const text of [...texts, ...texts.slice(0, 5)]) {
      const { outcome: o, usable } = both.check(text);
      seen.frames++;
      if (!usable) continue;
      seen.scanned++;
      if (o.kind === 'event') seen.scannedEvents++;
      if (o.kind === 'invalid') seen.scannedRejects++;
      if (o.kind === 'duplicate') seen.scannedRepeats++;
    }
    both.checkDedupAgrees();
  }), { numRuns: 400 });
  // The comparison means something only if the scanned path itself took events, rejects and repeats.
  assert.ok(seen.scanned > seen.frames / 3, JSON.stringify(seen));
  for (const n of [seen.scannedEvents, seen.scannedRejects, seen.scannedRepeats]) assert.ok(n > 50, JSON.stringify(seen));
});

test('fuzz: both paths agree on mutated frames (bytes changed, cut, inserted, including non-ASCII)', () => {
  const alphabet = fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', ' ', '0', '-', 'e', '.', 'n', 't', 'f', 'u', '\u0000', '\u00e9', '\u0085');
  const mutation = fc.tuple(fc.nat(), fc.constantFrom('replace', 'insert', 'delete'), alphabet);
  fc.assert(fc.property(spelled, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, mutations) => {
    let t = text;
    for (const [position, op, ch] of mutations) {
      const i = position % (t.length + 1);
      t = op === 'replace' ? t.slice(0, i) + ch + t.slice(i + 1) : op === 'insert' ? t.slice(0, i) + ch + t.slice(i) : t.slice(0, i) + t.slice(i + 1);
    }
    new BothPaths().check(t);
  }), { numRuns: 2_000 });
});

test('a frame\'s leading id is fingerprinted as the string id is, without reading further; other starts have none', () => {
  const out = new Int32Array(2);
  const dedup = new DedupSet(10);
  dedup.firstSeen('6f1c-2d3e');
  for (const text of ['{"event_id": "6f1c-2d3e", "ts": ', '{"event_id":"6f1c-2d3e"', ' {\n "event_id" : "6f1c-2d3e"']) {
    const bytes = Buffer.from(text);
    assert.equal(leadingIdFingerprint(bytes, 0, bytes.length, out, 0), true, text);
    assert.equal(dedup.hasFingerprint(out[0]!, out[1]!), true, text);
  }
  for (const text of ['{"ts":1,"event_id":"a"}', '{"event_id":null}', '{"event_id":""}', '{"event_id":"a\\"b"}', '{"event_id":"a', '[{"event_id":"a"}]', '{"event_id":"é"}']) {
    const bytes = Buffer.from(text);
    assert.equal(leadingIdFingerprint(bytes, 0, bytes.length, out, 0), false, text);
  }
});

test('a time before 1973 is left as text (as a number it would be read as seconds); other times as their ms', () => {
  const scanner = new NexusFrameScanner();
  const record = new Int32Array(SCAN_RECORD_INTS);
  const timeOf = (ts: unknown) => {
    const bytes = Buffer.from(frame({ ts }));
    scanner.scan(bytes, 0, bytes.length, record, 0);
    scanner.readEventTime(bytes, 0, record, 0);
    return record[RECORD_TIME_READ] === 1 ? recordTimeMs(record, 0) : 'text';
  };
  assert.equal(timeOf('1970-01-01T00:00:05Z'), 'text');
  assert.equal(timeOf('2025-08-09T16:05:00Z'), Date.UTC(2025, 7, 9, 16, 5, 0));
  assert.equal(timeOf('2262-04-11T23:47:16.854Z'), Date.UTC(2262, 3, 11, 23, 47, 16, 854), 'beyond 32 bits of ms');
  assert.equal(timeOf('whenever'), 'text');
  assert.equal(timeOf(1_754_755_500), 'text', 'a number is a number already');
});
