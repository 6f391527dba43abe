// A `ws` server for protocol simulators: listens on a port (0 = a free one), can go down and come back on the
// same port (the fault tests' "server restart"), and hands each connection to the simulator. Also a seeded
// random source and Python-style timestamps the simulators share.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';

export interface SimServer {
  readonly port: number;
  readonly host: string;
  /** Open client sockets. */
  clients(): readonly WebSocket[];
  /** Stops listening and drops every client abruptly (as a crashed process would). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  readonly isUp: boolean;
  close(): Promise<void>;
}

export async function startSimServer(
  onConnection: (socket: WebSocket, request: IncomingMessage) => void,
  opts: { port?: number; host?: string; path?: string; tls?: { key: string | Buffer; cert: string | Buffer } } = {},
): Promise<SimServer> {
  const host = opts.host ?? '127.0.0.1';
  let http: Server | undefined;
  let wss: WebSocketServer | undefined;
  let port = opts.port ?? 0;
  const listen = async (): Promise<void> => {
    const answer = (_req: IncomingMessage, res: ServerResponse): void => { res.writeHead(426, { 'content-type': 'text/plain' }); res.end('WebSocket only\n'); };
    const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, answer) : createServer(answer);
    const ws = new WebSocketServer({ server, ...(opts.path ? { path: opts.path } : {}), perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    ws.on('connection', onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    port = (server.address() as AddressInfo).port;
    http = server;
    wss = ws;
  };
  const down = async (): Promise<void> => {
    const [server, ws] = [http, wss];
    http = undefined;
    wss = undefined;
    if (!server || !ws) return;
    for (const c of ws.clients) c.terminate();
    ws.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen();
  return {
    get port() { return port; },
    host,
    clients: () => (wss ? [...wss.clients] : []),
    down,
    up: async () => { if (!http) await listen(); },
    get isUp() { return http !== undefined; },
    close: down,
  };
}

/** mulberry32: a small seeded PRNG so simulated traffic is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Python's naive `datetime.now().isoformat()`: local time, microseconds, no zone. */
export function pythonLocalIso(ms: number = Date.now()): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** Python's `datetime.now(timezone.utc).isoformat()`: UTC with `+00:00`. */
export function pythonUtcIso(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}
