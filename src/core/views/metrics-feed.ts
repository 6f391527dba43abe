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
      data.push({ key, flat: s.samples.flatAfter(-Infinity) });
      this.lastSent.set(key, s.samples.last()?.[0] ?? -Infinity);
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
      // New samples are at the end of the ring: only those are read.
      const flat = s.samples.flatAfter(after);
      if (flat.length === 0) continue;
      appended.push({ key, flat });
      this.lastSent.set(key, flat[flat.length - 2]!);
    }
    if (added.length === 0 && removed.length === 0 && appended.length === 0) return undefined;
    return { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}), ...(appended.length ? { appended } : {}), generatedAt: now };
  }
}
