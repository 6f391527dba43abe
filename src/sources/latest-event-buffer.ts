// Backpressure for push sources: entity events are aggregated by entity (the latest upsert of a worker, queue,
// workflow or task wins; the latest sample per series wins) and handed on once per tick, so a burst of updates
// to a few entities costs a few store writes. Memory is bounded: at `maxPending` distinct keys it flushes at
// once. Events without an entity (logs, generic events) pass straight through: nothing is queued without bound.
// A mapper that keeps entity state of its own (Nexus: tasks and workers) aggregates upstream instead: it marks the
// entities a frame touched and is drained into the buffer at the flush (`defer`), so a frame costs no event
// objects or keys for entities a later frame of the same tick replaces. The entity key is handed on with the event,
// so the store does not build and hash it a second time.
import type { MonitorEvent } from '../core/model/events';
import { eventEntityKey } from '../core/store/monitor-store';

/** Where mappers put their events: a LatestEventBuffer, or a plain collector (tests, one-off mapping). */
export interface EventSink {
  push(event: MonitorEvent): void;
  /** An entity event its owner aggregated already (one per entity per drain), with its `eventEntityKey`. */
  pushAggregated(event: MonitorEvent, entityKey: string): void;
  /** `pending` holds entity state it will push when drained; drained before this tick's events are handed on. */
  defer(pending: PendingEntities): void;
}

/** Entities aggregated by their owner during a tick, pushed into the sink at the flush. */
export interface PendingEntities {
  drainInto(sink: EventSink): void;
}

/** An EventSink collecting into an array; `defer`red entities are drained at once (no tick). */
export function collectInto(out: MonitorEvent[]): EventSink {
  const sink: EventSink = { push: (event) => { out.push(event); }, pushAggregated: (event) => { out.push(event); }, defer: (pending) => { pending.drainInto(sink); } };
  return sink;
}

export class LatestEventBuffer implements EventSink {
  /**
   * This tick's events in arrival order; a replaced one leaves a hole (undefined). With `slotByKey` (entity key →
   * index) a push is one Map get and one set and never a delete: deleting from a Map leaves holes V8 walks over.
   */
  private events: (MonitorEvent | undefined)[] = [];
  /** The entity key of `events[i]`, handed on with it so the store does not compute it again. */
  private keys: string[] = [];
  private slotByKey = new Map<string, number>();
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  /** Owners of aggregated entities to drain at the flush (usually one: the source's mapper). */
  private deferred: PendingEntities[] = [];
  private mergedCount = 0;

  constructor(
    private readonly emit: (event: MonitorEvent, entityKey?: string) => void,
    private readonly maxPending = 10_000,
    /** Metric samples pass straight through (every one kept) instead of the latest per series per tick. */
    private readonly everySample = false,
  ) {}

  push(event: MonitorEvent): void {
    const key = event.type === 'metric' && this.everySample ? undefined : eventEntityKey(event);
    if (key === undefined) {
      this.emit(event);
      return;
    }
    const previous = this.slotByKey.get(key);
    if (previous !== undefined) {
      this.events[previous] = undefined;
      this.mergedCount++;
    }
    this.slotByKey.set(key, this.events.length);
    this.events.push(event);
    this.keys.push(key);
    // Bounded by distinct keys, and by slots so a burst on one hot entity cannot grow the array without end.
    if (this.slotByKey.size >= this.maxPending || this.events.length >= 2 * this.maxPending) this.flush();
    else this.scheduled ??= setImmediate(this.flushLater);
  }

  /** Appended without the per-key slot: the owner guarantees one per entity per drain (a `push` earlier in the tick
   *  for the same entity is handed on before it, so the aggregated state still wins). */
  pushAggregated(event: MonitorEvent, entityKey: string): void {
    this.events.push(event);
    this.keys.push(entityKey);
    if (this.events.length >= 2 * this.maxPending) this.flush();
    else this.scheduled ??= setImmediate(this.flushLater);
  }

  defer(pending: PendingEntities): void {
    if (!this.deferred.includes(pending)) this.deferred.push(pending);
    this.scheduled ??= setImmediate(this.flushLater);
  }

  private readonly flushLater = (): void => this.flush();

  /** Events replaced by a later one for the same entity before they were handed on. */
  get merged(): number { return this.mergedCount; }
  get size(): number { return this.slotByKey.size; }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.deferred.length > 0) {
      const owners = this.deferred;
      this.deferred = [];
      for (const owner of owners) owner.drainInto(this);
    }
    if (this.events.length === 0) return;
    // Swapped out first: an emit may push again (re-entrancy), into the fresh batch.
    const batch = this.events;
    const keys = this.keys;
    this.events = [];
    this.keys = [];
    this.slotByKey = new Map();
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i];
      if (event !== undefined) this.emit(event, keys[i]);
    }
  }

  /** Drops what is pending (the connection it came from is gone). */
  discard(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.events = [];
    this.keys = [];
    this.deferred = [];
    this.slotByKey.clear();
  }
}
