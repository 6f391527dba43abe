// The log query language: parsing (fields, quotes, regexes, negation, levels, time ranges, errors), the
// reference evaluator, and the chunked LogSearch over the compact store agreeing with it on generated data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogRecord } from '../../../src/core/model/entities';
import { compileQuery, LogSearch, matchRecord } from '../../../src/core/search/evaluate';
import { formatClause, parseQuery } from '../../../src/core/search/query';
import { LogStore } from '../../../src/core/store/log-store';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseQuery', () => {
  test('the example from the issue', () => {
    const q = parseQuery('level:error task:send_email "timeout"');
    assert.deepEqual(q.errors, []);
    assert.deepEqual(q.clauses, [
      { kind: 'level', levels: ['error'], negate: false },
      { kind: 'field', field: 'task', value: 'send_email', negate: false },
      { kind: 'text', value: 'timeout', negate: false },
    ]);
  });

  test('words, quoted phrases with escapes, regexes with flags, negation, aliases', () => {
    const q = parseQuery('conn:prod  inv:"a b" -worker:w1 "say \\"hi\\"" /time(d )?out/i -debug  -  x');
    assert.deepEqual(q.errors, []);
    assert.deepEqual(q.clauses, [
      { kind: 'field', field: 'connection', value: 'prod', negate: false },
      { kind: 'field', field: 'invocation', value: 'a b', negate: false },
      { kind: 'field', field: 'worker', value: 'w1', negate: true },
      { kind: 'text', value: 'say "hi"', negate: false },
      { kind: 'regex', source: 'time(d )?out', flags: 'i', negate: false },
      { kind: 'text', value: 'debug', negate: true },
      { kind: 'text', value: '-', negate: false },
      { kind: 'text', value: 'x', negate: false },
    ]);
  });

  test('unknown field prefixes are text; a slash inside a class does not end a regex', () => {
    assert.deepEqual(parseQuery('error: http://x').clauses, [
      { kind: 'text', value: 'error:', negate: false }, { kind: 'text', value: 'http://x', negate: false },
    ]);
    assert.deepEqual(parseQuery('/a[/]b/').clauses, [{ kind: 'regex', source: 'a[/]b', flags: '', negate: false }]);
  });

  test('levels: lists, at-least forms and synonyms', () => {
    const levels = (s: string): unknown => (parseQuery(s).clauses[0] as unknown as { levels: string[] }).levels;
    assert.deepEqual(levels('level:warn,error'), ['warn', 'error']);
    assert.deepEqual(levels('level:>=info'), ['info', 'warn', 'error']);
    assert.deepEqual(levels('level:warning+'), ['warn', 'error']);
    assert.deepEqual(levels('LEVEL:Fatal'), ['error']);
  });

  test('time bounds: durations, ISO dates and epoch milliseconds', () => {
    assert.deepEqual(parseQuery('since:15m').clauses, [{ kind: 'time', bound: 'from', at: { agoMs: 900_000 } }]);
    assert.deepEqual(parseQuery('to:2026-03-01T11:00:00Z').clauses, [{ kind: 'time', bound: 'to', at: { absolute: NOW - 3_600_000 } }]);
    assert.deepEqual(parseQuery('from:1700000000000').clauses, [{ kind: 'time', bound: 'from', at: { absolute: 1_700_000_000_000 } }]);
  });

  test('errors name the problem and where it is; the rest of the query still parses', () => {
    const q = parseQuery('level:loud /unclosed');
    assert.deepEqual(q.errors.map((e) => [e.message.split(' (')[0], e.start]), [['unknown level "loud"', 0], ['missing closing / of the regular expression', 11]]);
    assert.match(parseQuery('/a(/').errors[0]!.message, /invalid regular expression/);
    assert.match(parseQuery('/a/g').errors[0]!.message, /unsupported regular expression flags "g"/);
    assert.match(parseQuery('since:yesterday').errors[0]!.message, /not a duration/);
    assert.match(parseQuery('-since:5m').errors[0]!.message, /cannot be negated/);
    assert.match(parseQuery('task:').errors[0]!.message, /needs a value/);
    assert.deepEqual(parseQuery('"open').clauses, [{ kind: 'text', value: 'open', negate: false }]);
    assert.equal(parseQuery('"open').errors[0]!.message, 'missing closing quote');
  });

  test('formatClause round-trips', () => {
    const text = 'level:error,warn -task:"a b" "x:y" /a\\/b/i -"-dash" from:2026-03-01T11:00:00.000Z';
    const q = parseQuery(text);
    assert.deepEqual(parseQuery(q.clauses.map(formatClause).join(' ')).clauses, q.clauses);
  });
});

const rec = (message: string, extra: Partial<LogRecord> = {}): LogRecord => ({ connectionId: 'prod', system: 'bullmq', timestamp: NOW, level: 'info', message, ...extra });
const matches = (query: string, r: LogRecord, names?: Record<string, string>): boolean =>
  matchRecord(compileQuery(parseQuery(query), { now: NOW }), r, names ? (id) => names[id] : undefined);

describe('matchRecord', () => {
  test('smart case: lowercase terms ignore case, a capital makes the term exact', () => {
    assert.equal(matches('timeout', rec('Request TIMEOUT after 5s')), true);
    assert.equal(matches('Timeout', rec('Request TIMEOUT after 5s')), false);
    assert.equal(matches('TIMEOUT', rec('Request TIMEOUT after 5s')), true);
  });

  test('all terms must match; negation excludes', () => {
    const r = rec('payment failed: card declined', { level: 'error', task: 't1', worker: 'w-7' });
    assert.equal(matches('payment declined', r), true);
    assert.equal(matches('payment -declined', r), false);
    assert.equal(matches('level:error worker:W-7', r), true);
    assert.equal(matches('level:warn', r), false);
    assert.equal(matches('-level:info', r), true);
    assert.equal(matches('runner:x', r), false, 'an absent field never matches');
    assert.equal(matches('-runner:x', r), true);
    assert.equal(matches('/card\\s+decl/', r), true);
    assert.equal(matches('-/card/', r), false);
  });

  test('task: matches the task id or its name', () => {
    const r = rec('sent', { task: 'job-42' });
    assert.equal(matches('task:send_email', r, { 'job-42': 'send_email' }), true);
    assert.equal(matches('task:job-42', r, {}), true);
    assert.equal(matches('task:resize', r, { 'job-42': 'send_email' }), false);
  });

  test('time bounds, relative and absolute, and extra bounds from the form', () => {
    const old = rec('x', { timestamp: NOW - 20 * 60_000 });
    assert.equal(matches('since:15m', old), false);
    assert.equal(matches('since:30m', old), true);
    assert.equal(matches(`to:${NOW - 30 * 60_000}`, old), false);
    assert.equal(matchRecord(compileQuery(parseQuery(''), { now: NOW, from: NOW - 60_000 }), old), false);
  });
});

describe('LogSearch over the compact store agrees with matchRecord', () => {
  const words = ['timeout', 'Timeout', 'retry', 'connected', 'payment', 'declined', 'ok', 'x:y', 'a\\b', 'ünï', '✓'];
  const levels = ['trace', 'debug', 'info', 'warn', 'error'] as const;
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const records: LogRecord[] = Array.from({ length: 3_000 }, (_, i) => rec(
    Array.from({ length: 1 + rnd(6) }, () => words[rnd(words.length)]).join(rnd(5) === 0 ? '\n' : ' '),
    { timestamp: NOW - (3_000 - i) * 1_000, level: levels[rnd(5)]!, ...(rnd(2) ? { task: `job-${rnd(40)}` } : {}), ...(rnd(3) ? { worker: `w${rnd(5)}` } : {}), ...(rnd(4) ? {} : { runner: 'r1' }) },
  ));
  const names = (id: string): string | undefined => (Number(id.slice(4)) % 2 ? 'send_email' : 'resize');
  const store = new LogStore(2_500, 256); // 500 evicted, chunks partly dead
  for (const r of records) store.push(r);
  const retained = records.slice(500);

  const queries = ['', 'timeout', 'Timeout', 'retry payment', '-ok', 'level:error', 'level:>=warn timeout', 'task:send_email', '-task:send_email',
    'worker:w1 -runner:r1', '/time(out)?\\s+retry/', '/^ok$/', '/ok$/i', '/\\bx:y\\b/', '"a\\\\b"', 'ünï', '✓ retry', 'since:600s', `to:${NOW - 2_000_000}`,
    'timeout -/retry/', '/connected\\npayment/', 'level:debug,trace -timeout ok'];
  for (const query of queries) {
    test(`query ${JSON.stringify(query)}`, () => {
      const compiled = compileQuery(parseQuery(query), { now: NOW });
      const expected = retained.map((r, i) => (matchRecord(compiled, r, names) ? 500 + i : -1)).filter((s) => s >= 0).reverse();
      const search = new LogSearch(store, compiled, 1_000_000, names);
      const got: number[] = [];
      let steps = 0;
      while (!search.done) { got.push(...search.step(1).seqs); steps++; }
      assert.deepEqual(got, expected);
      assert.equal(steps, Math.ceil(3_000 / 256) - 1, 'one step per live chunk');
      assert.equal(search.scanned, 2_500);
    });
  }

  test('the limit stops the scan and says so', () => {
    const search = new LogSearch(store, compileQuery(parseQuery(''), { now: NOW }), 300);
    const got: number[] = [];
    while (!search.done) got.push(...search.step(4).seqs);
    assert.equal(got.length, 300);
    assert.equal(got[0], 2_999);
    assert.equal(search.step().limited, true);
  });
});
