// The generic field mapping: any JSON message, read through a per-profile mapping of dot paths (which field is
// the task id, the status, the worker, the queue, the timestamp, a metric name and value…), becomes the same
// normalized events the built-in systems produce. Transport-independent (WebSocket and Redis pub/sub feed it).
// Nothing matched = a generic event with a cut preview.
import type { FieldMapping } from '../core/config/websocket-options';
import type { MonitorEvent } from '../core/model/events';
import { previewLine } from '../core/util/preview';
import { finiteNumber, getPath, parseTimestamp, scalarText, workerStatus } from './websocket/ws-values';

export const MAX_RECORDS_PER_MESSAGE = 1_000;
const ACTIVE = new Set(['running', 'active', 'processing', 'started', 'busy', 'in_progress', 'working']);

export type MappingResult =
  | { readonly ok: true; readonly events: MonitorEvent[] }
  | { readonly ok: false; readonly kind: string; readonly detail: string };

export class GenericMapper {
  /** Latest value per queue and series name, so a queue's counts accumulate across messages (bounded). */
  private readonly queueCounts = new Map<string, Record<string, number>>();

  constructor(private readonly connectionId: string, private readonly mapping: FieldMapping, private readonly previewChars: number) {}

  /** Maps one parsed message; `text` is its raw form for previews; `fallbackName` names unmapped records (e.g. the channel). */
  map(message: unknown, text: string, now: number, fallbackName = 'message'): MappingResult {
    const m = this.mapping;
    let records: unknown[];
    if (m.items) {
      const items = getPath(message, m.items);
      if (!Array.isArray(items)) return { ok: false, kind: 'generic-items', detail: `"${m.items}" is not an array in ${text.slice(0, 120)}` };
      records = items;
    } else records = Array.isArray(message) ? message : [message];
    if (records.length > MAX_RECORDS_PER_MESSAGE) return { ok: false, kind: 'generic-too-many-records', detail: `${records.length} records in one message (limit ${MAX_RECORDS_PER_MESSAGE})` };
    const events: MonitorEvent[] = [];
    for (const r of records) {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) return { ok: false, kind: 'generic-record', detail: `a record must be a JSON object: ${text.slice(0, 120)}` };
      const before = events.length;
      this.mapRecord(r, now, events);
      if (events.length === before) {
        const name = (m.eventType && (scalarText(getPath(r, m.eventType), 200) ?? scalarText(getPath(message, m.eventType), 200))) || fallbackName;
        events.push({ type: 'generic', connectionId: this.connectionId, name, summary: previewLine(records.length === 1 ? text : JSON.stringify(r), this.previewChars), at: now });
      }
    }
    return { ok: true, events };
  }

  private mapRecord(r: object, now: number, out: MonitorEvent[]): void {
    const m = this.mapping;
    const read = (path: string | undefined): string | undefined => (path ? scalarText(getPath(r, path)) : undefined);
    const at = (m.timestamp ? parseTimestamp(getPath(r, m.timestamp)) : undefined) ?? now;
    const taskId = read(m.taskId);
    const status = read(m.status);
    const worker = read(m.worker);
    const queue = read(m.queue);
    const base = { connectionId: this.connectionId, system: 'generic' as const };
    if (taskId) {
      out.push({
        type: 'task.upsert',
        task: { ...base, id: taskId, queue, name: read(m.name), status: status ?? 'unknown', worker, workflowId: read(m.workflowId), error: read(m.error)?.slice(0, 2_000), updatedAt: at },
      });
    }
    if (worker) {
      const active = status !== undefined && ACTIVE.has(status.toLowerCase());
      const ws = taskId ? (active ? 'busy' : 'online') : status ? workerStatus(status) : 'online';
      out.push({ type: 'worker.upsert', worker: { ...base, id: worker, status: ws === 'unknown' ? 'online' : ws, queue, currentTask: active ? taskId : undefined, lastSeen: at, updatedAt: at } });
    }
    const valuePath = m.value ?? m.metricValue;
    const metricPath = m.metric ?? m.metricName;
    const value = valuePath ? finiteNumber(getPath(r, valuePath)) : undefined;
    if (value !== undefined) {
      const name = (metricPath?.startsWith('=') ? metricPath.slice(1) : read(metricPath))?.slice(0, 200) ?? 'value';
      const labels: Record<string, string> = {};
      if (queue) labels['queue'] = queue;
      if (worker) labels['worker'] = worker;
      out.push({ type: 'metric', sample: { ...base, name, labels, timestamp: at, value } });
      if (queue && !taskId) {
        if (!this.queueCounts.has(queue) && this.queueCounts.size >= 10_000) this.queueCounts.delete(this.queueCounts.keys().next().value as string);
        const counts = { ...this.queueCounts.get(queue), [name]: value };
        if (Object.keys(counts).length <= 50) this.queueCounts.set(queue, counts);
        out.push({ type: 'queue.upsert', queue: { ...base, name: queue, counts: this.queueCounts.get(queue) ?? counts, updatedAt: at } });
      }
    }
  }
}
