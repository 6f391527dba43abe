// The single-pass Prometheus text parser: edges (escapes, ±Inf/NaN, timestamps, exemplars, comments, CRLF),
// histogram series grouped during the parse, and a differential fuzz against the parser it replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { histogramQuantile, histogramSeries, parsePrometheusText, type PromFamily } from '../../../src/core/prometheus/text-format';
import { referenceHistogramSeries, referenceParse } from './support/prometheus-reference';

const byName = (text: string): Map<string, PromFamily> => new Map(parsePrometheusText(text).families.map((f) => [f.name, f]));

test('label values: \\" \\\\ \\n are unescaped, other escapes kept as written, repeated values reused', () => {
  const { families, errors } = parsePrometheusText('m{a="x\\"y",b="back\\\\slash",c="new\\nline",d="keep\\t",e=""} 1\nm{a="x\\"y",b="plain",c="",d="",e=""} 2\n');
  assert.deepEqual(errors, []);
  const [first, second] = families[0]!.samples;
  assert.deepEqual(first!.labels, { a: 'x"y', b: 'back\\slash', c: 'new\nline', d: 'keep\\t', e: '' });
  assert.deepEqual(second!.labels, { a: 'x"y', b: 'plain', c: '', d: '', e: '' });
  assert.deepEqual(Object.keys(first!.labels), ['a', 'b', 'c', 'd', 'e']);
  // A value ending in a backslash before the line end, a missing quote, a duplicate label.
  const bad = parsePrometheusText('m{a="x\\\nm{a="x} 1\nm{a="1",a="2"} 1\nm{a="1"\n');
  assert.deepEqual(bad.errors.map((e) => e.message), ['unterminated value for label a', 'unterminated value for label a', 'duplicate label a', 'unterminated label set']);
});

test('values: ±Inf, NaN, exponents, signs and decimals read as Number() reads them', () => {
  const f = byName('v{k="a"} +Inf\nv{k="b"} -Inf\nv{k="c"} NaN\nv{k="d"} 1.5e3\nv{k="e"} -0.25\nv{k="f"} .5\nv{k="g"} 7.\nv{k="h"} 0x10\nv{k="i"} 12345678901234567890\n').get('v')!;
  const values = f.samples.map((s) => s.value);
  assert.deepEqual(values, [Infinity, -Infinity, NaN, 1500, -0.25, 0.5, 7, 16, 12345678901234567890]);
  assert.deepEqual(parsePrometheusText('v 1..2\nv abc\nv\n').errors.map((e) => e.message), ['bad value "1..2" for v', 'bad value "abc" for v', 'no value for v']);
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 15 }), (d, digits) => {
    for (const text of [String(d), d.toFixed(Math.min(digits, 100))]) {
      const [sample] = parsePrometheusText(`x ${text}`).families[0]!.samples;
      assert.ok(Object.is(sample!.value, Number(text)), text);
    }
  }), { numRuns: 2_000 });
});

test('timestamps: integer milliseconds (negative too); anything else is an error', () => {
  const f = byName('t 1 1700000000000\nt 2 -5\n').get('t')!;
  assert.deepEqual(f.samples.map((s) => s.timestamp), [1_700_000_000_000, -5]);
  assert.deepEqual(parsePrometheusText('t 1 1.5\nt 1 12x\nt 1 2 3\nt 1 -\n').errors.map((e) => e.message), [
    'bad timestamp "1.5" for t', 'bad timestamp "12x" for t', 'trailing text after value of t', 'bad timestamp "-" for t',
  ]);
});

test('exemplars and comments: `# …` after the value (and timestamp) is ignored; comment lines are skipped', () => {
  const text = [
    '# a plain comment',
    '#TYPE h histogram',
    'h_bucket{le="1"} 3 # {trace_id="abc"} 0.5 1700000000.1',
    'h_bucket{le="+Inf"} 4 1700000000000 # {trace_id="def"} 9',
    'h_count 4 #',
    '   ',
    '# HELP h Help with \\\\ and \\n.',
  ].join('\n');
  const { families, errors } = parsePrometheusText(text);
  assert.deepEqual(errors, []);
  const h = families.find((f) => f.name === 'h')!;
  assert.equal(h.type, 'histogram');
  assert.equal(h.help, 'Help with \\ and \n.');
  assert.deepEqual(h.samples.map((s) => [s.name, s.value, s.timestamp]), [['h_bucket', 3, undefined], ['h_bucket', 4, 1_700_000_000_000], ['h_count', 4, undefined]]);
});

test('CRLF line ends read like LF, and error line numbers count either', () => {
  const lf = '# TYPE c counter\nc_total{a="1"} 5 100\nbroken {\nc_total{a="2"} 6\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  assert.deepEqual(parsePrometheusText(crlf), parsePrometheusText(lf));
  assert.equal(parsePrometheusText(crlf).errors[0]!.line, 3);
  assert.equal(byName(crlf).get('c_total')?.samples[0]?.labels['a'], undefined, 'counter family is c_total');
  assert.equal(byName(crlf).get('c')?.samples[1]?.labels['a'], '2');
});

test('histograms are grouped during the parse: labels in any order, buckets sorted, +Inf bucket, _sum/_count', () => {
  const text = [
    '# TYPE d histogram',
    'd_bucket{task="a",q="x",le="+Inf"} 10',
    'd_bucket{task="a",q="x",le="1"} 8',
    'd_bucket{le="0.5",q="x",task="a"} 4',
    'd_bucket{task="b",q="x",le="1"} 1',
    'd_bucket{task="b",q="x",le="+Inf"} 2',
    'd_sum{q="x",task="a"} 6.5',
    'd_count{task="a",q="x"} 10',
    'd_bucket{task="a",q="x",le="NaN"} 99',
    'd_created{task="c",q="x"} 1700000000',
  ].join('\n');
  const d = byName(text).get('d')!;
  assert.ok(d.series, 'grouped by the parser');
  const series = histogramSeries(d);
  assert.deepEqual(series.map((s) => s.labels), [{ task: 'a', q: 'x' }, { task: 'b', q: 'x' }, { task: 'c', q: 'x' }]);
  assert.deepEqual(series[0]!.buckets, [{ le: 0.5, count: 4 }, { le: 1, count: 8 }, { le: Infinity, count: 10 }]);
  assert.equal(series[0]!.sum, 6.5);
  assert.equal(series[0]!.count, 10);
  assert.equal(histogramQuantile(0.5, series[0]!.buckets), 0.5 + 0.5 * ((5 - 4) / 4));
  assert.deepEqual(series, referenceHistogramSeries(d));
  // Distinct label sets never share a series, even when a plain `k=v,` join would make them look alike.
  const tricky = byName('# TYPE t histogram\nt_bucket{a="1,b=2",le="1"} 1\nt_bucket{a="1",b="2",le="1"} 2\n').get('t')!;
  assert.equal(histogramSeries(tricky).length, 2);
});

test('a histogram typed after its samples is grouped on demand, as before', () => {
  const text = 'late_bucket{le="1"} 1\n# TYPE late histogram\nlate_bucket{le="+Inf"} 2\nlate_count 2\n';
  const families = parsePrometheusText(text).families;
  for (const f of families) assert.deepEqual(histogramSeries(f), referenceHistogramSeries(f));
});

test('a label named __proto__ is kept as a label', () => {
  const [s] = parsePrometheusText('p{__proto__="x",a="1"} 1').families[0]!.samples;
  assert.deepEqual(Object.keys(s!.labels), ['__proto__', 'a']);
  assert.equal(Object.getOwnPropertyDescriptor(s!.labels, '__proto__')?.value, 'x');
});

// ---- differential: the same reading as the parser this one replaced

const names = fc.constantFrom('m', 'm_total', 'h', 'h_bucket', 'h_sum', 'h_count', 'h_created', 's', 's_sum', 's_count', 'a:b', '1bad', '', 'x y');
const labelName = fc.constantFrom('a', 'le', 'quantile', 'b_2', '9x', '', 'task_id');
const labelValue = fc.oneof(fc.constantFrom('1', '+Inf', '0.5', 'NaN', '', 'x\\"y', 'back\\\\', 'nl\\n', 'odd\\q', 'a,b=c'), fc.string({ maxLength: 8 }));
const value = fc.oneof(fc.constantFrom('1', '-2.5', '+Inf', '-Inf', 'NaN', '1e3', '.5', '7.', '0x1f', 'abc', '', '1..2', '123456789012345678'), fc.double().map(String));
const timestamp = fc.oneof(fc.constant(''), fc.constantFrom(' 1700000000000', ' -1', ' 1.5', ' 12x', ' 1 2'));
const labelSet = fc.array(fc.tuple(labelName, labelValue, fc.constantFrom('', ' ')), { maxLength: 4 })
  .map((pairs) => pairs.map(([n, v, sp]) => `${n}${sp}=${sp}"${v}"`).join(','));
const sampleLine = fc.tuple(fc.constantFrom('', ' ', '\t'), names, fc.oneof(fc.constant(''), labelSet.map((l) => `{${l}}`), fc.constantFrom('{', '{a="1"', '{a=1}', '{,}')), fc.constantFrom(' ', '\t', '  '), value, timestamp, fc.constantFrom('', ' ', '\r'))
  .map(([lead, n, l, sp, v, ts, tail]) => `${lead}${n}${l}${sp}${v}${ts}${tail}`);
const commentLine = fc.tuple(fc.constantFrom('# TYPE ', '# HELP ', '#TYPE ', '# '), fc.constantFrom('m', 'm_total', 'h', 's', 'm_total'), fc.constantFrom(' counter', ' gauge', ' histogram', ' summary', ' untyped', ' bogus', ' help \\n text', ''))
  .map(([a, b, c]) => `${a}${b}${c}`);
const anyLine = fc.oneof({ weight: 6, arbitrary: sampleLine }, { weight: 2, arbitrary: commentLine }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) });

test('differential fuzz: every generated exposition is read exactly as the reference parser reads it', () => {
  fc.assert(fc.property(fc.array(anyLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
    // Exemplars are the one intended difference (the reference rejects a `#` after the value).
    const body = lines.map((l) => (/[ \t]#/.test(l) && !l.startsWith('#') ? l.replace(/([ \t])#/g, '$1%') : l)).join(eol);
    const ours = parsePrometheusText(body);
    const ref = referenceParse(body);
    assert.deepEqual(ours.errors, ref.errors);
    assert.deepEqual(ours.families.map(({ name, type, help, samples }) => ({ name, type, samples, ...(help === undefined ? {} : { help }) })), ref.families);
    ours.families.forEach((f, i) => {
      if (f.type !== 'histogram') return;
      const expected = referenceHistogramSeries(ref.families[i]!);
      // The reference keys a series by a `k=v,` join, which can merge label sets that differ; ours never does.
      if (new Set(expected.map((s) => Object.keys(s.labels).length)).size <= 1 && histogramSeries(f).length === expected.length) assert.deepEqual(histogramSeries(f), expected);
    });
  }), { numRuns: 3_000 });
});

test('differential fuzz: runs of near-identical lines (the parser reuses what a line shares with the previous one)', () => {
  const part = (xs: readonly string[]) => fc.constantFrom(...xs);
  const line = fc.tuple(
    part(['h_bucket', 'h_bucket', 'h_sum', 'h_count', 'h', 'h_bucketx']),
    part(['{', '{ ', '']),
    fc.array(fc.tuple(part(['a', 'b', 'le', 'a', 'le', 'lex']), part(['1', '12', '1', '1\\"2', '+Inf', '0.5', '"', '1",b="2']), part([',', ',', ' ,', '', ', '])), { maxLength: 4 }),
    part(['}', '}', '}', '} ', '', '},']),
    part([' 1', ' 1', ' 12', ' 1 5', ' NaN', ' x', '', ' 1 5 6']),
  ).map(([n, open, labels, close, rest]) => `${n}${labels.length || open ? open : ''}${labels.map(([k, v, sep]) => `${k}="${v}"${sep}`).join('')}${labels.length || open ? close : ''}${rest}`);
  fc.assert(fc.property(fc.constantFrom('', '# TYPE h histogram\n'), fc.array(line, { maxLength: 40 }), (head, lines) => {
    const body = head + lines.join('\n');
    const ours = parsePrometheusText(body);
    const ref = referenceParse(body);
    assert.deepEqual(ours.errors, ref.errors);
    assert.deepEqual(ours.families.map(({ name, type, help, samples }) => ({ name, type, samples, ...(help === undefined ? {} : { help }) })), ref.families);
  }), { numRuns: 5_000 });
});
