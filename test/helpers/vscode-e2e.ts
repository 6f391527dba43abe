// Runs a packaged extension in real VS Code (code-server) and drives the workbench with Playwright.
//
// One launchVSCode() call = one hermetic session: a temp user-data dir with its own settings.json, a temp
// extensions dir with only the given .vsix, code-server on a free port in its own process group, and a
// headless Chromium page showing the workbench. close() takes all of it down again.
// Facts this is built on (flags, selectors, why not @vscode/test-electron): /work/shared/reference/vscode-e2e.md.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

import { ensureCodeServer } from './code-server';
import { repoRoot } from './repo-root';

export interface LaunchOptions {
  /** The .vsix to install (see packageExtension()). */
  vsixPath: string;
  /** Folder opened as the workspace. */
  workspaceFolder: string;
  /** Merged over the defaults and written to <user-data-dir>/User/settings.json. */
  userSettings?: Record<string, unknown>;
  /** true = keep workspace trust on (no --disable-workspace-trust), for tests of restricted mode. */
  trust?: boolean;
  /** workbench.colorTheme; default "Default Dark Modern". */
  colorTheme?: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
}

export type Truthy<T> = Exclude<T, undefined | null | false | 0 | '' | 0n>;

export interface WebviewMatch {
  frame: Frame;
  /** First element matching the selector inside that frame. */
  locator: Locator;
}

export interface VSCodeSession {
  page: Page;
  browser: Browser;
  /** Workbench URL, e.g. http://127.0.0.1:41234/?folder=/tmp/ws */
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** PID of code-server (leader of its own process group). */
  pid: number;
  /** Saves test-results/<name>.png at the repo root; returns the path. */
  screenshot(name: string): Promise<string>;
  /** Clicks the activity bar item whose aria-label starts with `label` (the view container title), unless it is already open. */
  openActivityBarItem(label: string): Promise<void>;
  /** innerText (whitespace collapsed) of every `.monaco-list-row` in the primary sidebar, top to bottom. */
  treeRowTexts(): Promise<string[]>;
  /**
   * Expands a tree row (a row toggles on click) unless it already is, and waits until it shows as expanded. A click
   * that lands while the view re-renders that row is lost, so a row still collapsed after a while is clicked again.
   */
  expandTreeRow(row: Locator, what: string): Promise<void>;
  /** Runs a command by its palette title ("Category: Title" as shown in the palette) via Ctrl+Shift+P. */
  runCommand(title: string): Promise<void>;
  /** First frame (webviews included) with an element matching `selector`, or undefined. */
  findInWebviews(selector: string): Promise<WebviewMatch | undefined>;
  /** innerText of the first element matching `selector` in any frame, or undefined if none. */
  webviewText(selector: string): Promise<string | undefined>;
  /**
   * Polls `fn` every 250 ms until it returns a truthy value, and returns that value; exceptions from `fn` count
   * as "not yet". Throws after `timeoutMs` (default 20 s) with `what` and the last value or error.
   */
  waitFor<T>(fn: () => T | Promise<T>, timeoutMs?: number, what?: string): Promise<Truthy<T>>;
  /** code-server's stdout/stderr so far (useful in assertion messages). */
  serverLog(): string;
  /** PIDs of code-server and every process it started that are still running (empty after close()). */
  processes(): number[];
  /** Closes the browser and kills code-server with every process it started. Safe to call twice. */
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  const exe = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(exe)) {
    throw new Error(
      `Chromium not found at ${exe}. Install it with \`sudo apt-get install -y chromium\` ` +
        `(Debian package; never \`npx playwright install\`), or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return exe;
}

/** Writes `<workspace>/.vscode/settings.json` (the folder created if needed): what each e2e workspace opens with. */
export function writeWorkspaceSettings(workspace: string, settings: Readonly<Record<string, unknown>>): void {
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
}

export async function launchVSCode(opts: LaunchOptions): Promise<VSCodeSession> {
  const executablePath = chromiumPath(); // fail fast, before minutes of install work
  if (!fs.existsSync(opts.vsixPath)) throw new Error(`vsix not found: ${opts.vsixPath}`);
  if (!fs.statSync(opts.workspaceFolder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`workspace folder not found: ${opts.workspaceFolder}`);
  }
  const { codeServerBin } = await ensureCodeServer();

  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-'));
  liveDirs.add(base);
  installExitHooks();
  try {
    return await startSession(opts, codeServerBin, executablePath, base);
  } catch (err) {
    removeSessionDir(base);
    throw err;
  }
}

function removeSessionDir(base: string): void {
  liveDirs.delete(base);
  if (!process.env.TASKSCOPE_KEEP_E2E_TMP) fs.rmSync(base, { recursive: true, force: true });
}

async function startSession(
  opts: LaunchOptions,
  codeServerBin: string,
  executablePath: string,
  base: string,
): Promise<VSCodeSession> {
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  const configFile = path.join(base, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // Our own config file, so code-server never creates or reads ~/.config/code-server/config.yaml.
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...defaultSettings(opts), ...(opts.userSettings ?? {}) }, null, 2),
  );

  // XDG dirs point into the session folder: code-server keeps logs under $XDG_DATA_HOME/code-server.
  const env = serverEnv({
    XDG_DATA_HOME: path.join(base, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(base, 'xdg-config'),
    ...(opts.env ?? {}),
  });
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  installVsix(codeServerBin, common, opts.vsixPath, env);

  const { server, port } = await startServer(codeServerBin, common, opts, env, base);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(path.resolve(opts.workspaceFolder))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: 30_000 });
    return makeSession({ page, browser, url, port, userDataDir, extensionsDir, base, server });
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await server.kill().catch(() => undefined);
    live.delete(server);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`launchVSCode failed: ${message}\n--- code-server log (tail) ---\n${server.logTail(40)}`);
  }
}

/** Starts code-server on a free port and waits for HTTP; retries if another process grabbed the port first. */
async function startServer(
  codeServerBin: string,
  common: string[],
  opts: LaunchOptions,
  env: NodeJS.ProcessEnv,
  base: string,
): Promise<{ server: ServerProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(base, `code-server-${attempt}.log`);
    const args = [
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--ignore-last-opened',
      ...(opts.trust ? [] : ['--disable-workspace-trust']),
      path.resolve(opts.workspaceFolder),
    ];
    const out = fs.openSync(logFile, 'a');
    // detached: code-server leads its own process group, so close() can signal it and everything it forks.
    const child = spawn(codeServerBin, args, { cwd: base, env, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const server = new ServerProcess(child, logFile, base);
    live.add(server);
    installExitHooks();
    try {
      await server.waitForHttp(port, 90_000);
      return { server, port };
    } catch (err) {
      await server.kill().catch(() => undefined);
      live.delete(server);
      if (attempt < 3 && /EADDRINUSE/.test(server.log())) continue;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`launchVSCode failed: ${message}\n--- code-server log (tail) ---\n${server.logTail(40)}`);
    }
  }
}

function defaultSettings(opts: LaunchOptions): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.colorTheme': opts.colorTheme ?? 'Default Dark Modern',
    'security.workspace.trust.enabled': opts.trust === true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'window.commandCenter': false,
  };
}

/** Environment for code-server (inherited by the extension host). */
function serverEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Started from a VS Code terminal, VSCODE_IPC_HOOK_CLI & co. would turn the CLI into a remote control
    // for that other instance; npm_* comes from `npm test` and means nothing to the extension host; a
    // NODE_OPTIONS meant for the test process (e.g. --import tsx) would break code-server's Node 24.
    if (/^(VSCODE_|ELECTRON_|npm_)/i.test(k) || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...(extra ?? {}) };
}

function installVsix(codeServerBin: string, common: string[], vsix: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(codeServerBin, [...common, '--install-extension', vsix, '--force'], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (${r.error?.message ?? `exit ${r.status}`}):\n${output}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------------------------------ session

function preview(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  } catch {
    return String(value);
  }
}

interface SessionParts {
  page: Page;
  browser: Browser;
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  base: string;
  server: ServerProcess;
}

function makeSession(p: SessionParts): VSCodeSession {
  const { page } = p;
  let closed = false;

  const waitFor = async <T>(fn: () => T | Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<Truthy<T>> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    let lastError: unknown;
    for (;;) {
      try {
        last = await fn();
        lastError = undefined;
        if (last) return last as Truthy<T>;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        const detail = lastError instanceof Error ? `last error: ${lastError.message}` : `last value: ${preview(last)}`;
        throw new Error(`waitFor(${what}) timed out after ${timeoutMs} ms; ${detail}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const findInWebviews = async (selector: string): Promise<WebviewMatch | undefined> => {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      try {
        const locator = frame.locator(selector).first();
        if ((await locator.count()) > 0) return { frame, locator };
      } catch {
        // Frames come and go while webviews load; a detached frame is simply not a match.
      }
    }
    return undefined;
  };

  return {
    page,
    browser: p.browser,
    url: p.url,
    port: p.port,
    userDataDir: p.userDataDir,
    extensionsDir: p.extensionsDir,
    pid: p.server.pid,

    async screenshot(name) {
      const dir = path.join(repoRoot(), 'test-results');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path: file });
      return file;
    },

    async openActivityBarItem(label) {
      // The <li role="tab"> only gets its aria-label while active; the inner <a class="action-label"> always has it.
      const item = page
        .locator(`.part.activitybar li.action-item:has(> a.action-label[aria-label^=${JSON.stringify(label)}])`)
        .first();
      try {
        await item.waitFor({ state: 'visible', timeout: 20_000 });
      } catch {
        const labels = await page.locator('.part.activitybar li.action-item > a.action-label').evaluateAll((els) =>
          els.map((e) => e.getAttribute('aria-label')),
        );
        throw new Error(`no activity bar item labelled "${label}…"; present: ${JSON.stringify(labels)}`);
      }
      // Clicking the active container's icon would collapse the sidebar, so only click when it is not open.
      const isOpen = async (): Promise<boolean> =>
        (await item.getAttribute('aria-selected')) === 'true' && (await page.locator('.part.sidebar').isVisible());
      if (!(await isOpen())) await item.click();
      await waitFor(isOpen, 10_000, `sidebar "${label}" open`);
    },

    async treeRowTexts() {
      const texts = await page.locator('.part.sidebar .monaco-list-row').allInnerTexts();
      return texts.map((t) => t.replace(/\s+/g, ' ').trim());
    },

    async expandTreeRow(row, what) {
      // A group without rows is not expandable (no aria-expanded) until rows arrive.
      await waitFor(async () => (await row.getAttribute('aria-expanded')) !== null, 30_000, `${what} expandable`);
      const expanded = async (): Promise<boolean> => (await row.getAttribute('aria-expanded')) === 'true';
      for (let attempt = 0; !(await expanded()); attempt++) {
        await row.click();
        // Expanding resolves the children first, so allow for a slow first read before the click is taken as lost.
        const shown = await waitFor(expanded, attempt === 0 ? 5_000 : 15_000, `${what} expanded`).then(() => true, (error: unknown) => {
          if (attempt > 0) throw error;
          return false;
        });
        if (shown) return;
      }
    },

    async runCommand(title) {
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await page.keyboard.press('Control+Shift+P');
      if (!(await input.isVisible().catch(() => false))) {
        try {
          await input.waitFor({ state: 'visible', timeout: 3_000 });
        } catch {
          await page.keyboard.press('F1'); // Ctrl+Shift+P can be swallowed while focus sits in a webview
          await input.waitFor({ state: 'visible', timeout: 10_000 });
        }
      }
      await input.fill(`>${title}`);
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      const match = rows.filter({ hasText: title }).first();
      await match.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
        const shown = await rows.allInnerTexts();
        await page.keyboard.press('Escape');
        throw new Error(`command "${title}" not found in the palette; it shows: ${JSON.stringify(shown)}`);
      });
      // The palette focuses its first row; "recently used" can put another command there, so click ours.
      await match.click();
      await input.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    },

    findInWebviews,

    async webviewText(selector) {
      const found = await findInWebviews(selector);
      if (!found) return undefined;
      try {
        return await found.locator.innerText({ timeout: 2_000 });
      } catch {
        return undefined;
      }
    },

    waitFor,

    serverLog: () => p.server.log(),

    processes: () => p.server.alive(),

    async close() {
      if (closed) return;
      closed = true;
      await p.browser.close().catch(() => undefined);
      await p.server.kill();
      live.delete(p.server);
      removeSessionDir(p.base);
    },
  };
}

// ------------------------------------------------------------------------------------------ processes

const live = new Set<ServerProcess>();
/** Temp folders of sessions not yet closed (user data, extensions, logs). */
const liveDirs = new Set<string>();
let hooksInstalled = false;

/** Last line of defence: a test file that crashes or is interrupted must not leave code-server running. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const s of live) s.killNow();
    for (const dir of [...liveDirs]) {
      try {
        removeSessionDir(dir);
      } catch {
        /* a process may still hold files; the OS temp cleaner gets the rest */
      }
    }
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
}

class ServerProcess {
  readonly pid: number;
  private exited = false;
  private exitInfo = '';
  /** Every process seen under code-server (pid -> start time); children reparent to init once their parent dies. */
  private readonly known = new Map<number, number>();

  constructor(
    private readonly child: ChildProcess,
    private readonly logFile: string,
    sessionDir: string,
  ) {
    if (!child.pid) throw new Error('code-server did not start (no pid)');
    this.pid = child.pid;
    const me = listProcesses().find((p) => p.pid === child.pid);
    if (me) this.known.set(child.pid, me.start);
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    this.watchdog = startWatchdog(this.pid, sessionDir);
  }

  private readonly watchdog: ChildProcess;

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines: number): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  async waitForHttp(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`code-server exited during startup (${this.exitInfo})`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
        if (res.status < 500) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer HTTP on port ${port} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Adds all current descendants and process-group members of code-server to `known` and returns the ones
   * still running. A PID is only trusted together with its start time, so a recycled PID is never signalled.
   */
  private snapshot(): number[] {
    const procs = listProcesses();
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    const children = new Map<number, number[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
    const isSame = (pid: number): boolean => byPid.get(pid)?.start === this.known.get(pid);
    const queue: number[] = [...this.known.keys()].filter(isSame);
    for (const p of procs) if (p.pgid === this.pid && (!this.known.has(p.pid) || isSame(p.pid))) queue.push(p.pid);
    const seen = new Set<number>();
    while (queue.length) {
      const pid = queue.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      if (!this.known.has(pid)) this.known.set(pid, byPid.get(pid)!.start);
      for (const c of children.get(pid) ?? []) if (!this.known.has(c) || isSame(c)) queue.push(c);
    }
    return [...this.known.keys()].filter((pid) => isSame(pid) && byPid.get(pid)!.state !== 'Z');
  }

  private signalAll(signal: NodeJS.Signals): void {
    const targets = this.snapshot();
    if (targets.includes(this.pid)) {
      try {
        process.kill(-this.pid, signal);
      } catch {
        /* group already empty */
      }
    }
    for (const pid of targets) {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone */
      }
    }
  }

  /** SIGTERM everything, give it 5 s to shut down cleanly, then SIGKILL what is left. */
  async kill(): Promise<void> {
    this.stopWatchdog();
    this.snapshot();
    this.signalAll('SIGTERM');
    const deadline = Date.now() + 5_000;
    while (this.snapshot().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (this.snapshot().length > 0) this.signalAll('SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (this.snapshot().length > 0 && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 100));
    const left = this.snapshot();
    if (left.length > 0) throw new Error(`processes of code-server ${this.pid} survived SIGKILL: ${left.join(', ')}`);
  }

  /** Synchronous variant for process exit handlers. */
  killNow(): void {
    this.stopWatchdog();
    this.signalAll('SIGKILL');
  }

  private stopWatchdog(): void {
    if (this.watchdog.exitCode !== null || this.watchdog.signalCode !== null) return;
    try {
      this.watchdog.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** PIDs of code-server and everything it started that are still running. */
  alive(): number[] {
    return this.snapshot();
  }
}

/**
 * Exit hooks cannot run when the test process is SIGKILLed (e.g. by a CI timeout). A tiny shell outside our
 * process group polls for the test process and, once it is gone, kills code-server's group.
 */
function startWatchdog(serverPid: number, sessionDir: string): ChildProcess {
  const quotedDir = `'${sessionDir.replace(/'/g, `'\\''`)}'`;
  const cleanup = process.env.TASKSCOPE_KEEP_E2E_TMP ? '' : `; sleep 1; rm -rf ${quotedDir}`;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -KILL -${serverPid} 2>/dev/null${cleanup}`;
  const dog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  dog.unref();
  return dog;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  start: number;
}

function listProcesses(): ProcInfo[] {
  const result: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ..." — comm may contain spaces and parentheses, so parse after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.push({ pid: Number(name), state: rest[0]!, ppid: Number(rest[1]), pgid: Number(rest[2]), start: Number(rest[19]) });
    } catch {
      /* exited while we looked */
    }
  }
  return result;
}
