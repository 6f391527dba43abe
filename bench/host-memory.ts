// Extension host memory with every demo source live (target: ≤ 250 MB RSS growth; shared/reference/performance.md).
// The real thing: `npm run demo -- --no-open` starts every simulator (BullMQ, rhailib, Nexus, pynenc, Rustvello,
// Mahavishnu, Nexus WebSocket, Propeller) on its own redis-server/mosquitto and writes a workspace whose settings
// hold every demo connection; code-server opens that workspace with the packaged extension (dist/taskscope.vsix,
// built by `npm run package` unless TASKSCOPE_VSIX points at one). The extension host is the code-server child
// whose command line says `--type=extensionHost`; its VmRSS (/proc/<pid>/status) is read before the Taskscope
// views open (baseline: the host with the extension not yet active), then every 10 s while the demo traffic flows.
// Run: node --import tsx bench/host-memory.ts [--seconds 180] [--sample 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageExtension } from '../test/helpers/package-extension';
import { launchVSCode, type VSCodeSession } from '../test/helpers/vscode-e2e';
import { numberFlag } from './support/flags';

const SECONDS = numberFlag('seconds', 180);
const SAMPLE_SECONDS = numberFlag('sample', 10);
const TARGET_MB = 250;
const ROOT = resolve(__dirname, '..');
const WORKSPACE = join(ROOT, '.demo', 'workspace');

function row(name: string, ours: string, baseline: string, ratio: string, target: string, verdict: 'PASS' | 'FAIL' | 'info'): void {
  console.log(`${name.padEnd(48)} ours ${ours.padStart(9)}  baseline ${baseline.padStart(9)}  ratio ${ratio.padStart(6)}  target ${target.padEnd(10)} ${verdict}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts the demo (no editor) and resolves once its workspace is written, i.e. every simulator is running. */
function startDemo(): Promise<ChildProcess> {
  return new Promise((resolvePromise, reject) => {
    // detached: the demo leads its own process group, so one signal reaches it and what it started.
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'demo', 'run-demo.ts'), '--no-open'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`demo did not start within 120 s:\n${output.slice(-3000)}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (/workspace written to/.test(output)) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        child.stderr?.resume();
        resolvePromise(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited with ${code}:\n${output.slice(-3000)}`)); });
  });
}

async function stopDemo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  child.removeAllListeners('exit');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid, 'SIGINT'); // the demo's own handler stops the simulators and servers it started
  const timedOut = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
  if (timedOut) process.kill(-child.pid, 'SIGKILL');
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** VmRSS of a process in MB, or undefined once it is gone. */
function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function extensionHostPid(session: VSCodeSession): Promise<number> {
  return session.waitFor(() => session.processes().find((pid) => /--type=extensionHost|extensionHostProcess/.test(cmdline(pid))), 60_000, 'the extension host process');
}

async function main(): Promise<void> {
  if (!existsSync('/proc/self/status')) throw new Error('this benchmark reads /proc/<pid>/status (Linux only)');
  const vsix = await packageExtension();
  const demo = await startDemo();
  let session: VSCodeSession | undefined;
  try {
    const settings = JSON.parse(readFileSync(join(WORKSPACE, '.vscode', 'settings.json'), 'utf8')) as { 'taskscope.connections': { id: string }[] };
    const connections = settings['taskscope.connections'].map((c) => c.id);
    session = await launchVSCode({ vsixPath: vsix, workspaceFolder: WORKSPACE });
    const host = await extensionHostPid(session);
    await sleep(10_000); // let the workbench and the built-in extensions settle
    const before = rssMb(host);
    if (before === undefined) throw new Error('the extension host exited');
    console.log(`(extension host pid ${host}; ${connections.length} demo connections: ${connections.join(', ')}; ${SECONDS} s of traffic, a sample every ${SAMPLE_SECONDS} s)`);

    await session.openActivityBarItem('Taskscope');
    // The status bar item reads "Taskscope <up>/<configured>" (tree rows are virtualized: not all are in the DOM).
    const s = session;
    const upCount = async (): Promise<number> => {
      const text = await s.page.locator('.statusbar-item').filter({ hasText: /Taskscope \d+\/\d+/ }).first().innerText({ timeout: 2_000 }).catch(() => '');
      return Number(/Taskscope (\d+)\//.exec(text)?.[1] ?? 0);
    };
    await s.waitFor(async () => (await upCount()) >= connections.length, 90_000, 'every connection up in the status bar')
      .catch(() => undefined); // reported below as a FAIL line, not thrown: the memory figures still mean something
    const connected = await upCount();
    console.log(`(connections up per the status bar: ${connected} of ${connections.length})`);

    const samples: { t: number; mb: number }[] = [];
    const started = Date.now();
    while (Date.now() - started < SECONDS * 1000) {
      const mb = rssMb(host);
      if (mb === undefined) throw new Error('the extension host exited during the run');
      samples.push({ t: Math.round((Date.now() - started) / 1000), mb });
      console.log(`  t=${String(samples.at(-1)!.t).padStart(4)} s  RSS ${mb.toFixed(0)} MB`);
      await sleep(SAMPLE_SECONDS * 1000);
    }
    const last = rssMb(host) ?? samples.at(-1)!.mb;
    samples.push({ t: Math.round((Date.now() - started) / 1000), mb: last });
    const peak = Math.max(...samples.map((x) => x.mb));
    const growth = last - before;
    const peakGrowth = peak - before;
    // Late drift: growth over the second half of the run, a hint of a leak rather than a working set.
    const half = samples.filter((x) => x.t >= SECONDS / 2);
    const drift = half.length > 1 ? half.at(-1)!.mb - half[0]!.mb : 0;
    row('extension host RSS growth, end of run (MB)', growth.toFixed(0), before.toFixed(0), (last / before).toFixed(2), `≤ ${TARGET_MB} MB`, growth <= TARGET_MB ? 'PASS' : 'FAIL');
    row('extension host RSS growth, peak (MB)', peakGrowth.toFixed(0), before.toFixed(0), (peak / before).toFixed(2), `≤ ${TARGET_MB} MB`, peakGrowth <= TARGET_MB ? 'PASS' : 'FAIL');
    row('  drift over the second half (MB)', drift.toFixed(0), '', '', 'context', 'info');
    row('  connections connected / configured', String(connected), String(connections.length), '', 'all', connected >= connections.length ? 'PASS' : 'FAIL');
  } finally {
    await session?.close();
    await stopDemo(demo);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
