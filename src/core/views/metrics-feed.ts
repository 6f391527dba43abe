// What the Metric charts panel is sent: the catalogue of series in the store and, for the selected series,
// their samples — everything once in a snapshot, then only samples newer than the last ones sent.
import { seriesMeaning } from '../series/units';
import type { ChangeSet } from '../store/change-set';
import type { MetricSeries, MonitorStore } from '../store/monitor-store';

export interface SeriesInfoView {
  readonly key: string;
  readonly connectionId: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kind: ReturnType<typeof seriesMeaning>['kind'];
  readonly unit: ReturnType<typeof seriesMeaning>['unit'];
  readonly samples: number;
}

export interface SeriesDataView { readonly key: string; readonly flat: number[] }

export function seriesInfo(s: MetricSeries): SeriesInfoView {
  const { kind, unit } = seriesMeaning(s.name);
  return { key: s.key, connectionId: s.connectionId, name: s.name, labels: s.labels, kind, unit, samples: s.samples.size };
}

function flatten(points: readonly (readonly [number, number])[], after: number): number[] {
  const flat: number[] = [];
  for (const [t, v] of points) if (t > after) flat.push(t, v);
  return flat;
}

export class MetricsFeed {
  private selected: string[] = [];
  private readonly lastSent = new Map<string, number>();
  private readonly catalogKeys = new Set<string>();

  constructor(private readonly store: MonitorStore, private readonly maxSelected: number) {}

  get selection(): readonly string[] { return this.selected; }

  select(keys: readonly string[]): void {
    this.selected = [...new Set(keys)].slice(0, this.maxSelected);
  }

  snapshot(now: number): { catalog: SeriesInfoView[]; selected: string[]; data: SeriesDataView[]; generatedAt: number } {
    const all = this.store.series();
    this.catalogKeys.clear();
    for (const s of all) this.catalogKeys.add(s.key);
    const byKey = new Map(all.map((s) => [s.key, s]));
    this.lastSent.clear();
    const data: SeriesDataView[] = [];
    for (const key of this.selected) {
      const s = byKey.get(key);
      if (!s) continue;
      const points = s.samples.toArray();
      data.push({ key, flat: flatten(points, -Infinity) });
      this.lastSent.set(key, points.at(-1)?.[0] ?? -Infinity);
    }
    return { catalog: all.map(seriesInfo), selected: [...this.selected], data, generatedAt: now };
  }

  delta(change: ChangeSet, now: number): { added?: SeriesInfoView[]; removed?: string[]; appended?: SeriesDataView[]; generatedAt: number } | undefined {
    if (change.metrics === 0 && change.connections.size === 0) return undefined;
    const all = this.store.series();
    const present = new Set<string>();
    const added: SeriesInfoView[] = [];
    const byKey = new Map<string, MetricSeries>();
    for (const s of all) {
      present.add(s.key);
      byKey.set(s.key, s);
      if (!this.catalogKeys.has(s.key)) { this.catalogKeys.add(s.key); added.push(seriesInfo(s)); }
    }
    const removed = [...this.catalogKeys].filter((k) => !present.has(k));
    for (const k of removed) { this.catalogKeys.delete(k); this.lastSent.delete(k); }
    const appended: SeriesDataView[] = [];
    for (const key of this.selected) {
      const s = byKey.get(key);
      if (!s) continue;
      const after = this.lastSent.get(key) ?? -Infinity;
      // New samples are at the end of the ring: read backwards only as far as needed.
      const fresh = s.samples.newest(s.samples.size);
      let n = 0;
      while (n < fresh.length && fresh[n]![0] > after) n++;
      if (n === 0) continue;
      const points = fresh.slice(0, n).reverse();
      appended.push({ key, flat: flatten(points, after) });
      this.lastSent.set(key, points.at(-1)![0]);
    }
    if (added.length === 0 && removed.length === 0 && appended.length === 0) return undefined;
    return { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}), ...(appended.length ? { appended } : {}), generatedAt: now };
  }
}
