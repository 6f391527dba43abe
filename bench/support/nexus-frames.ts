// The Nexus MonitoringEvent frames the ingest benchmarks send: one task's enqueue/start/complete in a row, eight
// workers, distinct event ids and timestamps (as the Nexus emitter writes them, ~400 B each).
import { randomUUID } from 'node:crypto';

export function nexusBenchFrames(count: number): string[] {
  const frames: string[] = [];
  const types = ['task_enqueued', 'task_started', 'task_completed'] as const;
  for (let i = 0; i < count; i++) {
    const t = types[i % 3] as string;
    frames.push(JSON.stringify({
      event_id: randomUUID(), ts: new Date(1_767_225_600_000 + i).toISOString(), event_type: t, project_id: 'bench', parent_task_id: 'research_1',
      task_id: `task-${Math.floor(i / 3)}`, task_type: 'search', phase: null, worker_id: i % 8, retry_count: 0,
      status: t === 'task_enqueued' ? 'pending' : t === 'task_started' ? 'processing' : 'completed', duration_ms: t === 'task_completed' ? 120 : null,
      counts: null, queue: null, message: null, error: null, meta: t === 'task_enqueued' ? { priority: 1, queue: 'nexus:tasks:normal_priority' } : null,
    }));
  }
  return frames;
}
