// What the Overview panel sends: the health/queue view-model plus the event stream, with the stream's
// position remembered so each delta carries exactly the rows after the last ones sent.
import type { ChangeSet } from '../store/change-set';
import type { MonitorStore } from '../store/monitor-store';
import { eventRowsSince, recentEventRows, type EventRow } from './event-stream';
import { buildOverviewDelta, buildOverviewSnapshot, type OverviewDelta, type OverviewSnapshot } from './overview-view';

export class OverviewFeed {
  private lastEventId = 0;

  constructor(private readonly store: MonitorStore) {}

  snapshot(now: number): OverviewSnapshot & { readonly events: readonly EventRow[] } {
    const events = recentEventRows(this.store);
    this.lastEventId = this.store.eventCount();
    return { ...buildOverviewSnapshot(this.store, now), events };
  }

  delta(change: ChangeSet, now: number): (OverviewDelta & { readonly events?: readonly EventRow[] }) | undefined {
    const base = buildOverviewDelta(this.store, change, now);
    const events = this.store.eventCount() > this.lastEventId ? eventRowsSince(this.store, this.lastEventId) : [];
    this.lastEventId = this.store.eventCount();
    if (events.length === 0) return base;
    if (base) return { ...base, events };
    const { totals, retention, generatedAt } = buildOverviewSnapshot(this.store, now);
    return { totals, retention, generatedAt, events };
  }
}
