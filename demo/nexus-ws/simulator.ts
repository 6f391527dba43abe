// A Nexus Agents `/ws/monitor` server (src/api/monitoring_ws.py @ 415fe5cc; shared/reference/protocols.md §2):
// raw MonitoringEvent JSON frames with every field present, the snapshot on connect, `{"type":"ping"}` every
// `pingMs`, `ping` → `{"type":"pong"}`, the `project_id` / `task_id` (matched against parent_task_id) / `types`
// / `stats_only` filters, and stats_snapshot events delivered twice (they go out on two Redis channels).
// Simulated: a worker pool with heartbeats, tasks through the three priority queues, and a research task
// moving through its phases. Run standalone: node --import tsx demo/nexus-ws/simulator.ts [--port N]
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { pythonUtcIso, seededRandom, startSimServer, type SimServer } from '../support/ws-sim-server';

export interface NexusSimulatorOptions {
  readonly port?: number;
  /** One simulation step this often; 0 = only on `step()`. Default 500 ms. */
  readonly tickMs?: number;
  /** Server keepalive interval (the real server: 30 s). */
  readonly pingMs?: number;
  readonly workers?: number;
  readonly seed?: number;
  readonly projectId?: string;
  readonly log?: (msg: string) => void;
}

export interface NexusSimulator {
  readonly url: string;
  readonly port: number;
  readonly server: SimServer;
  step(): void;
  /** Stops the ticking (nothing changes until `resume()`); `step()` still works. */
  pause(): void;
  resume(): void;
  /** Sends a MonitoringEvent through the server's filters to every client (tests). */
  publish(event: Partial<NexusEvent>): NexusEvent;
  sendRaw(text: string): void;
  /** Query strings of the connections made so far, and how many `ping` texts were answered. */
  readonly connectQueries: URLSearchParams[];
  pongsSent(): number;
  state(): { queue: Record<string, number>; workersOnline: number; workers: Record<string, 'online' | 'busy' | 'offline'>; counts: Record<string, number>; phase: string };
  stop(): Promise<void>;
}

export interface NexusEvent {
  event_id: string; ts: string; event_type: string; project_id: string | null; parent_task_id: string | null; task_id: string | null;
  task_type: string | null; phase: string | null; worker_id: number | null; retry_count: number | null; status: string | null;
  duration_ms: number | null; counts: Record<string, number> | null; queue: Record<string, number> | null; message: string | null;
  error: string | null; meta: Record<string, unknown> | null;
}

const PRIORITIES = ['low_priority', 'normal_priority', 'high_priority'] as const;
const TASK_TYPES = ['search', 'summarization', 'entity_extraction', 'reasoning'] as const;
export const NEXUS_PHASES = ['enumeration', 'search', 'extraction', 'enrichment', 'resolution', 'storage'] as const;
const STATS_TYPES = new Set(['stats_snapshot', 'queue_depth_update']);

interface Client { socket: WebSocket; projectId?: string; taskId?: string; types?: Set<string>; statsOnly: boolean }
interface SimTask { id: string; type: string; priority: number; retries: number; worker?: number; startedAt?: number }

export async function startNexusSimulator(opts: NexusSimulatorOptions = {}): Promise<NexusSimulator> {
  const random = seededRandom(opts.seed ?? 7);
  const projectId = opts.projectId ?? 'default_project';
  const clients = new Set<Client>();
  const connectQueries: URLSearchParams[] = [];
  let pongs = 0;
  const queues: SimTask[][] = [[], [], []];
  const workerCount = opts.workers ?? 4;
  const workers = new Map<number, { status: 'online' | 'busy' | 'offline'; task?: SimTask }>();
  const parent = `research_${randomUUID().slice(0, 8)}`;
  const counts = { completed: 0, failed: 0, pending: 0, processing: 0 };
  let phaseIndex = -1;
  let stepNo = 0;

  const event = (fields: Partial<NexusEvent>): NexusEvent => ({
    event_id: randomUUID(), ts: pythonUtcIso(), event_type: 'stats_snapshot', project_id: null, parent_task_id: null, task_id: null,
    task_type: null, phase: null, worker_id: null, retry_count: null, status: null, duration_ms: null, counts: null, queue: null,
    message: null, error: null, meta: null, ...fields,
  });
  const passes = (c: Client, e: NexusEvent): boolean => {
    if (c.statsOnly && !STATS_TYPES.has(e.event_type)) return false;
    if (c.types && !c.types.has(e.event_type)) return false;
    if (c.projectId && e.project_id !== c.projectId) return false;
    if (c.taskId && e.parent_task_id !== c.taskId) return false; // task_id filters on the parent (the research task)
    return true;
  };
  const publish = (fields: Partial<NexusEvent>): NexusEvent => {
    const e = event(fields);
    const text = JSON.stringify(e);
    // stats events are published to nexus:events and nexus:events:stats; the server listens to both.
    const copies = STATS_TYPES.has(e.event_type) ? 2 : 1;
    for (const c of clients) if (passes(c, e) && c.socket.readyState === c.socket.OPEN) for (let i = 0; i < copies; i++) c.socket.send(text);
    return e;
  };
  const depth = (): Record<string, number> => ({ high_priority: queues[2]!.length, normal_priority: queues[1]!.length, low_priority: queues[0]!.length });
  const online = (): number => [...workers.values()].filter((w) => w.status !== 'offline').length;

  const server = await startSimServer((socket, request) => {
    const q = new URL(request.url ?? '/', 'http://x').searchParams;
    connectQueries.push(q);
    const types = q.get('types');
    const c: Client = {
      socket, projectId: q.get('project_id') ?? undefined, taskId: q.get('task_id') ?? undefined,
      types: types ? new Set(types.split(',').map((t) => t.trim()).filter(Boolean)) : undefined, statsOnly: q.get('stats_only') === 'true',
    };
    clients.add(c);
    socket.on('message', (data) => {
      if (data.toString() === 'ping') {
        pongs++;
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.on('close', () => clients.delete(c));
    socket.on('error', () => undefined);
    socket.send(JSON.stringify({
      event_id: 'snapshot', ts: pythonUtcIso(), event_type: 'stats_snapshot', project_id: c.projectId ?? null, parent_task_id: c.taskId ?? null,
      queue: depth(), meta: { workers_online: online(), snapshot: true },
    }));
  }, { port: opts.port, path: '/ws/monitor' });

  const pingTimer = setInterval(() => { for (const c of clients) if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify({ type: 'ping' })); }, opts.pingMs ?? 30_000);
  pingTimer.unref?.();

  const step = (): void => {
    stepNo++;
    // Workers come up over the first steps; one stops for a while later on.
    if (workers.size < workerCount) {
      const id = workers.size;
      workers.set(id, { status: 'online' });
      publish({ event_type: 'worker_started', worker_id: id, message: `Worker ${id} started` });
    }
    if (stepNo % 40 === 20 && workers.get(workerCount - 1)?.status === 'online') {
      workers.set(workerCount - 1, { status: 'offline' });
      publish({ event_type: 'worker_stopped', worker_id: workerCount - 1, message: `Worker ${workerCount - 1} stopped` });
    } else if (stepNo % 40 === 35 && workers.get(workerCount - 1)?.status === 'offline') {
      workers.set(workerCount - 1, { status: 'online' });
      publish({ event_type: 'worker_started', worker_id: workerCount - 1, message: `Worker ${workerCount - 1} started` });
    }
    // Enqueue one or two tasks.
    for (let n = 0; n < 1 + Math.floor(random() * 2); n++) {
      const priority = Math.floor(random() * 3);
      const t: SimTask = { id: randomUUID(), type: TASK_TYPES[Math.floor(random() * TASK_TYPES.length)] as string, priority, retries: 0 };
      queues[priority]!.unshift(t);
      counts.pending++;
      publish({ event_type: 'task_enqueued', task_id: t.id, parent_task_id: parent, project_id: projectId, task_type: t.type, status: 'pending', meta: { priority, queue: `nexus:tasks:${PRIORITIES[priority]}` } });
    }
    for (const [id, w] of workers) {
      if (w.status === 'busy' && w.task && random() < 0.6) {
        const t = w.task;
        const duration = Math.round(200 + random() * 3000);
        const base = { task_id: t.id, parent_task_id: parent, project_id: projectId, task_type: t.type, worker_id: id, duration_ms: duration };
        counts.processing--;
        if (random() < 0.12) {
          if (t.retries < 2) {
            t.retries++;
            queues[t.priority]!.unshift(t);
            counts.pending++;
            publish({ ...base, event_type: 'task_retry', status: 'retrying', retry_count: t.retries, error: 'rate limited by provider' });
          } else {
            counts.failed++;
            publish({ ...base, event_type: 'task_failed', status: 'failed', retry_count: t.retries, error: 'gave up after 2 retries' });
          }
        } else {
          counts.completed++;
          publish({ ...base, event_type: 'task_completed', status: 'completed' });
        }
        workers.set(id, { status: 'online' });
      } else if (w.status === 'online') {
        const q = [queues[2]!, queues[1]!, queues[0]!].find((x) => x.length > 0);
        const t = q?.pop();
        if (t) {
          counts.pending--;
          counts.processing++;
          workers.set(id, { status: 'busy', task: t });
          publish({ event_type: 'task_started', task_id: t.id, parent_task_id: parent, project_id: projectId, task_type: t.type, worker_id: id, status: 'processing', retry_count: t.retries });
        }
      }
      if (stepNo % 4 === 0 && workers.get(id)?.status !== 'offline') publish({ event_type: 'worker_heartbeat', worker_id: id });
    }
    // The research task moves through its phases.
    if (stepNo % 6 === 1) {
      if (phaseIndex >= 0 && phaseIndex < NEXUS_PHASES.length) publish({ event_type: 'phase_completed', phase: NEXUS_PHASES[phaseIndex], parent_task_id: parent, project_id: projectId, message: `${NEXUS_PHASES[phaseIndex]} done` });
      phaseIndex = (phaseIndex + 1) % NEXUS_PHASES.length;
      publish({ event_type: 'phase_started', phase: NEXUS_PHASES[phaseIndex], parent_task_id: parent, project_id: projectId, message: `${NEXUS_PHASES[phaseIndex]} started`, counts: { subspaces: 3 + phaseIndex } });
    }
    if (stepNo % 2 === 0) publish({ event_type: 'stats_snapshot', queue: depth() });
    if (stepNo % 3 === 0) publish({ event_type: 'stats_snapshot', parent_task_id: parent, project_id: projectId, counts: { ...counts } });
  };
  const tickMs = opts.tickMs ?? 500;
  let timer: ReturnType<typeof setInterval> | undefined;
  const resume = (): void => {
    if (timer || tickMs <= 0) return;
    timer = setInterval(step, tickMs);
    timer.unref?.();
  };
  const pause = (): void => { if (timer) clearInterval(timer); timer = undefined; };
  resume();
  const url = `ws://127.0.0.1:${server.port}/ws/monitor`;
  opts.log?.(`Nexus /ws/monitor simulator on ${url}`);
  return {
    url, port: server.port, server, step, pause, resume, publish, connectQueries,
    sendRaw: (text) => { for (const c of clients) if (c.socket.readyState === c.socket.OPEN) c.socket.send(text); },
    pongsSent: () => pongs,
    state: () => ({
      queue: depth(), workersOnline: online(), counts: { ...counts }, phase: NEXUS_PHASES[Math.max(0, phaseIndex)] as string,
      workers: Object.fromEntries([...workers].map(([id, w]) => [String(id), w.status])),
    }),
    stop: async () => {
      pause();
      clearInterval(pingTimer);
      await server.close();
    },
  };
}

if (process.argv[1] && /nexus-ws[\\/]simulator\.ts$/.test(process.argv[1])) {
  const i = process.argv.indexOf('--port');
  void startNexusSimulator({ port: i > 0 ? Number(process.argv[i + 1]) : 0 }).then((sim) => {
    process.stdout.write(`READY ${sim.url}\n`);
    process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)));
  });
}
