// The generic field mapping (src/sources/generic-mapping.ts, shared schema src/core/config/field-mapping.ts):
// dotted paths into nested objects and arrays, missing fields, type coercions (numeric ids and values, numeric
// strings, booleans, epoch s/ms and ISO timestamps), bad mapping configs reported by field, and 100 000 fuzzed
// messages through the mapper: zero throws, every message mapped, kept as a generic event or rejected (counted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GenericMapper, MAX_RECORDS_PER_MESSAGE, type MappingResult } from '../../../src/sources/generic-mapping';
import { formatProblem, parseConnectionProfiles } from '../../../src/core/config/connection-profile';
import type { FieldMapping } from '../../../src/core/config/field-mapping';
import type { MonitorEvent } from '../../../src/core/model/events';

const NOW = 1_750_000_000_000;

function mapOne(mapping: FieldMapping, message: unknown, previewChars = 200): MappingResult {
  return new GenericMapper('g', mapping, previewChars).map(message, JSON.stringify(message) ?? '', NOW);
}
function events(r: MappingResult): MonitorEvent[] {
  assert.equal(r.ok, true, r.ok ? '' : `${r.kind}: ${r.detail}`);
  return r.ok ? r.events : [];
}
const ofType = <T extends MonitorEvent['type']>(list: MonitorEvent[], type: T) => list.filter((e): e is Extract<MonitorEvent, { type: T }> => e.type === type);

test('dotted paths reach nested objects and array elements', () => {
  const mapping = { taskId: 'job.meta.id', status: 'job.states.1', worker: 'host.name', queue: 'job.queue', name: 'job.kind', error: 'job.err.message' };
  const out = events(mapOne(mapping, { job: { meta: { id: 'j1' }, states: ['queued', 'running'], queue: 'email', kind: 'send', err: { message: 'boom' } }, host: { name: 'w-1' } }));
  const [t] = ofType(out, 'task.upsert');
  assert.deepEqual({ id: t!.task.id, status: t!.task.status, worker: t!.task.worker, queue: t!.task.queue, name: t!.task.name, error: t!.task.error },
    { id: 'j1', status: 'running', worker: 'w-1', queue: 'email', name: 'send', error: 'boom' });
  const [w] = ofType(out, 'worker.upsert');
  assert.equal(w!.worker.status, 'busy', 'a worker on a running task is busy');
  assert.equal(w!.worker.currentTask, 'j1');
});

test('items: each element of the array at the path is a record', () => {
  const out = events(mapOne({ items: 'data.jobs', taskId: 'id', status: 'state' }, { data: { jobs: [{ id: 1, state: 'done' }, { id: 2, state: 'failed' }] } }));
  assert.deepEqual(ofType(out, 'task.upsert').map((e) => `${e.task.id}:${e.task.status}`), ['1:done', '2:failed']);
  const bad = mapOne({ items: 'data.jobs', taskId: 'id' }, { data: { jobs: 'nope' } });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.kind, 'generic-items');
  const many = mapOne({ taskId: 'id' }, Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, (_, i) => ({ id: i })));
  assert.equal(!many.ok && many.kind, 'generic-too-many-records');
  const scalar = mapOne({ taskId: 'id' }, [1, 2]);
  assert.equal(!scalar.ok && scalar.kind, 'generic-record');
});

test('missing fields: a task without an id is not a task; nothing mapped becomes a generic event with a preview', () => {
  const noId = events(mapOne({ taskId: 'id', status: 'state', eventType: 'kind' }, { state: 'done', kind: 'heartbeat' }));
  assert.equal(ofType(noId, 'task.upsert').length, 0);
  const [g] = ofType(noId, 'generic');
  assert.equal(g!.name, 'heartbeat');
  assert.equal(g!.summary, '{"state":"done","kind":"heartbeat"}');
  const unknownStatus = ofType(events(mapOne({ taskId: 'id', status: 'state' }, { id: 'x' })), 'task.upsert')[0]!;
  assert.equal(unknownStatus.task.status, 'unknown');
  assert.equal(unknownStatus.task.updatedAt, NOW, 'no timestamp path: dated on arrival');
  const long = ofType(events(mapOne({ taskId: 'id' }, { other: 'y'.repeat(500) }, 50)), 'generic')[0]!;
  assert.match(long.summary, /… \[truncated: \d+ chars, first 50 shown\]$/);
  assert.equal(ofType(events(mapOne({ taskId: 'a.b.c' }, { a: null })), 'task.upsert').length, 0, 'a path through null is missing');
  assert.equal(ofType(events(mapOne({ taskId: 'constructor' }, {})), 'task.upsert').length, 0, 'inherited properties are not fields');
  assert.equal(ofType(events(mapOne({ taskId: '__proto__.x' }, JSON.parse('{"__proto__":{"x":"p"}}'))), 'task.upsert')[0]?.task.id, 'p', 'an own "__proto__" key from JSON is data');
});

test('type coercions: numbers and booleans as ids and text, numeric strings as values, objects never', () => {
  const out = events(mapOne({ taskId: 'id', status: 'ok', worker: 'w', queue: 'q', value: 'v', metric: '=depth' }, { id: 42, ok: true, w: 7, q: 'a', v: '3.5' }));
  const t = ofType(out, 'task.upsert')[0]!;
  assert.equal(t.task.id, '42');
  assert.equal(t.task.status, 'true');
  assert.equal(ofType(out, 'worker.upsert')[0]!.worker.id, '7');
  const m = ofType(out, 'metric')[0]!;
  assert.deepEqual({ name: m.sample.name, value: m.sample.value, labels: m.sample.labels }, { name: 'depth', value: 3.5, labels: { queue: 'a', worker: '7' } });
  for (const v of ['', '  ', 'abc', null, {}, [], Number.NaN]) {
    assert.equal(ofType(events(mapOne({ value: 'v' }, { v })), 'metric').length, 0, `no sample from ${JSON.stringify(v)}`);
  }
  assert.equal(ofType(events(mapOne({ taskId: 'id' }, { id: { nested: 1 } })), 'task.upsert').length, 0, 'an object is not an id');
  assert.equal(ofType(events(mapOne({ taskId: 'id' }, { id: '' })), 'task.upsert').length, 0, 'an empty string is not an id');
});

test('timestamps: epoch seconds, epoch milliseconds, numeric strings and ISO text; unreadable ones fall back to now', () => {
  const at = (ts: unknown) => ofType(events(mapOne({ taskId: 'id', timestamp: 'ts' }, { id: 't', ts })), 'task.upsert')[0]!.task.updatedAt;
  assert.equal(at(1_700_000_000), 1_700_000_000_000);
  assert.equal(at(1_700_000_000_123), 1_700_000_000_123);
  assert.equal(at('1700000000.5'), 1_700_000_000_500);
  assert.equal(at('2025-01-02T03:04:05.678Z'), Date.UTC(2025, 0, 2, 3, 4, 5, 678));
  for (const bad of ['yesterday', -5, 0, null, {}, 'x'.repeat(80)]) assert.equal(at(bad), NOW, `${JSON.stringify(bad)} falls back`);
});

test('queue counts accumulate per queue from metric records without a task', () => {
  const mapper = new GenericMapper('g', { queue: 'q', metric: 'name', value: 'n' }, 200);
  mapper.map({ q: 'email', name: 'waiting', n: 3 }, '', NOW);
  const r = mapper.map({ q: 'email', name: 'active', n: 1 }, '', NOW);
  assert.deepEqual(ofType(events(r), 'queue.upsert')[0]!.queue.counts, { waiting: 3, active: 1 });
});

test('bad mapping configs are reported by field, for every transport, and the profile is skipped', () => {
  const { profiles, problems } = parseConnectionProfiles([
    { id: 'typo', kind: 'websocket', system: 'generic', url: 'ws://127.0.0.1:1', mapping: { taskid: 'id' } },
    { id: 'empty', kind: 'mqtt', system: 'generic', url: 'mqtt://127.0.0.1:1', mapping: { taskId: '' } },
    { id: 'shape', kind: 'websocket', system: 'generic', url: 'ws://127.0.0.1:1', mapping: 'id' },
    { id: 'type', kind: 'mqtt', system: 'generic', url: 'mqtt://127.0.0.1:1', mapping: { value: 5 } },
    { id: 'fine', kind: 'mqtt', system: 'generic', url: 'mqtt://127.0.0.1:1', mapping: { taskId: 'a.b' } },
  ]);
  assert.deepEqual(profiles.map((p) => p.id), ['fine']);
  const text = problems.map(formatProblem);
  assert.equal(text.length, 4);
  assert.match(text[0]!, /^connections\[0\]\.mapping \(id "typo"\): Unrecognized key: "taskid"$/);
  assert.match(text[1]!, /^connections\[1\]\.mapping\.taskId \(id "empty"\): Too small/);
  assert.match(text[2]!, /^connections\[2\]\.mapping \(id "shape"\): Invalid input: expected object, received string$/);
  assert.match(text[3]!, /^connections\[3\]\.mapping\.value \(id "type"\): Invalid input: expected string, received number$/);
});

const FUZZ_RUNS = 100_000;

test(`fuzz: ${FUZZ_RUNS} arbitrary messages through arbitrary mappings, zero throws, rejects counted`, { timeout: 120_000 }, () => {
  const path = fc.oneof(fc.constantFrom('id', 'job.id', 'items.0.state', 'a.b.c', '__proto__', 'constructor.name', 'ts', 'v'), fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((p) => p.join('.')));
  const mapping: fc.Arbitrary<FieldMapping> = fc.record({
    items: path, taskId: path, status: path, worker: path, queue: path, name: path, workflowId: path, error: path,
    timestamp: path, metric: fc.oneof(path, fc.constant('=const')), value: path, eventType: path,
  }, { requiredKeys: [] });
  const shaped = fc.record({ id: fc.jsonValue({ maxDepth: 2 }), job: fc.record({ id: fc.jsonValue({ maxDepth: 1 }) }), items: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), ts: fc.jsonValue({ maxDepth: 1 }), v: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] });
  const message = fc.oneof(fc.jsonValue({ maxDepth: 4 }), shaped, fc.array(shaped, { maxLength: 3 }));
  let runs = 0;
  let rejected = 0;
  let mapped = 0;
  let generic = 0;
  const rejectKinds = new Map<string, number>();
  fc.assert(fc.property(mapping, message, (m, msg) => {
    runs++;
    const text = JSON.stringify(msg) ?? 'null';
    const r = new GenericMapper('fz', m, 300).map(msg, text, NOW); // a throw fails the property
    if (!r.ok) {
      rejected++;
      rejectKinds.set(r.kind, (rejectKinds.get(r.kind) ?? 0) + 1);
      assert.match(r.kind, /^generic-/);
      assert.ok(r.detail.length > 0 && r.detail.length < 400, 'a short detail for the log');
      return;
    }
    for (const e of r.events) {
      if (e.type === 'generic') { generic++; assert.ok(e.summary.length <= 300 + 60, 'previews stay cut'); continue; }
      mapped++;
      if (e.type === 'task.upsert') assert.ok(e.task.id.length > 0 && typeof e.task.status === 'string');
      if (e.type === 'metric') assert.ok(Number.isFinite(e.sample.value));
    }
  }), { numRuns: FUZZ_RUNS, seed: 20261123 });
  assert.equal(runs, FUZZ_RUNS);
  assert.equal(rejected, [...rejectKinds.values()].reduce((a, b) => a + b, 0), 'every reject counted by kind');
  assert.ok(rejected > 0 && mapped > 0 && generic > 0, `all three outcomes occur (rejected ${rejected}, mapped ${mapped}, generic ${generic})`);
});
