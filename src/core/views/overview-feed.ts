// What the Overview panel sends: the health/queue view-model plus the event stream, with the stream's
// position remembered so each delta carries exactly the rows after the last ones sent.
import type { ChangeSet } from '../store/change-set';
import type { MonitorStore } from '../store/monitor-store';
import { eventRowsSince, recentEventRows, type EventRow } from './event-stream';
import { buildOverviewDelta, buildOverviewSnapshot, type OverviewDelta, type OverviewSnapshot } from './overview-view';

export class OverviewFeed {
  private lastEventId = 0;
  /** The retention report last sent: a change of it alone (new retention settings) is news too. */
  private lastRetention = '';

  constructor(private readonly store: MonitorStore) {}

  snapshot(now: number): OverviewSnapshot & { readonly events: readonly EventRow[] } {
    const events = recentEventRows(this.store);
    this.lastEventId = this.store.eventCount();
    const snapshot = buildOverviewSnapshot(this.store, now);
    this.lastRetention = JSON.stringify(snapshot.retention);
    return { ...snapshot, events };
  }

  delta(change: ChangeSet, now: number): (OverviewDelta & { readonly events?: readonly EventRow[] }) | undefined {
    const base = buildOverviewDelta(this.store, change, now);
    const events = this.store.eventCount() > this.lastEventId ? eventRowsSince(this.store, this.lastEventId) : [];
    this.lastEventId = this.store.eventCount();
    const retentionChanged = JSON.stringify(this.store.retention()) !== this.lastRetention;
    if (events.length === 0 && !retentionChanged) return this.sent(base);
    if (base) return this.sent(events.length > 0 ? { ...base, events } : base);
    const { totals, retention, generatedAt } = buildOverviewSnapshot(this.store, now);
    return this.sent({ totals, retention, generatedAt, ...(events.length > 0 ? { events } : {}) });
  }

  private sent<T extends OverviewDelta | undefined>(delta: T): T {
    if (delta) this.lastRetention = JSON.stringify(delta.retention);
    return delta;
  }
}
