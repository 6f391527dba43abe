// What a Nexus task event does not repeat: `task_started` / `task_completed` carry no queue (only
// `task_enqueued` has `meta.queue`), and `task_completed` has no start time. The store replaces a task on every
// upsert, so without this memory a finished task would lose its start (and drop off the Timeline) and a started
// one would move to a queue-less key. Bounded: the oldest entries go first.
import type { Task } from '../../core/model/entities';

export interface RememberedTask {
  /** The task's id as first seen: what the mapper's tasks keep (each event's own copy dies young). */
  readonly id: string;
  queue?: string;
  createdAt?: number;
  startedAt?: number;
  /** The store key of the task under `keyQueue` (see `taskKeyOf`): built once per queue, not per event. */
  key?: string;
  keyQueue?: string;
  /** The mapper's upsert of this task waiting for its next drain, if any. */
  pending?: Task;
}

export class NexusTaskTimes {
  private readonly tasks = new Map<string, RememberedTask>();
  /** A live iterator over the keys, oldest first: see `evictOldest`. */
  private evictionCursor: MapIterator<string> | undefined;
  /** The task updated last: already at the end of the recency order, so its next update need not move it. */
  private newest: RememberedTask | undefined;

  constructor(private readonly capacity = 50_000) {}

  /**
   * Records what this event tells about task `id` and returns everything known so far. A `task_started` sets a
   * new start (a retry runs again); a finish without a known start takes `at - durationMs` when the event says.
   */
  update(id: string, eventType: string, at: number, fields: { queue?: string | undefined; durationMs?: number | null | undefined }): RememberedTask {
    const known = this.touch(id);
    if (fields.queue !== undefined) known.queue = fields.queue;
    if (eventType === 'task_enqueued') known.createdAt ??= at;
    if (eventType === 'task_started') known.startedAt = at;
    const finished = eventType === 'task_completed' || eventType === 'task_failed' || eventType === 'task_retry';
    if (finished && known.startedAt === undefined && typeof fields.durationMs === 'number' && Number.isFinite(fields.durationMs) && fields.durationMs >= 0) {
      known.startedAt = at - fields.durationMs;
    }
    return known;
  }

  /** The entry of `id` (a new one when unknown), moved to the end of the recency order. */
  private touch(id: string): RememberedTask {
    let known = this.tasks.get(id);
    if (known === undefined) {
      known = { id };
      this.tasks.set(id, known);
      if (this.tasks.size > this.capacity) this.evictOldest();
    } else if (known !== this.newest) {
      // A task's events come in runs (enqueued, started, completed): the common case skips the move. Moved under its
      // first id string: a fresh one per event would be kept by the map instead.
      this.tasks.delete(known.id);
      this.tasks.set(known.id, known);
    }
    this.newest = known;
    return known;
  }

  /** Remembers the priority list of a task (read from Redis state rather than from an event). */
  setQueue(id: string, queue: string): RememberedTask {
    const known = this.touch(id);
    known.queue = queue;
    return known;
  }

  /**
   * Drops the least recently updated task. `keys().next()` on a fresh iterator walks every slot deleted at the
   * front of the Map (V8 compacts lazily), microseconds per event at capacity; a live iterator resumes where it
   * stopped and still sees re-inserted keys at the end, in recency order (as MonitorStore's task eviction).
   */
  private evictOldest(): void {
    let next = this.evictionCursor?.next();
    if (!next || next.done) {
      this.evictionCursor = this.tasks.keys();
      next = this.evictionCursor.next();
    }
    if (!next.done) this.tasks.delete(next.value);
  }

  queueOf(id: string): string | undefined { return this.tasks.get(id)?.queue; }
}
