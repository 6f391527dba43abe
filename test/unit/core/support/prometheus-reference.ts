// The straightforward Prometheus text parser that src/core/prometheus/text-format.ts replaced (a slice per
// line, histograms grouped after the parse), kept verbatim as the oracle of a differential test: the
// single-pass parser must read every exposition as this one did (exemplars aside, which this one rejects).
import type { HistogramSeries, MetricType, PromFamily, PromParseError, PromParseResult, PromSample } from '../../../../src/core/prometheus/text-format';

const METRIC_TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly MetricType[]>> = {
  _bucket: ['histogram'],
  _sum: ['histogram', 'summary'],
  _count: ['histogram', 'summary'],
  _created: ['histogram', 'summary', 'counter'],
  _total: ['counter'],
};
const MAX_ERRORS = 100;

export function referenceParse(text: string): PromParseResult {
  const families = new Map<string, PromFamily>();
  const errors: PromParseError[] = [];
  const fail = (line: number, message: string): void => { if (errors.length < MAX_ERRORS) errors.push({ line, message }); };
  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };

  // Sample names repeat (one per label set, many per histogram): resolve each name's family once. A TYPE
  // line can change the answer, so it clears the cache.
  const familyOfName = new Map<string, PromFamily>();
  let lineNo = 0;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    lineNo++;
    let line = text.slice(pos, end);
    pos = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    const first = line.charCodeAt(0);
    if (first === 35 /* # */) {
      const m = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (!m) continue; // an ordinary comment
      const [, kind, name, rest = ''] = m;
      const f = family(name ?? '');
      if (kind === 'TYPE') {
        const t = rest.trim();
        if (!METRIC_TYPES.has(t)) { fail(lineNo, `unknown metric type "${t}"`); continue; }
        f.type = t as MetricType;
        familyOfName.clear();
      } else {
        f.help = unescapeHelp(rest);
      }
      continue;
    }
    if (first === 32 || first === 9) {
      if (line.trim().length === 0) continue;
    }
    const last = line.charCodeAt(line.length - 1);
    const sample = parseSampleLine(first === 32 || first === 9 || last === 32 || last === 9 ? line.trim() : line);
    if (typeof sample === 'string') { fail(lineNo, sample); continue; }
    let target = familyOfName.get(sample.name);
    if (!target) {
      target = family(familyNameOf(sample.name, families));
      familyOfName.set(sample.name, target);
    }
    target.samples.push(sample);
  }
  return { families: [...families.values()].filter((f) => f.samples.length > 0 || f.help !== undefined || f.type !== 'untyped'), errors };
}

function familyNameOf(sampleName: string, families: Map<string, PromFamily>): string {
  if (families.has(sampleName)) {
    const t = families.get(sampleName)?.type;
    if (t !== 'histogram' && t !== 'summary') return sampleName;
  }
  for (const suffix in SUFFIXES) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const f = families.get(base);
    if (f && (SUFFIXES[suffix] ?? []).includes(f.type)) return base;
  }
  return sampleName;
}

/** A sample line, or an error message. */
function parseSampleLine(line: string): PromSample | string {
  let i = 0;
  const n = line.length;
  while (i < n && isNameChar(line.charCodeAt(i), i === 0)) i++;
  if (i === 0) return `bad metric name at "${line.slice(0, 40)}"`;
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  while (i < n && line.charCodeAt(i) === 32) i++;
  if (line.charCodeAt(i) === 123 /* { */) {
    i++;
    for (;;) {
      while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 44)) i++;
      if (i >= n) return 'unterminated label set';
      if (line.charCodeAt(i) === 125 /* } */) { i++; break; }
      const ls = i;
      while (i < n && isLabelChar(line.charCodeAt(i), i === ls)) i++;
      if (i === ls) return `bad label name in ${name}`;
      const label = line.slice(ls, i);
      while (i < n && line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) !== 61 /* = */) return `expected "=" after label ${label}`;
      i++;
      while (i < n && line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) !== 34 /* " */) return `expected a quoted value for label ${label}`;
      i++;
      let value = '';
      let chunkStart = i;
      let closed = false;
      while (i < n) {
        const c = line.charCodeAt(i);
        if (c === 92 /* \ */) {
          value += line.slice(chunkStart, i);
          const next = line[i + 1];
          value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
          i += 2;
          chunkStart = i;
          continue;
        }
        if (c === 34) { value += line.slice(chunkStart, i); i++; closed = true; break; }
        i++;
      }
      if (!closed) return `unterminated value for label ${label}`;
      if (Object.prototype.hasOwnProperty.call(labels, label)) return `duplicate label ${label}`;
      labels[label] = value;
    }
  }
  while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (i >= n) return `no value for ${name}`;
  let end = i;
  while (end < n && line.charCodeAt(end) !== 32 && line.charCodeAt(end) !== 9) end++;
  const valueText = line.slice(i, end);
  const value = parseValue(valueText);
  if (value === undefined) return `bad value "${valueText.slice(0, 40)}" for ${name}`;
  while (end < n && (line.charCodeAt(end) === 32 || line.charCodeAt(end) === 9)) end++;
  if (end >= n) return { name, labels, value };
  const tsText = line.slice(end).trimEnd();
  if (/\s/.test(tsText)) return `trailing text after value of ${name}`;
  const ts = Number(tsText);
  if (!Number.isFinite(ts) || !/^-?\d+$/.test(tsText)) return `bad timestamp "${tsText.slice(0, 40)}" for ${name}`;
  return { name, labels, value, timestamp: ts };
}

function parseValue(text: string): number | undefined {
  switch (text) {
    case 'NaN': case 'nan': return NaN;
    case '+Inf': case 'Inf': case '+inf': case 'inf': return Infinity;
    case '-Inf': case '-inf': return -Infinity;
  }
  if (text.length === 0) return undefined;
  const v = Number(text);
  return Number.isNaN(v) ? undefined : v;
}

function isNameChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (!first && c >= 48 && c <= 57);
}

function isLabelChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (!first && c >= 48 && c <= 57);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Groups a histogram family's samples into one series per label set. */
export function referenceHistogramSeries(family: PromFamily): HistogramSeries[] {
  const byKey = new Map<string, HistogramSeries>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = referenceLabelKey(rest);
    let series = byKey.get(key);
    if (!series) {
      series = { labels: rest, buckets: [] };
      byKey.set(key, series);
    }
    if (s.name.endsWith('_bucket') && le !== undefined) {
      const bound = parseValue(le);
      if (bound !== undefined && !Number.isNaN(bound)) series.buckets.push({ le: bound, count: s.value });
    } else if (s.name.endsWith('_count')) series.count = s.value;
    else if (s.name.endsWith('_sum')) series.sum = s.value;
  }
  for (const series of byKey.values()) series.buckets.sort((a, b) => a.le - b.le);
  return [...byKey.values()];
}

function referenceLabelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}
