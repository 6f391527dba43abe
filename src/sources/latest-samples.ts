// Metric samples aggregated by the mapper that makes them: the latest value per series since the last drain, handed
// on once per tick with its series key. A mapper that derives several samples from every frame (Nexus: phase
// activity, task counts per status and research task, queue depths) would otherwise build a labels object, a sample
// and the series key (`seriesKey`: label names sorted and joined) per sample, only for LatestEventBuffer to keep
// the last of them. Here a mapper declares each metric once, with its label names (`family`), the labels and key of a
// series are built once, and a sample costs one or two Map lookups by its label values (no key string per sample).
import type { SystemId } from '../core/model/connection';
import type { EventSink, PendingEntities } from './latest-event-buffer';
import { seriesKey } from '../core/store/monitor-store';

interface SeriesSlot {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `seriesKey` of the series: the store's key, computed once. */
  readonly key: string;
  value: number;
  timestamp: number;
  pending: boolean;
}

/** Series remembered for their labels and key; past it every family starts over (series are rebuilt when seen again). */
const DEFAULT_MAX_SERIES = 10_000;
/** Series changed in one tick before they are pushed on regardless (bounded like LatestEventBuffer). */
const MAX_PENDING = 10_000;

/** One metric and its label names (none, one or two): its series by label values. */
export class SeriesFamily {
  /** Without labels: the one series. With one label: by its value. With two: by the first value, then the second. */
  private single: SeriesSlot | undefined;
  private readonly byValue = new Map<string, SeriesSlot>();
  private readonly byTwoValues = new Map<string, Map<string, SeriesSlot>>();

  constructor(
    private readonly owner: LatestSamples,
    private readonly name: string,
    private readonly firstLabel?: string,
    private readonly secondLabel?: string,
  ) {}

  /** Records `value` for the series of these label values (as many as the family has labels) and marks it pending. */
  set(out: EventSink, value: number, at: number, firstValue = '', secondValue = ''): void {
    let slot: SeriesSlot | undefined;
    if (this.firstLabel === undefined) {
      slot = this.single ??= this.owner.newSlot(this.name, {});
    } else if (this.secondLabel === undefined) {
      slot = this.byValue.get(firstValue);
      if (slot === undefined) {
        slot = this.owner.newSlot(this.name, { [this.firstLabel]: firstValue });
        this.byValue.set(firstValue, slot);
      }
    } else {
      let inner = this.byTwoValues.get(firstValue);
      if (inner === undefined) this.byTwoValues.set(firstValue, (inner = new Map()));
      slot = inner.get(secondValue);
      if (slot === undefined) {
        slot = this.owner.newSlot(this.name, { [this.firstLabel]: firstValue, [this.secondLabel]: secondValue });
        inner.set(secondValue, slot);
      }
    }
    slot.value = value;
    slot.timestamp = at;
    this.owner.changed(out, slot);
  }

  clear(): void {
    this.single = undefined;
    this.byValue.clear();
    this.byTwoValues.clear();
  }
}

export class LatestSamples implements PendingEntities {
  private readonly families: SeriesFamily[] = [];
  private slotCount = 0;
  private pending: SeriesSlot[] = [];

  constructor(
    private readonly connectionId: string,
    private readonly system: SystemId,
    private readonly maxSeries = DEFAULT_MAX_SERIES,
  ) {}

  /** The metric `name` with these label names (a label a series does not have is not declared: use another family). */
  family(name: string, firstLabel?: string, secondLabel?: string): SeriesFamily {
    const family = new SeriesFamily(this, name, firstLabel, secondLabel);
    this.families.push(family);
    return family;
  }

  /** A series' slot, its labels and key built once. At the bound every family forgets its series first. */
  newSlot(name: string, labels: Record<string, string>): SeriesSlot {
    if (this.slotCount >= this.maxSeries) {
      for (const family of this.families) family.clear();
      this.slotCount = 0;
    }
    this.slotCount++;
    return { name, labels, key: seriesKey({ connectionId: this.connectionId, name, labels }), value: 0, timestamp: 0, pending: false };
  }

  /** Marks a slot changed: it goes out at the next drain of `out`. */
  changed(out: EventSink, slot: SeriesSlot): void {
    if (!slot.pending) {
      slot.pending = true;
      this.pending.push(slot);
    }
    if (this.pending.length >= MAX_PENDING) this.drainInto(out);
    else out.defer(this);
  }

  drainInto(sink: EventSink): void {
    if (this.pending.length === 0) return;
    const slots = this.pending;
    this.pending = [];
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] as SeriesSlot;
      s.pending = false;
      sink.pushAggregated({ type: 'metric', sample: { connectionId: this.connectionId, system: this.system, name: s.name, labels: s.labels, timestamp: s.timestamp, value: s.value } }, s.key);
    }
  }
}
