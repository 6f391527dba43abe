// Metric samples aggregated by the mapper that makes them: the latest value per series since the last drain, handed
// on once per tick with its series key. A mapper that derives several samples from every frame (Nexus: phase
// activity, task counts per status and research task, queue depths) would otherwise build a labels object, a sample
// and the series key (`seriesKey`: label names sorted and joined) per sample, only for LatestEventBuffer to keep
// the last of them. Here the labels and the key are built once per series, and a sample costs a Map lookup.
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

/** Series remembered for their labels and key; past it the least recently added is forgotten (and rebuilt if seen again). */
const DEFAULT_MAX_SERIES = 10_000;
/** Series changed in one tick before they are pushed on regardless (bounded like LatestEventBuffer). */
const MAX_PENDING = 10_000;

export class LatestSamples implements PendingEntities {
  private readonly slots = new Map<string, SeriesSlot>();
  private pending: SeriesSlot[] = [];

  constructor(
    private readonly connectionId: string,
    private readonly system: SystemId,
    private readonly maxSeries = DEFAULT_MAX_SERIES,
  ) {}

  /**
   * Records `value` for the series `name{k1=v1,k2=v2}` (zero, one or two labels; a label whose name is undefined is
   * absent) and marks it for the next drain of `out`.
   */
  set(out: EventSink, name: string, value: number, at: number, k1?: string, v1?: string, k2?: string, v2?: string): void {
    // NUL cannot occur in a label name; values are compared with their names, so `{a=x}` and `{b=x}` differ.
    const lookup = k1 === undefined ? name : k2 === undefined ? `${name}\0${k1}\0${v1}` : `${name}\0${k1}\0${v1}\0${k2}\0${v2}`;
    let slot = this.slots.get(lookup);
    if (slot === undefined) {
      const labels: Record<string, string> = {};
      if (k1 !== undefined) labels[k1] = v1 ?? '';
      if (k2 !== undefined) labels[k2] = v2 ?? '';
      slot = { name, labels, key: seriesKey({ connectionId: this.connectionId, name, labels }), value, timestamp: at, pending: false };
      if (this.slots.size >= this.maxSeries) this.slots.delete(this.slots.keys().next().value as string);
      this.slots.set(lookup, slot);
    } else {
      slot.value = value;
      slot.timestamp = at;
    }
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
