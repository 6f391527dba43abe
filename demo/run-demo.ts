// `npm run demo`: starts what the demo needs (redis-server, or REDIS_URL), runs every simulator, writes a demo
// workspace whose settings point at them, and opens VS Code on it; Ctrl+C stops everything it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SIMULATORS, type DemoConnection, type DemoServices, type RunningSimulator } from './catalog';
import { findFreePort, MissingBinaryError, startMosquitto, startRedisServer } from './support/local-servers';

const USAGE = `Usage: npm run demo [-- --no-open] [-- --port <n>]

Starts a redis-server on a free port (or uses REDIS_URL), runs the demo simulators with live traffic, writes
a demo workspace to .demo/workspace/, builds the extension and opens VS Code on that workspace: the \`code\`
CLI when it is on PATH, otherwise code-server in the browser.

  --no-open     only run the simulators and write the workspace (CI, tests, CLI-only use)
  --port <n>    port for code-server (default: a free port)
  --help        this text

Ctrl+C stops everything the demo started.`;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_DIR = join(REPO_ROOT, '.demo');
const WORKSPACE_DIR = join(DEMO_DIR, 'workspace');
const CODE_SERVER_STATE_DIR = join(DEMO_DIR, 'code-server');
const CODE_SERVER_READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 5_000;

interface DemoArgs {
  readonly open: boolean;
  readonly port: number | undefined;
  readonly help: boolean;
}

async function main(): Promise<void> {
  let args: DemoArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const log = (msg: string): void => {
    process.stdout.write(`[demo] ${msg}\n`);
  };
  const cleanup = new CleanupStack(log);
  installSignalHandlers(cleanup, log);

  const services = new LocalDemoServices(cleanup, log);
  const simulators: RunningSimulator[] = [];
  try {
    for (const start of DEMO_SIMULATORS) {
      const sim = await start(services, (msg) => process.stdout.write(`[sim] ${msg}\n`));
      cleanup.push(`${sim.name} simulator`, () => sim.stop());
      simulators.push(sim);
    }
  } catch (err) {
    if (err instanceof MissingBinaryError) {
      process.stderr.write(missingBinaryHelp(err));
    } else {
      process.stderr.write(`\n[demo] could not start the demo: ${errorMessage(err)}\n`);
    }
    await cleanup.runAll();
    process.exit(1);
  }

  try {
    writeWorkspace(simulators);
  } catch (err) {
    process.stderr.write(`\n[demo] could not write the demo workspace ${WORKSPACE_DIR}: ${errorMessage(err)}\n`);
    await cleanup.runAll();
    process.exit(1);
  }
  log(`workspace written to ${WORKSPACE_DIR}`);

  if (!args.open) {
    printBanner([
      'Taskscope demo is running (--no-open: VS Code was not opened).',
      '',
      `Workspace:  ${WORKSPACE_DIR}`,
      ...simulators.flatMap((s) => s.connections.map((c) => `Connection: ${c.id} → ${c.url}`)),
      '',
      `Try the CLI (from ${REPO_ROOT}):`,
      `  ${cliCommand()}`,
      '',
      'Ctrl+C stops everything.',
    ]);
    return;
  }

  try {
    await openVsCode(args, cleanup, log);
  } catch (err) {
    process.stderr.write(
      `\n[demo] VS Code was not opened: ${errorMessage(err)}\n` +
        `[demo] The simulators keep running, so the CLI and your own VS Code still work:\n` +
        `         ${cliCommand()}\n` +
        `[demo] Ctrl+C stops everything.\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Simulators

/** Servers shared by the simulators, started on first use (or taken from REDIS_URL / MQTT_URL). */
class LocalDemoServices implements DemoServices {
  readonly logDir = join(WORKSPACE_DIR, 'logs');
  // DEMO_MAHAVISHNU_AUTH=1 turns on the Mahavishnu simulator's JWT auth.
  readonly mahavishnuJwtSecret = process.env['DEMO_MAHAVISHNU_AUTH'] === '1' ? 'taskscope-demo-secret' : undefined;

  private redis: Promise<string> | undefined;
  private mqtt: Promise<string> | undefined;

  constructor(
    private readonly cleanup: CleanupStack,
    private readonly log: (msg: string) => void,
  ) {}

  redisUrl(): Promise<string> {
    this.redis ??= (async () => {
      const fromEnv = process.env['REDIS_URL'];
      if (fromEnv) {
        this.log(`using REDIS_URL (${withoutCredentials(fromEnv)}); the demo writes its queues there and leaves them behind`);
        return fromEnv;
      }
      const server = await startRedisServer();
      this.cleanup.push('redis-server', () => server.stop());
      this.log(`redis-server started at ${server.url}`);
      return server.url;
    })();
    return this.redis;
  }

  /** For MQTT simulators (later issues). */
  mqttUrl(): Promise<string> {
    this.mqtt ??= (async () => {
      const fromEnv = process.env['MQTT_URL'];
      if (fromEnv) return fromEnv;
      try {
        const broker = await startMosquitto();
        this.cleanup.push('mosquitto', () => broker.stop());
        this.log(`mosquitto started at ${broker.url}`);
        return broker.url;
      } catch (err) {
        if (!(err instanceof MissingBinaryError)) throw err;
        // No mosquitto: the embedded aedes broker speaks the same protocol.
        const { startAedesBroker } = await import('./support/aedes-broker');
        const broker = await startAedesBroker();
        this.cleanup.push('aedes broker', () => broker.stop());
        this.log(`mosquitto is not installed; embedded MQTT broker (aedes) started at ${broker.url}`);
        return broker.url;
      }
    })();
    return this.mqtt;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Workspace

function writeWorkspace(simulators: readonly RunningSimulator[]): void {
  const connections = simulators.flatMap((s) => s.connections);
  mkdirSync(join(WORKSPACE_DIR, '.vscode'), { recursive: true });
  // Settings never carry secrets (they belong in SecretStorage); the CLI config file may, so a REDIS_URL
  // password goes there only.
  const settings = { 'taskscope.connections': connections.map(settingsConnection) };
  writeFileSync(join(WORKSPACE_DIR, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  writeFileSync(join(WORKSPACE_DIR, 'taskscope.config.json'), `${JSON.stringify({ connections: connections.map(cliConnection) }, null, 2)}\n`);
  writeFileSync(join(WORKSPACE_DIR, 'README.md'), workspaceReadme(simulators));
}

function settingsConnection(c: DemoConnection): DemoConnection {
  const { token: _token, ...rest } = c;
  return { ...rest, url: withoutCredentials(c.url) };
}

function cliConnection(c: DemoConnection): DemoConnection {
  if (!URL.canParse(c.url)) return c; // a log-file path
  const url = new URL(c.url);
  if (!url.password) return c;
  return { ...c, url: withoutCredentials(c.url), ...(url.username ? { username: decodeURIComponent(url.username) } : {}), password: decodeURIComponent(url.password) };
}

function withoutCredentials(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return raw;
  }
}

function workspaceReadme(simulators: readonly RunningSimulator[]): string {
  return [
    '# Taskscope demo workspace',
    '',
    'Written by `npm run demo`, which is still running in a terminal: it started the servers below and keeps',
    'simulated task systems busy. Ctrl+C in that terminal stops everything (and the data is gone with it, unless',
    'you pointed `REDIS_URL` at your own Redis).',
    '',
    '- `.vscode/settings.json`: `taskscope.connections`, read by the Taskscope extension in this window.',
    '- `taskscope.config.json`: the same connections for the `taskscope` CLI, e.g. from the repository root:',
    '',
    '  ```sh',
    `  ${cliCommand()}`,
    `  node dist/cli.js watch --config ${relative(REPO_ROOT, join(WORKSPACE_DIR, 'taskscope.config.json'))}`,
    '  ```',
    '',
    'Open the Taskscope view in the activity bar to see queues, workers and workflows. In desktop VS Code, trust',
    'this folder when asked: Taskscope does not connect from an untrusted workspace.',
    '',
    '## What is running',
    '',
    ...simulators.flatMap((s) => [...s.readme, '']),
  ].join('\n');
}

function cliCommand(): string {
  return `node dist/cli.js snapshot --config ${relative(REPO_ROOT, join(WORKSPACE_DIR, 'taskscope.config.json'))}`;
}

// ---------------------------------------------------------------------------------------------------------------
// VS Code

async function openVsCode(args: DemoArgs, cleanup: CleanupStack, log: (msg: string) => void): Promise<void> {
  log('building the extension (npm run package)…');
  // Imported lazily: --no-open must work while the packaging and code-server helpers are still being written.
  const { packageExtension } = await import('../test/helpers/package-extension');
  let vsix: string;
  try {
    vsix = await packageExtension();
  } catch (err) {
    throw new Error(`building the extension failed (npm run package). Fix the build and run \`npm run demo\` again.\n${errorMessage(err)}`);
  }

  const code = findOnPath('code');
  if (code) {
    log(`opening VS Code (${code}) with the extension from ${REPO_ROOT}`);
    const result = spawnSync(code, [`--extensionDevelopmentPath=${REPO_ROOT}`, WORKSPACE_DIR], { stdio: 'inherit' });
    if (result.error || result.status !== 0) throw new Error(`\`code\` failed: ${result.error?.message ?? `exit ${result.status}`}`);
    printBanner([
      'Taskscope demo is running in VS Code (extension development host).',
      '',
      `Workspace:  ${WORKSPACE_DIR}`,
      `Try the CLI (from ${REPO_ROOT}):`,
      `  ${cliCommand()}`,
      '',
      'Ctrl+C here stops the simulators and servers.',
    ]);
    return;
  }

  log('no `code` CLI on PATH; using code-server in the browser (the first run installs it, a few minutes)');
  const { ensureCodeServer } = await import('../test/helpers/code-server');
  const { nodeBin, codeServerBin } = await ensureCodeServer();
  const userDataDir = join(CODE_SERVER_STATE_DIR, 'user-data');
  const extensionsDir = join(CODE_SERVER_STATE_DIR, 'extensions');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // code-server 4.139 requires Node 24; its wrapper and any child it spawns must find that node first.
  const env = { ...process.env, PATH: `${dirname(nodeBin)}${delimiter}${process.env['PATH'] ?? ''}` };
  const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  // --force: the version number does not change between builds, and without it the old build would stay.
  const install = spawnSync(codeServerBin, [...dirs, '--install-extension', vsix, '--force'], { env, encoding: 'utf8' });
  if (install.error || install.status !== 0) {
    throw new Error(`installing ${vsix} into code-server failed: ${install.error?.message ?? `${install.stderr}${install.stdout}`.trim()}`);
  }

  const port = args.port ?? (await findFreePort());
  const logFile = join(DEMO_DIR, 'code-server.log');
  const logFd = openSync(logFile, 'w');
  const child = spawn(
    codeServerBin,
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      ...dirs,
      '--disable-telemetry',
      '--disable-update-check',
      // The workspace is generated by this script; without this, Taskscope would (rightly) not auto-connect
      // from the settings of an untrusted folder.
      '--disable-workspace-trust',
      WORKSPACE_DIR,
    ],
    // Own process group, so Ctrl+C reaches only us and we can stop code-server and its children together.
    { env, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const tree = new ProcessTree(child);
  cleanup.push('code-server', () => tree.stop());
  log(`code-server starting on 127.0.0.1:${port} (log: ${relative(REPO_ROOT, logFile)})`);
  await waitForHttp(`http://127.0.0.1:${port}/`, child, logFile);

  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE_DIR).replace(/%2F/g, '/')}`;
  printBanner([
    'Taskscope demo is running. Open VS Code in your browser:',
    '',
    `  ${url}`,
    '',
    `Try the CLI (from ${REPO_ROOT}):`,
    `  ${cliCommand()}`,
    '',
    'Ctrl+C stops everything (simulators, redis-server, code-server).',
  ]);
}

/** A spawned process and all its descendants, stopped together (code-server forks an extension host, watchers…). */
class ProcessTree {
  private readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // If this process dies without running the cleanup, do not leave a code-server behind.
    process.once('exit', this.killNow);
  }

  private readonly killNow = (): void => {
    for (const pid of [...descendantPids(this.child.pid), this.child.pid]) signal(pid, 'SIGKILL');
    if (this.child.pid !== undefined) signal(-this.child.pid, 'SIGKILL');
  };

  async stop(): Promise<void> {
    process.removeListener('exit', this.killNow);
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    // Collect descendants first: once the parent is gone they are re-parented and can no longer be found.
    const descendants = descendantPids(pid);
    signal(-pid, 'SIGTERM');
    for (const d of descendants) signal(d, 'SIGTERM');
    const timer = setTimeout(() => {
      signal(-pid, 'SIGKILL');
      for (const d of descendants) signal(d, 'SIGKILL');
    }, STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    // Give the children a moment to follow, then make sure none outlives the demo.
    await sleep(300);
    for (const d of descendants) signal(d, 'SIGKILL');
    signal(-pid, 'SIGKILL');
  }
}

function descendantPids(root: number | undefined): number[] {
  if (root === undefined) return [];
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (ps.status !== 0) return [];
  const children = new Map<number, number[]>();
  for (const line of ps.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || Number.isNaN(pid) || Number.isNaN(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const next = children.get(stack.pop() ?? -1) ?? [];
    found.push(...next);
    stack.push(...next);
  }
  return found;
}

function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + CODE_SERVER_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`code-server did not answer on ${url} within ${CODE_SERVER_READY_TIMEOUT_MS / 1000} s:\n${tail(logFile)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle

/** What the demo started, stopped in reverse order exactly once. */
class CleanupStack {
  private readonly steps: { readonly label: string; readonly run: () => Promise<void> }[] = [];

  constructor(private readonly log: (msg: string) => void) {}

  push(label: string, run: () => Promise<void>): void {
    this.steps.push({ label, run });
  }

  async runAll(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      this.log(`stopping ${step.label}…`);
      try {
        await step.run();
      } catch (err) {
        this.log(`${step.label} did not stop cleanly: ${errorMessage(err)}`);
      }
    }
  }
}

function installSignalHandlers(cleanup: CleanupStack, log: (msg: string) => void): void {
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl+C: give up waiting. The 'exit' hooks SIGKILL the servers and code-server.
      log(`${sig} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    process.stdout.write('\n');
    log(`${sig}: stopping everything the demo started (Ctrl+C again to force)…`);
    void cleanup.runAll().then(() => {
      log('stopped.');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function parseArgs(argv: readonly string[]): DemoArgs {
  let open = true;
  let port: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-open') open = false;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--port' || arg?.startsWith('--port=')) {
      const value = arg === '--port' ? argv[++i] : arg.slice('--port='.length);
      port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port needs a TCP port number (1–65535), got "${value ?? ''}"`);
    } else throw new Error(`unknown argument "${arg}"`);
  }
  return { open, port, help };
}

function missingBinaryHelp(err: MissingBinaryError): string {
  const lines =
    err.binary === 'redis-server'
      ? ['The demo needs Redis, and redis-server is not installed.', '', '  Debian/Ubuntu:  sudo apt-get install redis-server', '  macOS:          brew install redis', '', 'Or point the demo at a running Redis:  REDIS_URL=redis://127.0.0.1:6379 npm run demo']
      : [`The demo needs ${err.binary}, which is not installed.`, '', `  ${err.install}`];
  return `\n${lines.map((l) => `[demo] ${l}`).join('\n')}\n\n`;
}

function printBanner(lines: readonly string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '═'.repeat(width);
  process.stdout.write(`\n${rule}\n${lines.map((l) => `  ${l}`).join('\n')}\n${rule}\n\n`);
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '(no log)';
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((err: unknown) => {
  process.stderr.write(`[demo] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
