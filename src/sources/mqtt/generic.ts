// Generic MQTT: any JSON on the profile's topic filters (default `#`), mapped to tasks, workers and metric
// samples by the profile's field mapping (dot paths). Every topic also lands in the topic browser; messages
// the mapping does not cover are kept as generic events.
import type { FieldMapping } from '../../core/config/stream-options';
import type { MonitorEvent } from '../../core/model/events';
import type { WorkerStatus } from '../../core/model/entities';
import { getNumber, getPath, getString } from '../../core/util/json-path';
import { toEpochMs } from '../../core/util/timestamps';
import { MqttSourceBase, type MqttMessage } from './mqtt-source-base';

const WORKER_STATUSES = new Set<WorkerStatus>(['online', 'busy', 'idle', 'stale', 'offline', 'error', 'unknown']);

export class GenericMqttSource extends MqttSourceBase {
  protected filters(): string[] { return this.opts.topics ?? ['#']; }

  /** Without a mapping there is nothing to map: skip parsing (topic browser and generic events only). */
  protected override wantsJson(): boolean { return this.opts.mapping !== undefined; }

  protected handle(message: MqttMessage, json: unknown): boolean {
    const ctx = this.ctx;
    const mapping = this.opts.mapping;
    if (!ctx || !mapping || json === undefined || json === null || typeof json !== 'object') return false;
    return mapGenericJson(this.profile.id, mapping, json, message.topic, message.at, this.emitEntity) > 0;
  }
}

/** No labels: one shared (never mutated) object rather than one per sample. */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** Maps one JSON document by `mapping`, handing each event to `emit`; returns how many there were. */
export function mapGenericJson(connectionId: string, mapping: FieldMapping, json: unknown, topic: string, now: number, emit: (event: MonitorEvent) => void): number {
  let emitted = 0;
  const at = mapping.timestamp ? toEpochMs(getPath(json, mapping.timestamp), now) : now;
  const worker = getString(json, mapping.worker);
  const taskId = getString(json, mapping.taskId);
  const queue = getString(json, mapping.queue);
  if (taskId !== undefined) {
    const error = getString(json, mapping.error);
    emitted++;
    emit({
      type: 'task.upsert',
      task: {
        connectionId, system: 'generic', id: taskId.slice(0, 512), status: (getString(json, mapping.status) ?? 'unknown').slice(0, 64),
        queue: queue?.slice(0, 256), name: getString(json, mapping.name)?.slice(0, 256), worker: worker?.slice(0, 512),
        error: error?.slice(0, 2_000), updatedAt: at,
      },
    });
  }
  if (worker !== undefined) {
    const raw = (getString(json, mapping.workerStatus) ?? 'online').toLowerCase() as WorkerStatus;
    emitted++;
    emit({
      type: 'worker.upsert',
      worker: {
        connectionId, system: 'generic', id: worker.slice(0, 512), status: WORKER_STATUSES.has(raw) ? raw : 'unknown',
        lastSeen: at, queue: queue?.slice(0, 256), currentTask: taskId?.slice(0, 512), updatedAt: at,
      },
    });
  }
  const value = getNumber(json, mapping.metricValue ?? mapping.value);
  if (value !== undefined) {
    const name = (getString(json, mapping.metricName ?? mapping.metric) ?? topic).slice(0, 256);
    emitted++;
    emit({ type: 'metric', sample: { connectionId, system: 'generic', name, labels: queue ? { queue } : NO_LABELS, timestamp: at, value } });
  }
  return emitted;
}
