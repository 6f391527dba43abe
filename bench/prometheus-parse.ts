// Prometheus text parse of 10k series (counters, gauges, histograms with 10 buckets, labels with escapes),
// medians of 20 interleaved runs. Two measures with a target of ≤ 50 ms: `parsePrometheusText` alone (it
// groups histogram series in the same pass), and parse + what the scrape source does with a histogram (its
// series and p50/p90/p99 of each). Baselines in the same run: the previous parser (kept as the test oracle in
// test/unit/core/support/prometheus-reference.ts) and a naive split/regex parser; the scrape source's whole
// `ingest` (events, counter rates) is printed for context. Run: node --import tsx bench/prometheus-parse.ts
import { parseConnectionProfiles } from '../src/core/config/connection-profile';
import { histogramQuantile, histogramSeries, parsePrometheusText, type HistogramSeries, type PromFamily } from '../src/core/prometheus/text-format';
import type { SourceContext } from '../src/core/source/source';
import { PrometheusSource } from '../src/sources/prometheus/scrape';
import { referenceHistogramSeries, referenceParse } from '../test/unit/core/support/prometheus-reference';

const SERIES = 10_000;

function exposition(): string {
  const out: string[] = [];
  const perFamily = 100;
  for (let f = 0; f < SERIES / perFamily; f++) {
    const kind = f % 3 === 0 ? 'counter' : f % 3 === 1 ? 'gauge' : 'histogram';
    const name = `app_metric_${f}${kind === 'counter' ? '_total' : ''}`;
    out.push(`# HELP ${name} Metric number ${f} with a \\"quoted\\" help.`, `# TYPE ${name} ${kind}`);
    for (let i = 0; i < perFamily; i++) {
      const labels = `task_id="rust::app.task_${i}",queue="q\\"${i % 7}",runner_id="${i.toString(16).padStart(8, '0')}"`;
      if (kind === 'histogram') {
        for (const le of ['0.005', '0.01', '0.05', '0.1', '0.5', '1', '5', '10', '30', '+Inf']) out.push(`${name}_bucket{${labels},le="${le}"} ${i}`);
        out.push(`${name}_sum{${labels}} ${i * 0.5}`, `${name}_count{${labels}} ${i}`);
      } else {
        out.push(`${name}{${labels}} ${i * 1.5} 1700000000000`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

function naive(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(\S+))?$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const kv of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[kv[1]!] = kv[2]!.replace(/\\(.)/g, '$1');
    if (Number.isFinite(Number(m[3]))) n++;
  }
  return n;
}

const text = exposition();
const lines = text.split('\n').length;
const check = parsePrometheusText(text);
if (check.errors.length) throw new Error(`parse errors: ${JSON.stringify(check.errors.slice(0, 3))}`);
const samples = check.families.reduce((a, f) => a + f.samples.length, 0);

/** What the scrape source does with a histogram family: its series, then p50/p90/p99 of each. */
function withQuantiles(families: readonly PromFamily[], series: (f: PromFamily) => HistogramSeries[]): number {
  let n = 0;
  for (const f of families) {
    if (f.type !== 'histogram') continue;
    for (const h of series(f)) for (const q of [0.5, 0.9, 0.99]) if (Number.isFinite(histogramQuantile(q, h.buckets))) n++;
  }
  return n;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const ctx: SourceContext = { emit: () => undefined, reject: () => undefined, log: quiet, now: () => Date.now() };
const [profile] = parseConnectionProfiles([{ id: 'bench-prom', kind: 'prometheus', system: 'rustvello', url: 'http://127.0.0.1:1/metrics' }]).profiles;
const source = new PrometheusSource(profile!);

const measures: Record<string, () => unknown> = {
  parse: () => parsePrometheusText(text),
  previousParse: () => referenceParse(text),
  naive: () => naive(text),
  grouped: () => withQuantiles(parsePrometheusText(text).families, histogramSeries),
  previousGrouped: () => withQuantiles(referenceParse(text).families, referenceHistogramSeries),
  ingest: () => source.ingest(text, ctx),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(measures).map((k) => [k, []]));
for (let round = 0; round < 25; round++) {
  // Interleaved, so a busy moment on a shared machine hits every measure alike; the first 5 rounds warm up.
  for (const [name, fn] of Object.entries(measures)) {
    const t = performance.now();
    fn();
    if (round >= 5) times[name]!.push(performance.now() - t);
  }
}
const median = (name: string): number => { const xs = [...times[name]!].sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!; };

function row(name: string, ours: number, baseline: number, baselineName: string, target?: number): void {
  const verdict = target === undefined ? 'info' : ours <= target ? 'PASS' : 'FAIL';
  console.log(`${name.padEnd(46)} ours ${ours.toFixed(1).padStart(6)} ms  baseline ${baseline.toFixed(1).padStart(6)} ms (${baselineName})  ratio ${(ours / baseline).toFixed(2)}×  target ${target === undefined ? 'context' : `≤ ${target} ms`}  ${verdict}`);
}

console.log(`(${SERIES} series, ${lines} lines, ${samples} samples, ${(text.length / 1e6).toFixed(1)} MB; medians of 20 interleaved runs)`);
row('prometheus parse (histograms grouped in-pass)', median('parse'), median('previousParse'), 'previous parser');
row('prometheus parse', median('parse'), median('naive'), 'naive split/regex', 50);
row('prometheus parse + histogram series + p50/90/99', median('grouped'), median('previousGrouped'), 'previous parser', 50);
row('prometheus scrape ingest (all events)', median('ingest'), median('naive'), 'naive split/regex');
