// The Metric charts' client-side model: the catalogue, the samples of the selected series (bounded), and the
// transforms a chart needs (counters → per-second rates, a visible range, downsampling past a point budget).
import { counterRate, minMaxDownsample, sliceRange, type Point } from '../../src/core/series/series-math';
import type { MetricsDelta, MetricsSnapshot, SeriesData, SeriesInfo } from '../../src/protocol/metrics';
import type { ChartSeries } from './chart';

/** Samples kept per series in the page; the store keeps fewer, this only bounds a long-lived panel. */
export const MAX_POINTS_PER_SERIES = 200_000;
/** Points handed to the chart per series at most; beyond it, min/max downsampling keeps every spike. */
export const CHART_POINT_BUDGET = 200_000;

export function seriesLabel(s: Pick<SeriesInfo, 'name' | 'labels'>): string {
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(', ');
  return labels ? `${s.name}{${labels}}` : s.name;
}

function unflatten(flat: readonly number[]): Point[] {
  const out = new Array<Point>(flat.length >> 1);
  for (let i = 0, j = 0; i + 1 < flat.length; i += 2, j++) out[j] = [flat[i]!, flat[i + 1]!];
  return out;
}

export class MetricsModel {
  readonly catalog = new Map<string, SeriesInfo>();
  readonly points = new Map<string, Point[]>();
  selected: string[] = [];
  loaded = false;
  revision = 0;

  applySnapshot(s: MetricsSnapshot): void {
    this.catalog.clear();
    this.points.clear();
    for (const info of s.catalog) this.catalog.set(info.key, info);
    this.selected = [...s.selected];
    for (const d of s.data) this.points.set(d.key, unflatten(d.flat));
    this.loaded = true;
    this.revision++;
  }

  applyDelta(d: MetricsDelta): void {
    for (const info of d.added ?? []) this.catalog.set(info.key, info);
    for (const key of d.removed ?? []) { this.catalog.delete(key); this.points.delete(key); }
    for (const a of d.appended ?? []) this.append(a);
    this.revision++;
  }

  private append(a: SeriesData): void {
    const list = this.points.get(a.key) ?? [];
    for (const p of unflatten(a.flat)) list.push(p);
    if (list.length > MAX_POINTS_PER_SERIES) list.splice(0, list.length - MAX_POINTS_PER_SERIES);
    this.points.set(a.key, list);
  }

  /** Catalogue entries matching `filter` (name, labels, connection), sorted by name. */
  filtered(filter: string): SeriesInfo[] {
    const needle = filter.trim().toLowerCase();
    const out = [...this.catalog.values()].filter((s) => !needle || seriesLabel(s).toLowerCase().includes(needle) || s.connectionId.toLowerCase().includes(needle));
    return out.sort((a, b) => seriesLabel(a).localeCompare(seriesLabel(b)));
  }

  /** What the chart draws for the selected series: rates for counters, cut to `range`, within the budget. */
  chartSeries(range?: { from: number; to: number }): ChartSeries[] {
    const out: ChartSeries[] = [];
    for (const key of this.selected) {
      const info = this.catalog.get(key);
      if (!info) continue;
      let pts: readonly Point[] = this.points.get(key) ?? [];
      const perSecond = info.kind === 'counter';
      if (perSecond) pts = counterRate(pts);
      if (range) pts = sliceRange(pts, range.from, range.to);
      out.push({ key, label: seriesLabel(info), unit: info.unit, perSecond, points: minMaxDownsample(pts, CHART_POINT_BUDGET) });
    }
    return out;
  }
}
