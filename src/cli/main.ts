// The `taskscope` command: snapshot, events and watch over the same core and sources as the extension.
import { parseArgs } from 'node:util';
import { MonitorSession } from '../sources/monitor-session';
import type { SourceLogger } from '../core/source/source';
import { ChangeCoalescer } from '../core/util/coalescer';
import { ConfigFileError, loadConfigFile, type LoadedConfig } from './config-file';
import { buildSnapshotDocument } from './snapshot-document';
import { renderWatchTable } from './watch-table';
import { EXIT_CODES, retryCommand } from './retry-command';
import { defaultListenMs, parseDuration } from './listen-duration';

/** Exit codes, documented in the README. */
export const EXIT = EXIT_CODES;

const USAGE = `Usage: taskscope <command> --config <file> [options]

Commands:
  snapshot   Connect every profile, wait for the initial sync and print one JSON document.
             --wait <ms>       longest wait for the initial sync (default 10000)
             --listen <dur>    then keep collecting pushed events this long, e.g. 3s, 500ms, 0
                               (default 3s when a profile is MQTT or WebSocket, which retain
                               nothing; 0 when every profile is Redis, Prometheus or a log file)
  events     Print normalized events as NDJSON.
             --duration <ms>   stop after this long (default: until Ctrl+C)
  watch      A live terminal table of connections, queues and workers.
  retry      Retry one failed or completed BullMQ job (refused for read-only profiles).
             --connection <id> --queue <name> --job <id>

Options:
  --config <file>   {"connections": [...]} — the same objects as the taskscope.connections setting
  --verbose         log connection details to stderr
  --help

Exit codes: 0 ok, 1 unexpected failure, 2 bad config, 3 a server was unreachable,
            4 refused (read-only profile), 5 the action did not happen (job gone, not failed…).`;

interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
}

export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        wait: { type: 'string' },
        duration: { type: 'string' },
        listen: { type: 'string' },
        connection: { type: 'string' },
        queue: { type: 'string' },
        job: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr.write(`taskscope: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT.badConfig;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.badConfig;
  }
  if (!['snapshot', 'events', 'watch', 'retry'].includes(command)) {
    io.stderr.write(`taskscope: unknown command "${command}"\n\n${USAGE}\n`);
    return EXIT.badConfig;
  }
  if (!values.config) {
    io.stderr.write(`taskscope ${command}: --config <file> is required\n`);
    return EXIT.badConfig;
  }
  const wait = parseMs(values.wait, 'wait', 10_000);
  const duration = parseMs(values.duration, 'duration', undefined);
  const listen = values.listen === undefined ? undefined : parseDuration(values.listen, 'listen');
  if (typeof wait === 'string' || typeof duration === 'string' || typeof listen === 'string') {
    io.stderr.write(`taskscope ${command}: ${[wait, duration, listen].find((v) => typeof v === 'string')}\n`);
    return EXIT.badConfig;
  }
  if (listen !== undefined && command !== 'snapshot') {
    io.stderr.write(`taskscope ${command}: --listen applies to snapshot only\n`);
    return EXIT.badConfig;
  }

  let config: LoadedConfig;
  try {
    config = await loadConfigFile(values.config);
  } catch (error) {
    if (error instanceof ConfigFileError) {
      io.stderr.write(`taskscope: ${error.message}\n`);
      return EXIT.badConfig;
    }
    throw error;
  }
  for (const problem of config.problems) io.stderr.write(`taskscope: config: ${problem}\n`);
  if (config.profiles.length === 0) {
    io.stderr.write(`taskscope: no usable connection in ${values.config}\n`);
    return EXIT.badConfig;
  }

  const log = cliLogger(io.stderr, values.verbose ?? false);
  const session = new MonitorSession({ log });
  if (command === 'retry') {
    try {
      return await retryCommand(session, config.profiles, { connection: values.connection, queue: values.queue, job: values.job, waitMs: wait ?? 10_000 }, io.stdout, io.stderr);
    } finally {
      await session.dispose();
    }
  }
  await session.setProfiles(config.profiles);
  session.setVisible(true);
  const configExit = config.problems.length > 0 ? EXIT.badConfig : EXIT.ok;
  try {
    switch (command) {
      case 'snapshot': return await snapshot(session, io, wait ?? 10_000, listen ?? defaultListenMs(config.profiles), configExit);
      case 'events': return await events(session, io, duration, configExit);
      default: return await watch(session, io);
    }
  } finally {
    await session.dispose();
  }
}

async function snapshot(session: MonitorSession, io: CliIo, waitMs: number, listenMs: number, configExit: number): Promise<number> {
  session.startAll();
  await waitUntil(() => session.store.connections().every((c) => c.state !== 'idle' && c.state !== 'connecting'), waitMs, session);
  // Push sources retain nothing: what the snapshot shows is what arrived while listening.
  if (listenMs > 0 && session.store.connections().some((c) => c.state === 'connected')) await new Promise((r) => setTimeout(r, listenMs));
  await new Promise((r) => setImmediate(r)); // let the last batched change land in the store
  const doc = buildSnapshotDocument(session.store);
  io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  const unreachable = doc.connections.filter((c) => c.state !== 'connected');
  for (const c of unreachable) io.stderr.write(`taskscope: ${c.id}: ${c.state}${c.error ? ` — ${c.error}` : ''}\n`);
  return unreachable.length > 0 ? EXIT.unreachable : configExit;
}

async function events(session: MonitorSession, io: CliIo, durationMs: number | undefined, configExit: number): Promise<number> {
  session.onEvent((event) => io.stdout.write(`${JSON.stringify(event)}\n`));
  session.startAll();
  await untilInterrupted(durationMs);
  return configExit;
}

async function watch(session: MonitorSession, io: CliIo): Promise<number> {
  const draw = () => {
    const screen = renderWatchTable(session.store, { now: Date.now(), width: io.stdout.columns ?? 120, color: io.stdout.isTTY === true });
    io.stdout.write(io.stdout.isTTY ? `\x1b[H\x1b[2J${screen}\n` : `${screen}\n\n`);
  };
  const coalescer = new ChangeCoalescer(500, draw);
  session.onDidChange((c) => coalescer.add(c));
  const ticker = setInterval(draw, 1_000); // relative times ("12s ago") move even when nothing changes
  session.startAll();
  draw();
  const quitByKey = new Promise<void>((resolve) => {
    if (!io.stdin.isTTY || !io.stdin.setRawMode) return;
    io.stdin.setRawMode(true);
    io.stdin.resume();
    io.stdin.on('data', (chunk: Buffer) => {
      const key = chunk.toString();
      if (key === 'q' || key === '\u0003') resolve();
    });
  });
  await Promise.race([untilInterrupted(undefined), quitByKey]);
  clearInterval(ticker);
  coalescer.dispose();
  if (io.stdin.isTTY && io.stdin.setRawMode) { io.stdin.setRawMode(false); io.stdin.pause(); }
  return EXIT.ok;
}

function waitUntil(done: () => boolean, timeoutMs: number, session: MonitorSession): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    const timer = setTimeout(finish, timeoutMs);
    const sub = session.onDidChange(() => { if (done()) finish(); });
    function finish() { clearTimeout(timer); sub.dispose(); resolve(); }
  });
}

function untilInterrupted(durationMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = durationMs !== undefined ? setTimeout(finish, durationMs) : undefined;
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    function finish() {
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', finish);
      process.removeListener('SIGTERM', finish);
      resolve();
    }
  });
}

function parseMs(value: string | undefined, name: string, fallback: number | undefined): number | undefined | string {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : `--${name} must be a number of milliseconds, got "${value}"`;
}

function cliLogger(stderr: NodeJS.WritableStream, verbose: boolean): SourceLogger {
  const write = (level: string) => (message: string) => stderr.write(`[${level}] ${message}\n`);
  const quiet = () => undefined;
  return { debug: verbose ? write('debug') : quiet, info: verbose ? write('info') : quiet, warn: verbose ? write('warn') : quiet, error: write('error') };
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`taskscope: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exit(EXIT.failure);
    },
  );
}
