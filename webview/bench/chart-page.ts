// Page script for bench/chart-100k.ts (not a panel: no main.ts here): draws the same 100k points with our chart (MetricChart: align,
// budget, theme colours, axes with units) and with bare uPlot, and reports each draw's time.
import uPlot from 'uplot';
import { MetricChart } from '../metrics/chart';
import type { Point } from '../../src/core/series/series-math';

const N = 100_000;
const T0 = Date.UTC(2025, 0, 1);
const points: Point[] = Array.from({ length: N }, (_, i) => [T0 + i * 1000, 50 + 40 * Math.sin(i / 3000) + (i % 97)] as Point);
const xs = points.map((p) => p[0] / 1000);
const ys = points.map((p) => p[1]);

const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

function host(): HTMLElement {
  document.body.replaceChildren();
  const el = document.createElement('div');
  el.style.width = '1000px';
  el.style.height = '500px';
  document.body.append(el);
  return el;
}

async function ours(): Promise<number> {
  const el = host();
  await frame();
  const t = performance.now();
  const chart = new MetricChart(el);
  chart.setSeries([{ key: 'k', label: 'series', unit: 'count', perSecond: false, points }]);
  await frame();
  const ms = performance.now() - t;
  chart.destroy();
  return ms;
}

async function bare(): Promise<number> {
  const el = host();
  await frame();
  const t = performance.now();
  const plot = new uPlot({ width: 1000, height: 500, series: [{}, { stroke: 'blue' }], scales: { x: { time: true } } }, [xs, ys], el);
  await frame();
  const ms = performance.now() - t;
  plot.destroy();
  return ms;
}

(window as unknown as { bench: () => Promise<{ ours: number[]; bare: number[] }> }).bench = async () => {
  const o: number[] = [], b: number[] = [];
  for (let i = 0; i < 2; i++) { await ours(); await bare(); } // warm-up
  for (let i = 0; i < 9; i++) { o.push(await ours()); b.push(await bare()); }
  return { ours: o, bare: b };
};
