// Parser for the Prometheus text exposition format (0.0.4): HELP and TYPE lines, labels with escapes,
// counters, gauges, histograms, summaries and untyped series, NaN/±Inf values, optional timestamps, CRLF line
// ends, and OpenMetrics exemplars (` # {…} v [ts]` after the value, ignored). Pure and single-pass over the
// text (indexOf/charCodeAt, no split, no per-line regex); a malformed line is reported with its number and
// skipped, never thrown. Histogram families are grouped into series in the same pass (`PromFamily.series`).

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  /** Full sample name, e.g. `x_bucket` for a histogram `x`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp?: number;
}

export interface PromFamily {
  readonly name: string;
  type: MetricType;
  help?: string;
  readonly samples: PromSample[];
  /** A histogram's series, grouped by the parser while it read the samples (see `histogramSeries`). */
  series?: HistogramSeries[];
}

export interface PromParseError {
  readonly line: number;
  readonly message: string;
}

export interface PromParseResult {
  readonly families: PromFamily[];
  readonly errors: PromParseError[];
}

const METRIC_TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly MetricType[]>> = {
  _bucket: ['histogram'],
  _sum: ['histogram', 'summary'],
  _count: ['histogram', 'summary'],
  _created: ['histogram', 'summary', 'counter'],
  _total: ['counter'],
};
const MAX_ERRORS = 100;
const COMMENT_RE = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/;

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const MINUS = 45;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

export function parsePrometheusText(text: string): PromParseResult {
  return new ExpositionParser(text).run();
}

/** A histogram family's series while the parse runs; `grouped` tells whether every sample went through it. */
interface Grouping {
  readonly family: ParsedFamily;
  readonly byKey: Map<string, HistogramSeries>;
  grouped: number;
  /** The series of the previous sample and its labels without `le`: a series' lines are usually adjacent. */
  last?: { readonly series: HistogramSeries; readonly names: string[]; readonly values: string[] };
  readonly unsorted: Set<HistogramSeries>;
}

class ExpositionParser {
  private readonly families = new Map<string, ParsedFamily>();
  private readonly errors: PromParseError[] = [];
  /** Sample names repeat (one per label set, many per histogram): each name's family is resolved once. A TYPE line can change the answer, so it clears this. */
  private readonly familyOfName = new Map<string, ParsedFamily>();
  private lastName = '';
  private lastFamily: ParsedFamily | undefined;
  /** The label names and values of the line being read, by position; after it, of the previous line. */
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  /** Where each label of the previous line ends, after its closing quote (offset from the line start). */
  private readonly labelEnd: number[] = [];
  /** The previous sample line (fields rather than an object per line): valid when it was read in full. */
  private prevValid = false;
  private prevStart = 0;
  private prevEnd = 0;
  private prevName = '';
  private prevNameEnd = 0;
  private prevCount = 0;
  private prevLeAt = -1;
  private readonly groupings = new Map<ParsedFamily, Grouping>();
  private lastGrouping: Grouping | undefined;
  /** Whether `lastName` is a histogram's `_bucket`, `_count` or `_sum`. */
  private lastPart: 'bucket' | 'count' | 'sum' | undefined;

  constructor(private readonly text: string) {}

  run(): PromParseResult {
    const text = this.text;
    const len = text.length;
    let lineNo = 0;
    let pos = 0;
    while (pos < len) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = len;
      const next = end + 1;
      lineNo++;
      if (end > pos && text.charCodeAt(end - 1) === 13 /* \r */) end--;
      const start = pos;
      pos = next;
      if (end === start) continue;
      const first = text.charCodeAt(start);
      if (first === HASH) {
        this.comment(text.slice(start, end), lineNo);
        continue;
      }
      const last = text.charCodeAt(end - 1);
      if (first === SPACE || first === TAB || last === SPACE || last === TAB) {
        // Rare: trim as String.prototype.trim would, then parse the trimmed line.
        const line = text.slice(start, end).trim();
        if (line.length === 0) continue;
        const at = text.indexOf(line, start);
        const problem = this.sample(at, at + line.length);
        if (problem !== undefined) this.fail(lineNo, problem);
        continue;
      }
      const problem = this.sample(start, end);
      if (problem !== undefined) this.fail(lineNo, problem);
    }
    for (const [family, g] of this.groupings) {
      if (family.type !== 'histogram' || g.grouped !== family.sampleCount) continue; // TYPE came late or changed: group on demand
      for (const series of g.unsorted) series.buckets.sort((a, b) => a.le - b.le);
      family.series = [...g.byKey.values()];
    }
    return { families: [...this.families.values()].filter((f) => f.sampleCount > 0 || f.help !== undefined || f.type !== 'untyped'), errors: this.errors };
  }

  private fail(line: number, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ line, message });
  }

  private family(name: string): ParsedFamily {
    let f = this.families.get(name);
    if (!f) {
      f = new ParsedFamily(name);
      this.families.set(name, f);
    }
    return f;
  }

  private comment(line: string, lineNo: number): void {
    const m = COMMENT_RE.exec(line);
    if (!m) return; // an ordinary comment
    const [, kind, name, rest = ''] = m;
    const f = this.family(name ?? '');
    if (kind === 'TYPE') {
      const t = rest.trim();
      if (!METRIC_TYPES.has(t)) return this.fail(lineNo, `unknown metric type "${t}"`);
      f.type = t as MetricType;
      this.familyOfName.clear();
      this.lastFamily = undefined;
      this.lastName = '';
    } else {
      f.help = unescapeHelp(rest);
    }
  }

  /** One sample line in text[start, end) (already trimmed); an error message when it is malformed. */
  private sample(start: number, end: number): string | undefined {
    const text = this.text;
    // Lines of one series differ in a few characters (a histogram's `le`, the value): what this line shares
    // with the previous one, character for character, is not parsed again (its name and whole labels reused).
    const reuse = this.prevValid;
    this.prevValid = false; // until this line is read in full
    let same = 0;
    if (reuse) {
      const max = Math.min(end - start, this.prevEnd - this.prevStart);
      const from = this.prevStart;
      while (same < max && text.charCodeAt(start + same) === text.charCodeAt(from + same)) same++;
    }
    let i: number;
    let name: string;
    let count = 0;
    let leAt = -1;
    let inLabels = false;
    if (reuse && this.prevNameEnd < same) {
      name = this.prevName;
      i = start + this.prevNameEnd;
      while (count < this.prevCount && this.labelEnd[count]! <= same) count++;
      if (count > 0) {
        inLabels = true;
        i = start + this.labelEnd[count - 1]!;
        if (this.prevLeAt < count) leAt = this.prevLeAt;
      }
    } else {
      i = start;
      while (i < end && isNameChar(text.charCodeAt(i), i === start)) i++;
      if (i === start) return `bad metric name at "${text.slice(start, Math.min(end, start + 40))}"`;
      name = text.slice(start, i);
    }
    const nameEnd = i - start;
    if (!inLabels) {
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i < end && text.charCodeAt(i) === OPEN_BRACE) {
        i++;
        inLabels = true;
      }
    }
    if (inLabels) {
      for (;;) {
        while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === COMMA)) i++;
        if (i >= end) return 'unterminated label set';
        if (text.charCodeAt(i) === CLOSE_BRACE) { i++; break; }
        const ls = i;
        while (i < end && isLabelChar(text.charCodeAt(i), i === ls)) i++;
        if (i === ls) return `bad label name in ${name}`;
        const label = text.slice(ls, i);
        while (i < end && text.charCodeAt(i) === SPACE) i++;
        if (i >= end || text.charCodeAt(i) !== EQUALS) return `expected "=" after label ${label}`;
        i++;
        while (i < end && text.charCodeAt(i) === SPACE) i++;
        if (i >= end || text.charCodeAt(i) !== QUOTE) return `expected a quoted value for label ${label}`;
        i++;
        const vs = i;
        while (i < end) {
          const c = text.charCodeAt(i);
          if (c === QUOTE || c === BACKSLASH) break;
          i++;
        }
        let value: string;
        if (i < end && text.charCodeAt(i) === QUOTE) {
          value = text.slice(vs, i);
          i++;
        } else {
          const escaped = unescapeLabelValue(text, vs, i, end);
          if (escaped === undefined) return `unterminated value for label ${label}`;
          value = escaped.value;
          i = escaped.next;
        }
        for (let k = 0; k < count; k++) if (this.names[k] === label) return `duplicate label ${label}`;
        if (label === 'le') leAt = count;
        this.names[count] = label;
        this.values[count] = value;
        this.labelEnd[count] = i - start;
        count++;
      }
    }
    while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    if (i >= end) return `no value for ${name}`;
    const vs = i;
    while (i < end && text.charCodeAt(i) !== SPACE && text.charCodeAt(i) !== TAB) i++;
    const value = parseNumber(text, vs, i);
    if (value === undefined) return `bad value "${text.slice(vs, Math.min(i, vs + 40))}" for ${name}`;
    while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    let timestamp: number | undefined;
    if (i < end && text.charCodeAt(i) !== HASH) {
      const ts = i;
      while (i < end && text.charCodeAt(i) !== SPACE && text.charCodeAt(i) !== TAB) i++;
      let tsEnd = i;
      while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
      if (i < end && text.charCodeAt(i) !== HASH) return `trailing text after value of ${name}`;
      // Other whitespace (a stray \r, \v…) at the end is dropped; inside the timestamp it is trailing text.
      while (tsEnd > ts && isJsWhitespace(text.charCodeAt(tsEnd - 1))) tsEnd--;
      for (let k = ts; k < tsEnd; k++) if (isJsWhitespace(text.charCodeAt(k))) return `trailing text after value of ${name}`;
      timestamp = parseTimestampMs(text, ts, tsEnd);
      if (timestamp === undefined) return `bad timestamp "${text.slice(ts, Math.min(tsEnd, ts + 40))}" for ${name}`;
    }
    // What follows `#` is an OpenMetrics exemplar (or a comment): not a sample of this series.

    let target = name === this.lastName ? this.lastFamily : undefined;
    if (!target) {
      target = this.familyOfName.get(name);
      if (!target) {
        target = this.family(familyNameOf(name, this.families));
        this.familyOfName.set(name, target);
      }
      this.lastName = name;
      this.lastFamily = target;
      this.lastPart = histogramPart(name);
    }
    this.prevValid = true;
    this.prevStart = start;
    this.prevEnd = end;
    this.prevName = name;
    this.prevNameEnd = nameEnd;
    this.prevCount = count;
    this.prevLeAt = leAt;
    if (target.type === 'histogram') {
      // Kept compact (the scrape source reads a histogram by its series); `samples` builds the objects if asked.
      const series = this.group(target, value, count, leAt);
      target.pushHistogramSample(name, series, leAt < 0 ? undefined : this.values[leAt], leAt, value, timestamp);
      return undefined;
    }
    const labels: Record<string, string> = {};
    for (let k = 0; k < count; k++) setLabel(labels, this.names[k]!, this.values[k]!);
    target.push(timestamp === undefined ? { name, labels, value } : { name, labels, value, timestamp });
    return undefined;
  }

  /** Adds a histogram sample to its series (labels without `le`), found by comparing with the previous sample's first. */
  private group(family: ParsedFamily, value: number, count: number, leAt: number): HistogramSeries {
    let g = this.lastGrouping;
    if (g?.family !== family) {
      g = this.groupings.get(family);
      if (!g) {
        g = { family, byKey: new Map(), grouped: 0, unsorted: new Set() };
        this.groupings.set(family, g);
      }
      this.lastGrouping = g;
    }
    g.grouped++;
    let series: HistogramSeries | undefined;
    const last = g.last;
    if (last && last.names.length === (leAt >= 0 ? count - 1 : count)) {
      let same = true;
      for (let k = 0, j = 0; k < count && same; k++) {
        if (k === leAt) continue;
        same = last.names[j] === this.names[k] && last.values[j] === this.values[k];
        j++;
      }
      if (same) series = last.series;
    }
    if (!series) {
      const names: string[] = [];
      const values: string[] = [];
      for (let k = 0; k < count; k++) {
        if (k === leAt) continue;
        names.push(this.names[k]!);
        values.push(this.values[k]!);
      }
      const key = seriesKey(names, values);
      series = g.byKey.get(key);
      if (!series) {
        const rest: Record<string, string> = {};
        for (let k = 0; k < names.length; k++) setLabel(rest, names[k]!, values[k]!);
        series = { labels: rest, buckets: [] };
        g.byKey.set(key, series);
      }
      g.last = { series, names, values };
    }
    const part = this.lastPart;
    if (part === 'bucket') {
      if (leAt < 0) return series;
      const le = this.values[leAt]!;
      const bound = parseNumber(le, 0, le.length);
      if (bound === undefined || Number.isNaN(bound)) return series;
      const buckets = series.buckets;
      const prev = buckets[buckets.length - 1];
      if (prev && prev.le > bound) g.unsorted.add(series);
      buckets.push({ le: bound, count: value });
    } else if (part === 'count') series.count = value;
    else if (part === 'sum') series.sum = value;
    return series;
  }
}

/**
 * A family as parsed. A histogram's samples are kept as columns (name, series, `le`, value, timestamp) rather
 * than one object and one label object each: the scrape source reads a histogram through its series, so the
 * sample objects are only built (in order) when `samples` is read.
 */
class ParsedFamily implements PromFamily {
  type: MetricType = 'untyped';
  // Declared only: absent (not `undefined`) until set, like the object literals families used to be.
  declare help?: string;
  declare series?: HistogramSeries[];
  declare readonly samples: PromSample[];
  readonly #built: PromSample[] = [];
  #compact: CompactSamples | undefined;
  #count = 0;

  constructor(readonly name: string) {
    // An own enumerable accessor, so a spread or JSON copy of the family carries its samples.
    Object.defineProperty(this, 'samples', { enumerable: true, get: () => this.#samples() });
  }

  get sampleCount(): number { return this.#count; }

  push(sample: PromSample): void {
    if (this.#compact) this.#build();
    this.#built.push(sample);
    this.#count++;
  }

  pushHistogramSample(name: string, series: HistogramSeries, le: string | undefined, leAt: number, value: number, timestamp: number | undefined): void {
    const c = (this.#compact ??= { names: [], series: [], les: [], leAt: [], values: [], timestamps: [] });
    c.names.push(name);
    c.series.push(series);
    c.les.push(le);
    c.leAt.push(leAt);
    c.values.push(value);
    c.timestamps.push(timestamp ?? NaN);
    this.#count++;
  }

  #samples(): PromSample[] {
    if (this.#compact) this.#build();
    return this.#built;
  }

  #build(): void {
    const c = this.#compact!;
    this.#compact = undefined;
    for (let i = 0; i < c.names.length; i++) {
      const rest = c.series[i]!.labels;
      const le = c.les[i];
      const leAt = c.leAt[i]!;
      const labels: Record<string, string> = {};
      let k = 0;
      for (const label of Object.keys(rest)) {
        if (k++ === leAt && le !== undefined) labels['le'] = le;
        setLabel(labels, label, rest[label]!);
      }
      if (le !== undefined && labels['le'] === undefined) labels['le'] = le;
      const name = c.names[i]!;
      const value = c.values[i]!;
      const timestamp = c.timestamps[i]!;
      this.#built.push(Number.isNaN(timestamp) ? { name, labels, value } : { name, labels, value, timestamp });
    }
  }
}

interface CompactSamples {
  readonly names: string[];
  readonly series: HistogramSeries[];
  readonly les: (string | undefined)[];
  readonly leAt: number[];
  readonly values: number[];
  /** NaN: none (a timestamp is an integer). */
  readonly timestamps: number[];
}

/** Which histogram sample a name is, by its suffix. */
function histogramPart(name: string): 'bucket' | 'count' | 'sum' | undefined {
  return name.endsWith('_bucket') ? 'bucket' : name.endsWith('_count') ? 'count' : name.endsWith('_sum') ? 'sum' : undefined;
}

/** `labels[name] = value`, also for a label named `__proto__` (which plain assignment would drop). */
function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}

/** An unambiguous key for a label set, whatever the order its labels were written in. */
function seriesKey(names: readonly string[], values: readonly string[]): string {
  const order = names.map((_, k) => k);
  order.sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  let key = '';
  for (const k of order) key += `${names[k]!}=${values[k]!.length}:${values[k]!},`;
  return key;
}

/** A label value with escapes from text[start…] (the first `\\` at `at`): `\\n`, `\\"`, `\\\\`; any other escape is kept as written. */
function unescapeLabelValue(text: string, start: number, at: number, end: number): { value: string; next: number } | undefined {
  let value = text.slice(start, at);
  let i = at;
  let chunk = i;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      value += text.slice(chunk, i);
      const next = i + 1 < end ? text[i + 1]! : '';
      value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next}`;
      i += 2;
      chunk = i;
      continue;
    }
    if (c === QUOTE) return { value: value + text.slice(chunk, i), next: i + 1 };
    i++;
  }
  return undefined;
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

/**
 * A sample value in text[start, end): plain decimals of up to 15 digits are read in place (m / 10^k is
 * correctly rounded, so equal to Number()); anything else (exponents, ±Inf, NaN, long numbers) by `parseValue`.
 */
function parseNumber(text: string, start: number, end: number): number | undefined {
  let i = start;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= DIGIT_0 && c <= DIGIT_9) {
      mantissa = mantissa * 10 + (c - DIGIT_0);
      digits++;
    } else if (c === DOT && fraction < 0) {
      fraction = i;
    } else {
      break;
    }
  }
  if (i === end && digits > 0 && digits <= 15) {
    const scale = fraction < 0 ? 0 : end - fraction - 1;
    const v = scale === 0 ? mantissa : mantissa / POW10[scale]!;
    return negative ? -v : v;
  }
  return parseValue(text.slice(start, end));
}

/** A timestamp in text[start, end): an integer of milliseconds, optionally negative. */
function parseTimestampMs(text: string, start: number, end: number): number | undefined {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  if (i === end) return undefined;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
  }
  const ts = Number(text.slice(start, end));
  return Number.isFinite(ts) ? ts : undefined;
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

/** What `\s` and String.prototype.trim count as whitespace. */
function isJsWhitespace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function isLabelChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (!first && c >= 48 && c <= 57);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

// ---- histograms and summaries ----

export interface HistogramSeries {
  /** Labels without `le`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Cumulative bucket counts, sorted by upper bound; the last is +Inf when present. */
  readonly buckets: { readonly le: number; readonly count: number }[];
  count?: number;
  sum?: number;
}

/** A histogram family's series, one per label set: as the parser grouped them, or grouped here from the samples. */
export function histogramSeries(family: PromFamily): HistogramSeries[] {
  if (family.series) return family.series;
  const byKey = new Map<string, HistogramSeries>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = labelKey(rest);
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

/**
 * The q-quantile (0..1) of a histogram by linear interpolation inside the bucket, as PromQL's
 * `histogram_quantile` does. NaN when there are no observations or no +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: readonly { readonly le: number; readonly count: number }[]): number {
  if (buckets.length < 2 || q < 0 || q > 1) return NaN;
  const last = buckets[buckets.length - 1];
  if (!last || last.le !== Infinity) return NaN;
  const total = last.count;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = 0;
  while (i < buckets.length - 1 && (buckets[i]?.count ?? 0) < rank) i++;
  if (i === buckets.length - 1) return buckets[buckets.length - 2]?.le ?? NaN;
  const b = buckets[i]!;
  const lower = i === 0 ? (b.le > 0 ? 0 : b.le) : buckets[i - 1]!.le;
  const below = i === 0 ? 0 : buckets[i - 1]!.count;
  const inBucket = b.count - below;
  if (inBucket <= 0) return b.le;
  return lower + (b.le - lower) * ((rank - below) / inBucket);
}

export function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

// ---- counters to rates ----

/** Per-second rates of counters between scrapes; a counter that went down was reset and restarts the rate. */
export class CounterRates {
  private readonly last = new Map<string, { value: number; at: number }>();

  constructor(private readonly maxSeries = 20_000) {}

  /** Rate since the previous value of this series, or undefined for the first value / after a reset. */
  update(key: string, value: number, at: number): number | undefined {
    const prev = this.last.get(key);
    if (!prev && this.last.size >= this.maxSeries) return undefined;
    this.last.set(key, { value, at });
    if (!prev || at <= prev.at || value < prev.value || !Number.isFinite(value)) return undefined;
    return (value - prev.value) / ((at - prev.at) / 1000);
  }

  clear(): void { this.last.clear(); }
}
