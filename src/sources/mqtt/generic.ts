// Generic MQTT: any JSON on the profile's topic filters (default `#`), mapped to tasks, workers and metric
// samples by the profile's field mapping (dot paths). Every topic also lands in the topic browser; messages
// the mapping does not cover are kept as generic events.
import type { FieldMapping } from '../../core/config/stream-options';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { Worker, WorkerStatus } from '../../core/model/entities';
import { workerKey } from '../../core/model/keys';
import { compilePath, readNumber, readString, type PathReader } from '../../core/util/json-path';
import { toEpochMs } from '../../core/util/timestamps';
import type { EventSink, PendingEntities } from '../latest-event-buffer';
import { MqttSourceBase, type MqttMessage, type MqttSourceOptions } from './mqtt-source-base';

const WORKER_STATUSES = new Set<WorkerStatus>(['online', 'busy', 'idle', 'stale', 'offline', 'error', 'unknown']);
/** Distinct workers held between drains before they are handed on at once (as the per-tick buffer bounds keys). */
const MAX_PENDING_WORKERS = 10_000;

export class GenericMqttSource extends MqttSourceBase {
  private readonly mapper: GenericJsonMapper | undefined;

  constructor(profile: ConnectionProfile, options: MqttSourceOptions = {}) {
    super(profile, options);
    this.mapper = this.opts.mapping ? new GenericJsonMapper(profile.id, this.opts.mapping) : undefined;
  }

  protected filters(): string[] { return this.opts.topics ?? ['#']; }

  /** Without a mapping there is nothing to map: skip parsing (topic browser and generic events only). */
  protected override wantsJson(): boolean { return this.mapper !== undefined; }

  protected handle(message: MqttMessage, json: unknown): boolean {
    const mapper = this.mapper;
    if (!this.ctx || !mapper || json === undefined || json === null || typeof json !== 'object') return false;
    return mapper.map(json, message.topic, message.at, this.sink()) > 0;
  }
}

/** `text` cut to `max` UTF-16 units; a shorter one as it is, without a `slice` call (several per message). */
function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

function cutOptional(text: string | undefined, max: number): string | undefined {
  return text === undefined || text.length <= max ? text : text.slice(0, max);
}

/** No labels: one shared (never mutated) object rather than one per sample. */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** A worker this mapper made and has not handed on yet: its fields are still the mapper's to overwrite. */
type PendingWorker = { -readonly [K in keyof Worker]: Worker[K] };

/**
 * Maps JSON documents by a profile's field mapping. The dot paths are split once here, not per message. Workers are
 * aggregated per drain: a heartbeat-like stream names the same few workers in every message, so the latest state
 * of each is kept in one object overwritten in place (no event, object or key per message) and handed on when the
 * sink drains (`defer`). Tasks and metric samples go to the sink as events (the per-tick buffer keeps the latest
 * task per key and every sample).
 */
export class GenericJsonMapper implements PendingEntities {
  private readonly timestamp: PathReader | undefined;
  private readonly worker: PathReader | undefined;
  private readonly taskId: PathReader | undefined;
  private readonly queue: PathReader | undefined;
  private readonly error: PathReader | undefined;
  private readonly status: PathReader | undefined;
  private readonly name: PathReader | undefined;
  private readonly workerStatus: PathReader | undefined;
  private readonly metricValue: PathReader | undefined;
  private readonly metricName: PathReader | undefined;
  /** Workers mapped since the last drain, by id (at most MAX_PENDING_WORKERS). */
  private pendingWorkers = new Map<string, PendingWorker>();

  constructor(private readonly connectionId: string, mapping: FieldMapping) {
    const compile = (path: string | undefined): PathReader | undefined => (path === undefined ? undefined : compilePath(path));
    this.timestamp = mapping.timestamp ? compile(mapping.timestamp) : undefined;
    this.worker = compile(mapping.worker);
    this.taskId = compile(mapping.taskId);
    this.queue = compile(mapping.queue);
    this.error = compile(mapping.error);
    this.status = compile(mapping.status);
    this.name = compile(mapping.name);
    this.workerStatus = compile(mapping.workerStatus);
    this.metricValue = compile(mapping.metricValue ?? mapping.value);
    this.metricName = compile(mapping.metricName ?? mapping.metric);
  }

  /** Workers waiting for the next drain. */
  get pendingWorkerCount(): number { return this.pendingWorkers.size; }

  /** Maps one JSON document into `sink`; returns how many entities it named (task, worker, metric sample). */
  map(json: unknown, topic: string, now: number, sink: EventSink): number {
    const connectionId = this.connectionId;
    let emitted = 0;
    const at = this.timestamp ? toEpochMs(this.timestamp(json), now) : now;
    const worker = readString(json, this.worker);
    const taskId = readString(json, this.taskId);
    const queue = readString(json, this.queue);
    if (taskId !== undefined) {
      const error = readString(json, this.error);
      emitted++;
      sink.push({
        type: 'task.upsert',
        task: {
          connectionId, system: 'generic', id: cut(taskId, 512), status: cut(readString(json, this.status) ?? 'unknown', 64),
          queue: cutOptional(queue, 256), name: cutOptional(readString(json, this.name), 256), worker: cutOptional(worker, 512),
          error: cutOptional(error, 2_000), updatedAt: at,
        },
      });
    }
    if (worker !== undefined) {
      const status = readString(json, this.workerStatus);
      const raw = (status === undefined ? 'online' : status.toLowerCase()) as WorkerStatus;
      emitted++;
      this.pendWorker(cut(worker, 512), WORKER_STATUSES.has(raw) ? raw : 'unknown', at, cutOptional(queue, 256), cutOptional(taskId, 512), sink);
    }
    const value = readNumber(json, this.metricValue);
    if (value !== undefined) {
      const name = cut(readString(json, this.metricName) ?? topic, 256);
      emitted++;
      sink.push({ type: 'metric', sample: { connectionId, system: 'generic', name, labels: queue ? { queue } : NO_LABELS, timestamp: at, value } });
    }
    return emitted;
  }

  /** Hands on the latest state of every worker mapped since the last drain, once each. */
  drainInto(sink: EventSink): void {
    if (this.pendingWorkers.size === 0) return;
    const workers = this.pendingWorkers;
    this.pendingWorkers = new Map();
    for (const [id, worker] of workers) sink.pushAggregated({ type: 'worker.upsert', worker }, workerKey(this.connectionId, id));
  }

  private pendWorker(id: string, status: WorkerStatus, at: number, queue: string | undefined, currentTask: string | undefined, sink: EventSink): void {
    const pending = this.pendingWorkers.get(id);
    if (pending !== undefined) {
      // Not handed on yet, so nobody else holds it: the latest message's values replace the earlier ones.
      pending.status = status;
      pending.lastSeen = at;
      pending.queue = queue;
      pending.currentTask = currentTask;
      pending.updatedAt = at;
      return;
    }
    const first = this.pendingWorkers.size === 0;
    this.pendingWorkers.set(id, { connectionId: this.connectionId, system: 'generic', id, status, lastSeen: at, queue, currentTask, updatedAt: at });
    if (this.pendingWorkers.size >= MAX_PENDING_WORKERS) this.drainInto(sink);
    else if (first) sink.defer(this);
  }
}
