// Starts throwaway redis-server and mosquitto processes on free loopback ports, for `npm run demo` and the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, appended after the defaults (e.g. `['--cluster-enabled', 'yes']`). */
  readonly args?: readonly string[];
  /** A fixed port (e.g. to bring a server back where a client expects it); default: a free one. */
  readonly port?: number;
  /** A config file, passed first (redis-server's rule); with `sentinel` the server runs as a Sentinel. */
  readonly configFile?: string;
  readonly sentinel?: boolean;
  /** Serve TLS only (`--port 0 --tls-port <port>`), with these PEM files; clients need not present a cert. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
}

export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  /** Terminates the server, waits for it to exit and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface MosquittoHandle {
  readonly url: string;
  readonly port: number;
  /** Terminates the broker gracefully, waits for it to exit and removes its temp dir. */
  stop(): Promise<void>;
  /** SIGKILLs the broker (a crash, for reconnect tests); `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  /** Stops the broker if it is running, then starts it again on the same port. */
  restart(): Promise<void>;
}

interface BinaryInfo {
  readonly name: string;
  readonly install: string;
}

const REDIS_BINARY: BinaryInfo = {
  name: 'redis-server',
  install: 'sudo apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)',
};
const MOSQUITTO_BINARY: BinaryInfo = {
  name: 'mosquitto',
  install: 'sudo apt-get install mosquitto (Debian/Ubuntu) or brew install mosquitto (macOS)',
};

// Debian puts mosquitto in /usr/sbin, which is often missing from a non-root PATH.
const EXTRA_BIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
// Only a port race (another process grabbed the free port between probe and bind) is worth retrying.
const MAX_START_ATTEMPTS = 5;
const OUTPUT_TAIL_CHARS = 4_000;

/** Asks the kernel for a currently free loopback TCP port. Another process may still take it before use. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** Full path of a binary from PATH (plus the sbin dirs), or a thrown Error that says how to install it. */
function resolveBinary(binary: BinaryInfo): string {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, binary.name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new MissingBinaryError(binary.name, binary.install);
}

/** A server binary is not installed; the message names the package to install (never a silent skip). */
export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    readonly install: string,
  ) {
    super(`${binary} was not found on PATH. Install it: ${install}.`);
    this.name = 'MissingBinaryError';
  }
}

/** Starts `redis-server` on a free loopback port, without persistence, and resolves once it answers PING. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const bin = resolveBinary(REDIS_BINARY);
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-redis-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await findFreePort());
      const head = opts.configFile ? [opts.configFile, ...(opts.sentinel ? ['--sentinel'] : [])] : [];
      const listen = opts.tls
        ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile, '--tls-ca-cert-file', opts.tls.caFile, '--tls-auth-clients', 'no']
        : ['--port', String(port)];
      const args = [...head, ...listen, '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--dir', dir, ...(opts.args ?? [])];
      try {
        const proc = await startProcess(bin, args, dir, () => redisPing(port, opts.tls !== undefined));
        let stopped = false;
        return {
          url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
          port,
          async stop() {
            if (stopped) return;
            stopped = true;
            await proc.terminate('SIGTERM');
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (err) {
        if (!(err instanceof PortInUseError) || attempt >= MAX_START_ATTEMPTS || opts.port !== undefined) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Starts `mosquitto` on a free loopback port with anonymous access, and resolves once it accepts TCP. */
export async function startMosquitto(): Promise<MosquittoHandle> {
  const bin = resolveBinary(MOSQUITTO_BINARY);
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  const launch = async (port: number): Promise<ManagedProcess> => {
    await writeFile(configFile, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'));
    return startProcess(bin, ['-c', configFile], dir, () => tcpAccepts(port));
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      let proc: ManagedProcess;
      try {
        proc = await launch(port);
      } catch (err) {
        if (!(err instanceof PortInUseError) || attempt >= MAX_START_ATTEMPTS) throw err;
        continue;
      }
      let current: ManagedProcess | undefined = proc;
      let stopped = false;
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        async stop() {
          if (stopped) return;
          stopped = true;
          await current?.terminate('SIGTERM');
          current = undefined;
          await rm(dir, { recursive: true, force: true });
        },
        async kill() {
          await current?.terminate('SIGKILL');
          current = undefined;
        },
        async restart() {
          if (stopped) throw new Error('mosquitto was stopped; start a new one instead of restarting');
          await current?.terminate('SIGTERM');
          current = undefined;
          current = await launch(port);
        },
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

class PortInUseError extends Error {}

interface ManagedProcess {
  /** Sends the signal to the process group, waits for exit (escalating to SIGKILL after a timeout). */
  terminate(signal: NodeJS.Signals): Promise<void>;
}

async function startProcess(bin: string, args: string[], cwd: string, isReady: () => Promise<boolean>): Promise<ManagedProcess> {
  // Own process group: Ctrl+C in a terminal must not kill the server before the demo has stopped its clients.
  const child = spawn(bin, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  // If the owning Node process exits without calling stop(), do not leave an orphan server behind.
  const killOnExit = (): void => {
    killGroup(child, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', killOnExit);
      await Promise.race([exited, delay(200)]);
      const detail = spawnError ? spawnError.message : `exited with ${child.exitCode ?? child.signalCode}`;
      const message = `${bin} ${args.join(' ')} failed to start (${detail}).\n${output.trim()}`;
      if (/address already in use|Could not create server TCP listening socket/i.test(output)) throw new PortInUseError(message);
      throw new Error(message);
    }
    if (await isReady()) break;
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
      throw new Error(`${bin} did not become ready within ${READY_TIMEOUT_MS} ms.\n${output.trim()}`);
    }
    await delay(50);
  }
  return {
    async terminate(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, signal);
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** One RESP PING over a raw socket (TLS without verification for a TLS port), so readiness needs no client library. */
function redisPing(port: number, tls = false): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      // A server with `requirepass` answers NOAUTH: it is up all the same.
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => finish(true));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
