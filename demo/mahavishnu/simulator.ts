// A Mahavishnu-protocol WebSocket server (mcp-common WebSocketMessage envelope, mahavishnu/websocket/server.py
// requests and events; shared/reference/protocols.md §4) with simulated pools whose workers change state and
// workflows moving through stages. Optional JWT (HS256) auth with the permission ACL of the real server, the
// 100/s (burst 150) rate limit, DECODE_ERROR / UNKNOWN_REQUEST / FORBIDDEN / AUTH_FAILED / AUTH_REQUIRED.
// Run standalone: node --import tsx demo/mahavishnu/simulator.ts [--port N] [--auth] [--tick MS]
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';
import { pythonLocalIso, seededRandom, startSimServer, type SimServer } from '../support/ws-sim-server';

export interface MahavishnuSimulatorOptions {
  readonly port?: number;
  /** When set, the first frame must be `auth` with a JWT signed by this secret (HS256). */
  readonly jwtSecret?: string;
  /** One simulation step this often; 0 = only when `step()` is called. Default 700 ms. */
  readonly tickMs?: number;
  readonly seed?: number;
  readonly log?: (msg: string) => void;
}

export interface MahavishnuSimulator {
  readonly url: string;
  readonly port: number;
  readonly server: SimServer;
  /** Rooms a profile should subscribe to for the whole simulation. */
  readonly channels: readonly string[];
  /** Advances the simulation one step (workers change state, a workflow stage completes…). */
  step(): void;
  /** Sends an event envelope to every socket in `room` (exactly as the server's broadcast_to_room). */
  broadcast(room: string, event: string, data: Record<string, unknown>): void;
  /** Sends raw text to every connected client (tests: malformed frames, the second frame shape). */
  sendRaw(text: string): void;
  /** Requests received, in order (`event` of each request frame). */
  readonly requests: string[];
  /** Rooms each open connection is subscribed to. */
  subscriptions(): string[][];
  /** Current truth, for assertions. */
  state(): { pools: Record<string, { queueSize: number; workers: Record<string, string> }>; workflows: Record<string, { stage: number; stages: string[]; status: string }> };
  stop(): Promise<void>;
}

const MESSAGE_TYPES = new Set(['request', 'subscribe', 'unsubscribe', 'ping', 'response', 'event', 'error', 'pong', 'ack']);
const WORKER_STATES = ['idle', 'busy', 'busy', 'idle', 'error', 'offline'] as const;
export const MAHAVISHNU_DEMO_POOLS = [
  { id: 'pool_local', workers: 4, about: 'local workers running prompts' },
  { id: 'pool_gpu', workers: 2, about: 'GPU workers for embeddings' },
] as const;
export const MAHAVISHNU_DEMO_WORKFLOWS = [
  { id: 'wf_ingest', stages: ['fetch', 'chunk', 'embed', 'index'] },
  { id: 'wf_release', stages: ['plan', 'build', 'test', 'review', 'publish'] },
] as const;

interface Conn { socket: WebSocket; rooms: Set<string>; authenticated: boolean; awaitingAuth: boolean; user?: { user_id: string; permissions: string[] }; tokens: number; lastRefill: number }
interface PoolSim { id: string; queueSize: number; tasksCompleted: number; workers: Map<string, string> }
interface WorkflowSim { id: string; stages: string[]; stage: number; status: 'pending' | 'running' | 'completed' | 'failed'; restartIn: number; runs: number }

export async function startMahavishnuSimulator(opts: MahavishnuSimulatorOptions = {}): Promise<MahavishnuSimulator> {
  const random = seededRandom(opts.seed ?? 42);
  const log = opts.log ?? (() => undefined);
  const conns = new Set<Conn>();
  const requests: string[] = [];
  const pools = new Map<string, PoolSim>(MAHAVISHNU_DEMO_POOLS.map((p) => [p.id, {
    id: p.id, queueSize: 3, tasksCompleted: 0,
    workers: new Map(Array.from({ length: p.workers }, (_, i) => [`worker_${i + 1}`, 'idle'])),
  }]));
  const workflows = new Map<string, WorkflowSim>(MAHAVISHNU_DEMO_WORKFLOWS.map((w, i) => [w.id, { id: w.id, stages: [...w.stages], stage: 0, status: 'pending', restartIn: i, runs: 0 }]));

  const envelope = (m: Partial<Record<string, unknown>>): string => JSON.stringify({
    id: randomUUID(), correlation_id: null, type: 'event', event: null, data: {}, timestamp: pythonLocalIso(), room: null,
    error_code: null, error_message: null, ...m,
  });
  const sendError = (c: Conn, code: string, message: string, correlationId: unknown): void =>
    c.socket.send(envelope({ type: 'error', error_code: code, error_message: message, correlation_id: typeof correlationId === 'string' ? correlationId : null }));
  const respond = (c: Conn, request: Record<string, unknown>, data: Record<string, unknown>): void =>
    // create_response copies request.correlation_id, not request.id (protocol.py line 87).
    c.socket.send(envelope({ type: 'response', event: request['event'], data, correlation_id: typeof request['correlation_id'] === 'string' ? request['correlation_id'] : null }));
  const broadcast = (room: string, event: string, data: Record<string, unknown>): void => {
    const text = envelope({ type: 'event', event, data: { ...data, timestamp: new Date().toISOString() }, room });
    for (const c of conns) if (c.rooms.has(room) && c.socket.readyState === c.socket.OPEN) c.socket.send(text);
  };

  const canSubscribe = (c: Conn, channel: string): boolean => {
    if (!c.user) return true; // the ACL applies to authenticated users only (_can_subscribe_to_channel)
    const perms = c.user.permissions;
    if (perms.includes('admin')) return true;
    if (channel.startsWith('workflow:')) return perms.includes('workflow:read');
    if (channel.startsWith('pool:')) return perms.includes('pool:read');
    if (channel.startsWith('worker:')) return perms.includes('worker:read');
    if (channel.startsWith('goal-teams')) return perms.includes('team:read');
    return false;
  };

  const poolStatus = (p: PoolSim): Record<string, unknown> => {
    const states = [...p.workers.values()];
    return { active_workers: states.filter((s) => s === 'busy').length, idle_workers: states.filter((s) => s === 'idle').length, queue_size: p.queueSize, tasks_completed: p.tasksCompleted };
  };

  const handleRequest = (c: Conn, m: Record<string, unknown>): void => {
    const event = String(m['event'] ?? '');
    const data = (m['data'] ?? {}) as Record<string, unknown>;
    requests.push(event);
    switch (event) {
      case 'subscribe':
      case 'unsubscribe': {
        const channel = data['channel'];
        if (typeof channel !== 'string' || channel === '') return; // no channel: the server sends nothing back
        if (event === 'subscribe') {
          if (!canSubscribe(c, channel)) return sendError(c, 'FORBIDDEN', `Not authorized to subscribe to ${channel}`, m['correlation_id']);
          c.rooms.add(channel);
          return respond(c, m, { status: 'subscribed', channel });
        }
        c.rooms.delete(channel);
        return respond(c, m, { status: 'unsubscribed', channel });
      }
      case 'get_pool_status': {
        const id = String(data['pool_id'] ?? '').replace(/^pool:/, '');
        const p = pools.get(id);
        if (!p) return respond(c, m, { pool_id: id, status: 'not_found' });
        return respond(c, m, { pool_id: id, status: poolStatus(p), workers: [...p.workers].map(([worker_id, status]) => ({ worker_id, status })) });
      }
      case 'get_workflow_status': {
        const id = String(data['workflow_id'] ?? '');
        const w = workflows.get(id);
        return respond(c, m, { workflow_id: id, status: w?.status ?? 'unknown', stages_completed: w?.stage ?? 0, total_stages: w?.stages.length ?? 0 });
      }
      default:
        return sendError(c, 'UNKNOWN_REQUEST', `Unknown request: ${event}`, m['correlation_id']);
    }
  };

  const onFrame = (c: Conn, raw: string): void => {
    // Rate limit: 100 messages/s, burst 150; excess is answered with an error and dropped.
    const now = Date.now();
    c.tokens = Math.min(150, c.tokens + ((now - c.lastRefill) / 1000) * 100);
    c.lastRefill = now;
    if (c.tokens < 1) return sendError(c, 'RATE_LIMIT_EXCEEDED', `Rate limit exceeded. Retry after ${((1 - c.tokens) / 100).toFixed(2)} seconds`, null);
    c.tokens -= 1;
    let m: Record<string, unknown>;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      m = parsed as Record<string, unknown>;
      if (!MESSAGE_TYPES.has(String(m['type']))) throw new Error(`invalid type ${String(m['type'])}`);
      if (m['data'] !== undefined && (typeof m['data'] !== 'object' || m['data'] === null || Array.isArray(m['data']))) throw new Error('data must be an object');
    } catch (error) {
      return sendError(c, 'DECODE_ERROR', `Failed to decode message: ${error instanceof Error ? error.message : String(error)}`, null);
    }
    if (c.awaitingAuth) {
      c.awaitingAuth = false;
      requests.push(String(m['event'] ?? m['type']));
      if (m['type'] !== 'request' || m['event'] !== 'auth') {
        sendError(c, 'AUTH_REQUIRED', 'Authentication required', m['correlation_id']);
        c.socket.close(1008, 'Authentication required');
        return;
      }
      const user = verifyJwt(String((m['data'] as Record<string, unknown> | undefined)?.['token'] ?? ''), opts.jwtSecret ?? '');
      if (!user) {
        sendError(c, 'AUTH_FAILED', 'Invalid or expired token', m['correlation_id']);
        c.socket.close(1008, 'Authentication failed');
        return;
      }
      c.authenticated = true;
      c.user = user;
      return respond(c, m, { status: 'authenticated', user_id: user.user_id });
    }
    if (m['type'] === 'request') return handleRequest(c, m);
    if (m['type'] === 'event') return; // client events are only logged
    log(`unhandled message type ${String(m['type'])}`);
  };

  const server = await startSimServer((socket) => {
    const c: Conn = { socket, rooms: new Set(), authenticated: false, awaitingAuth: opts.jwtSecret !== undefined, tokens: 150, lastRefill: Date.now() };
    conns.add(c);
    socket.on('message', (data) => onFrame(c, data.toString()));
    socket.on('close', () => conns.delete(c));
    socket.on('error', () => undefined);
    socket.send(envelope({
      type: 'event', event: 'session.created',
      data: { connection_id: randomUUID(), server: 'mahavishnu', message: 'Connected to Mahavishnu orchestration', authenticated: false, secure: false, rate_limit: 100 },
    }));
  }, { port: opts.port });

  const step = (): void => {
    for (const p of pools.values()) {
      const ids = [...p.workers.keys()];
      const id = ids[Math.floor(random() * ids.length)] as string;
      const previous = p.workers.get(id);
      let next = WORKER_STATES[Math.floor(random() * WORKER_STATES.length)] as string;
      if (next === previous) next = previous === 'busy' ? 'idle' : 'busy';
      p.workers.set(id, next);
      if (previous === 'busy' && next !== 'busy') p.tasksCompleted++;
      p.queueSize = Math.max(0, p.queueSize + Math.floor(random() * 5) - 2);
      broadcast(`pool:${p.id}`, 'worker.status_changed', { worker_id: id, status: next, pool_id: p.id });
      broadcast(`pool:${p.id}`, 'pool.status_changed', { pool_id: p.id, status: poolStatus(p) });
    }
    for (const w of workflows.values()) {
      const room = `workflow:${w.id}`;
      if (w.status !== 'running') {
        if (w.restartIn-- > 0) continue;
        w.status = 'running';
        w.stage = 0;
        w.runs++;
        broadcast(room, 'workflow.started', { workflow_id: w.id, adapter: 'llamaindex', prompt: `run ${w.runs}`, stages: w.stages, total_stages: w.stages.length });
        continue;
      }
      const stageName = w.stages[w.stage] as string;
      // Every third run of wf_release fails at its test stage, so failures show too.
      if (w.id === 'wf_release' && w.runs % 3 === 0 && stageName === 'test') {
        w.status = 'failed';
        w.restartIn = 4;
        broadcast(room, 'workflow.failed', { workflow_id: w.id, error: 'test stage: 3 checks failed' });
        continue;
      }
      w.stage++;
      broadcast(room, 'workflow.stage_completed', { workflow_id: w.id, stage_name: stageName, result: { ok: true, duration_ms: Math.round(random() * 900) } });
      if (w.stage >= w.stages.length) {
        w.status = 'completed';
        w.restartIn = 3;
        broadcast(room, 'workflow.completed', { workflow_id: w.id, result: { stages: w.stages.length } });
      }
    }
  };

  const tickMs = opts.tickMs ?? 700;
  const timer = tickMs > 0 ? setInterval(step, tickMs) : undefined;
  timer?.unref?.();
  const url = `ws://127.0.0.1:${server.port}`;
  log(`Mahavishnu simulator on ${url}${opts.jwtSecret ? ' (auth required)' : ''}`);
  return {
    url, port: server.port, server,
    channels: ['global', ...MAHAVISHNU_DEMO_POOLS.map((p) => `pool:${p.id}`), ...MAHAVISHNU_DEMO_WORKFLOWS.map((w) => `workflow:${w.id}`)],
    step,
    broadcast,
    sendRaw: (text) => { for (const c of conns) if (c.socket.readyState === c.socket.OPEN) c.socket.send(text); },
    requests,
    subscriptions: () => [...conns].map((c) => [...c.rooms].sort()),
    state: () => ({
      pools: Object.fromEntries([...pools].map(([id, p]) => [id, { queueSize: p.queueSize, workers: Object.fromEntries(p.workers) }])),
      workflows: Object.fromEntries([...workflows].map(([id, w]) => [id, { stage: w.stage, stages: w.stages, status: w.status }])),
    }),
    stop: async () => {
      if (timer) clearInterval(timer);
      await server.close();
    },
  };
}

// ---- HS256 JWT (mahavishnu/websocket/auth.py: payload {user_id, permissions}, exp checked) ----

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

export function signJwt(payload: Record<string, unknown>, secret: string, expiresInS = 3600): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + expiresInS, ...payload }));
  const sig = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${sig}`;
}

function verifyJwt(token: string, secret: string): { user_id: string; permissions: string[] } | undefined {
  const [header, body, sig] = token.split('.');
  if (!header || !body || !sig) return undefined;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url'));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { user_id?: unknown; permissions?: unknown; exp?: unknown };
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return undefined;
    if (typeof claims.user_id !== 'string') return undefined;
    return { user_id: claims.user_id, permissions: Array.isArray(claims.permissions) ? claims.permissions.filter((p): p is string => typeof p === 'string') : [] };
  } catch {
    return undefined;
  }
}

// Standalone: used by the fault tests (a real process to kill) and handy for manual testing.
if (process.argv[1] && /mahavishnu[\\/]simulator\.ts$/.test(process.argv[1])) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const secret = process.argv.includes('--auth') ? (process.env['MAHAVISHNU_JWT_SECRET'] ?? 'dev-secret-change-in-production') : undefined;
  void startMahavishnuSimulator({ port: Number(arg('--port') ?? 0), jwtSecret: secret, tickMs: Number(arg('--tick') ?? 700) }).then((sim) => {
    process.stdout.write(`READY ${sim.url}\n`);
    if (secret) process.stdout.write(`TOKEN ${signJwt({ user_id: 'demo', permissions: ['admin'] }, secret)}\n`);
    process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)));
  });
}
