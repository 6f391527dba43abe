// Backpressure for push sources: entity events are aggregated by entity (the latest upsert of a worker, queue,
// workflow or task wins; the latest sample per series wins) and handed on once per tick, so a burst of updates
// to a few entities costs a few store writes. Memory is bounded: at `maxPending` distinct keys it flushes at
// once. Events without an entity (logs, generic events) pass straight through: nothing is queued without bound.
// The entity key is handed on with the event, so the store does not build and hash it a second time.
import type { MonitorEvent } from '../core/model/events';
import { queueKey, taskKey, workerKey, workflowKey } from '../core/model/keys';
import { seriesKey } from '../core/store/monitor-store';

export class LatestEventBuffer {
  /**
   * This tick's events in arrival order; a replaced one leaves a hole (undefined). With `slotByKey` (entity key →
   * index) a push is one Map get and one set and never a delete: deleting from a Map leaves holes V8 walks over.
   */
  private events: (MonitorEvent | undefined)[] = [];
  /** The entity key of each slot in `events`. */
  private keys: string[] = [];
  private slotByKey = new Map<string, number>();
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  private mergedCount = 0;

  constructor(
    private readonly emit: (event: MonitorEvent, entityKey?: string) => void,
    private readonly maxPending = 10_000,
    /** Metric samples pass straight through (every one kept) instead of the latest per series per tick. */
    private readonly everySample = false,
  ) {}

  push(event: MonitorEvent): void {
    const key = event.type === 'metric' && this.everySample ? undefined : entityKey(event);
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

  private readonly flushLater = (): void => this.flush();

  /** Events replaced by a later one for the same entity before they were handed on. */
  get merged(): number { return this.mergedCount; }
  get size(): number { return this.slotByKey.size; }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.events.length === 0) return;
    // Swapped out first: an emit may push again (re-entrancy), into the fresh batch.
    const batch = this.events;
    const keys = this.keys;
    this.events = [];
    this.keys = [];
    this.slotByKey = new Map();
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i];
      if (event !== undefined) this.emit(event, event.type === 'metric' ? undefined : keys[i]);
    }
  }

  /** Drops what is pending (the connection it came from is gone). */
  discard(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.events = [];
    this.keys = [];
    this.slotByKey.clear();
  }
}

function entityKey(event: MonitorEvent): string | undefined {
  switch (event.type) {
    case 'queue.upsert': return queueKey(event.queue.connectionId, event.queue.name);
    case 'queue.removed': return queueKey(event.connectionId, event.name);
    case 'worker.upsert': return workerKey(event.worker.connectionId, event.worker.id);
    case 'worker.removed': return workerKey(event.connectionId, event.id);
    case 'workflow.upsert': return workflowKey(event.workflow.connectionId, event.workflow.id);
    case 'task.upsert': return taskKey(event.task.connectionId, event.task.queue, event.task.id);
    case 'task.removed': return taskKey(event.connectionId, event.queue, event.id);
    case 'metric': return `metric:${seriesKey(event.sample)}`;
    default: return undefined;
  }
}
