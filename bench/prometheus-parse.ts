// Prometheus text parse of 10k series (counters, gauges, histograms with 10 buckets, labels with escapes):
// median of 20 runs of `parsePrometheusText`, against a naive split/regex parser over the same text as the
// baseline. Target ≤ 50 ms. Run: node --import tsx bench/prometheus-parse.ts
import { histogramSeries, parsePrometheusText } from '../src/core/prometheus/text-format';

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

function median(fn: () => void, runs = 20): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const text = exposition();
const lines = text.split('\n').length;
const check = parsePrometheusText(text);
if (check.errors.length) throw new Error(`parse errors: ${JSON.stringify(check.errors.slice(0, 3))}`);
const samples = check.families.reduce((a, f) => a + f.samples.length, 0);
for (let i = 0; i < 5; i++) { parsePrometheusText(text); naive(text); } // warm-up
const ours = median(() => { parsePrometheusText(text); });
const base = median(() => { naive(text); });
const withQuantiles = median(() => { for (const f of parsePrometheusText(text).families) if (f.type === 'histogram') histogramSeries(f); });
console.log(`prometheus-parse  ${SERIES} series (${lines} lines, ${samples} samples, ${(text.length / 1e6).toFixed(1)} MB)  ours ${ours.toFixed(1)} ms (with histogram grouping ${withQuantiles.toFixed(1)} ms)  baseline naive regex ${base.toFixed(1)} ms  ratio ${(ours / base).toFixed(2)}×  target ≤ 50 ms  ${ours <= 50 ? 'PASS' : 'FAIL'}`);
