// The chart behind the Metric charts panel: uPlot with theme colours from --vscode-* variables, our own
// (text-only) legend, drag-to-select a time range, and cheap live updates through setData. Kept free of Lit
// so the benchmark can time it against bare uPlot on the same data.
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css';
import { alignSeries, type AlignedData, type Point } from '../../src/core/series/series-math';
import { formatValue, type SeriesUnit } from '../../src/core/series/units';

export { uPlotCss };

export interface ChartSeries {
  readonly key: string;
  readonly label: string;
  readonly unit: SeriesUnit;
  readonly perSecond: boolean;
  readonly points: readonly Point[];
}

export interface ChartCallbacks {
  /** The user dragged over a range (ms), or reset it (undefined). */
  onSelectRange?(range: { from: number; to: number } | undefined): void;
  /** The cursor moved: the data index under it, or undefined when it left the plot. */
  onCursor?(index: number | undefined): void;
}

/** Series colours: VS Code's chart palette, so every theme (including high contrast) picks its own. */
export const CHART_COLOR_VARS = ['--vscode-charts-blue', '--vscode-charts-red', '--vscode-charts-green', '--vscode-charts-yellow', '--vscode-charts-purple', '--vscode-charts-orange'];
const FALLBACK = ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#b180d7', '#d18616'];

export function themeColor(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export function seriesColor(el: Element, i: number): string {
  const n = CHART_COLOR_VARS.length;
  return themeColor(el, CHART_COLOR_VARS[i % n]!, FALLBACK[i % n]!);
}

/** Shows sample dots when the visible samples are at least 8 px apart on average. */
const sparsePoints = (u: uPlot, seriesIdx: number): boolean => {
  const [i0, i1] = u.series[seriesIdx]?.idxs ?? [0, 0];
  let n = 0;
  const ys = u.data[seriesIdx] ?? [];
  for (let i = i0; i <= i1 && n < 2000; i++) if (ys[i] !== null && ys[i] !== undefined) n++;
  return n > 0 && u.bbox.width / n >= 8 * (window.devicePixelRatio || 1);
};

export class MetricChart {
  private plot: uPlot | undefined;
  private data: AlignedData = [[]];
  private shapeKey = '';
  private range: { from: number; to: number } | undefined;

  constructor(private readonly host: HTMLElement, private readonly callbacks: ChartCallbacks = {}) {}

  get aligned(): AlignedData { return this.data; }

  /** Draws `series`; rebuilds the plot only when the set of series changed, otherwise just swaps the data. */
  setSeries(series: readonly ChartSeries[], range?: { from: number; to: number }): void {
    this.range = range;
    this.data = alignSeries(series.map((s) => s.points));
    const shape = series.map((s) => `${s.key}|${s.unit}|${s.perSecond}`).join(',');
    if (!this.plot || shape !== this.shapeKey) {
      this.shapeKey = shape;
      this.rebuild(series);
      return;
    }
    this.plot.setData(this.data as uPlot.AlignedData, !range);
    if (range) this.plot.setScale('x', { min: range.from / 1000, max: range.to / 1000 });
  }

  resize(width: number, height: number): void { this.plot?.setSize({ width, height }); }

  /** Re-reads theme colours (after a theme change). */
  retheme(series: readonly ChartSeries[]): void { this.shapeKey = ''; this.setSeries(series, this.range); }

  destroy(): void { this.plot?.destroy(); this.plot = undefined; }

  private rebuild(series: readonly ChartSeries[]): void {
    this.plot?.destroy();
    const fg = themeColor(this.host, '--vscode-foreground', '#cccccc');
    const grid = themeColor(this.host, '--vscode-charts-lines', '#80808040');
    const units = [...new Set(series.map((s) => `${s.unit}|${s.perSecond}`))];
    const axisFor = (u: string): uPlot.Axis => {
      const [unit, ps] = u.split('|') as [SeriesUnit, string];
      return {
        scale: u, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 70,
        side: units.indexOf(u) === 0 ? 3 : 1,
        values: (_u, splits) => splits.map((v) => formatValue(v, unit, ps === 'true')),
      };
    };
    const rect = this.host.getBoundingClientRect();
    const opts: uPlot.Options = {
      width: Math.max(200, Math.floor(rect.width)),
      height: Math.max(150, Math.floor(rect.height)),
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, focus: { prox: 16 } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true }, ...Object.fromEntries(units.map((u) => [u, { auto: true }])) },
      axes: [{ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }, ...units.slice(0, 2).map(axisFor)],
      series: [{}, ...series.map((s, i) => ({
        label: s.label, scale: `${s.unit}|${s.perSecond}`, stroke: seriesColor(this.host, i), width: 1, spanGaps: true,
        // Dots only while the samples are sparse (a new or flat series would otherwise be an invisible 1 px line).
        points: { show: sparsePoints, size: 5, fill: seriesColor(this.host, i) },
      }))],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 4) return;
          const from = u.posToVal(u.select.left, 'x') * 1000, to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          this.callbacks.onSelectRange?.({ from, to });
        }],
        setCursor: [(u) => { const idx = u.cursor.idx; this.callbacks.onCursor?.(idx === null || idx === undefined ? undefined : idx); }],
      },
    };
    this.plot = new uPlot(opts, this.data as uPlot.AlignedData, this.host);
    if (this.range) this.plot.setScale('x', { min: this.range.from / 1000, max: this.range.to / 1000 });
  }
}
