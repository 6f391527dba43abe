// Extension activation (target ≤ 50 ms, and no network connection before a Taskscope view is shown).
// Each run is a fresh Node process that loads the built dist/extension.js with a stand-in `vscode` module
// (bench/support/vscode-api-stand-in.cjs), times require + activate(), then watches every socket opened for
// 500 ms. Baseline in the same run: the same steps for an empty extension, so the ratio shows our own cost.
// Run: npm run build && node --import tsx bench/activation.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = 15;
const ROOT = resolve(__dirname, '..');
const BUNDLE = join(ROOT, 'dist', 'extension.js');
const STAND_IN = join(ROOT, 'bench', 'support', 'vscode-api-stand-in.cjs');

// The probe runs in the child: it counts sockets, maps `vscode` to the stand-in, loads and activates.
const PROBE = `
const Module = require('module');
const net = require('net');
let sockets = 0;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { sockets++; return connect.apply(this, args); };
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? ${JSON.stringify(STAND_IN)} : resolveFilename.call(this, request, ...rest);
};
const started = process.hrtime.bigint();
const ext = require(process.argv[1]);
const loaded = process.hrtime.bigint();
const subscriptions = [];
ext.activate({ subscriptions, secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: () => ({ dispose() {} }) },
  extensionUri: { fsPath: ${JSON.stringify(ROOT)}, scheme: 'file', path: ${JSON.stringify(ROOT)} }, extensionPath: ${JSON.stringify(ROOT)},
  globalState: { get: () => undefined, update: async () => {}, keys: () => [] }, workspaceState: { get: () => undefined, update: async () => {}, keys: () => [] },
  storageUri: undefined, globalStorageUri: { fsPath: require('os').tmpdir() }, logUri: { fsPath: require('os').tmpdir() }, extensionMode: 1 });
const activated = process.hrtime.bigint();
setTimeout(() => {
  process.stdout.write(JSON.stringify({ loadMs: Number(loaded - started) / 1e6, activateMs: Number(activated - loaded) / 1e6, sockets }));
  process.exit(0);
}, 500);
`;

interface Run { loadMs: number; activateMs: number; sockets: number }

function runOnce(bundle: string): Run {
  const r = spawnSync(process.execPath, ['-e', PROBE, bundle], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`activation probe failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

function main(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} not found: run \`npm run build\` first`);
  const emptyDir = mkdtempSync(join(tmpdir(), 'taskscope-bench-empty-'));
  const emptyBundle = join(emptyDir, 'extension.js');
  writeFileSync(emptyBundle, "exports.activate = () => {}; exports.deactivate = () => {};\n");
  const ours: Run[] = [];
  const empty: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(runOnce(BUNDLE));
    empty.push(runOnce(emptyBundle));
  }
  const total = (r: Run): number => r.loadMs + r.activateMs;
  const oursP50 = quantile(ours.map(total), 0.5);
  const oursP95 = quantile(ours.map(total), 0.95);
  const baseP50 = quantile(empty.map(total), 0.5);
  const sockets = Math.max(...ours.map((r) => r.sockets));
  const row = (name: string, o: string, b: string, ratio: string, target: string, pass: boolean): void =>
    console.log(`${name.padEnd(46)} ours ${o.padStart(9)}  baseline ${b.padStart(9)}  ratio ${ratio.padStart(7)}  target ${target.padEnd(9)} ${pass ? 'PASS' : 'FAIL'}`);
  row('activation: require + activate, p50 (ms)', oursP50.toFixed(1), baseP50.toFixed(1), `${(oursP50 / Math.max(baseP50, 0.01)).toFixed(0)}×`, '≤ 50 ms', oursP50 <= 50);
  row('activation: require + activate, p95 (ms)', oursP95.toFixed(1), '', '', '≤ 50 ms', oursP95 <= 50);
  row('  of which bundle load, p50 (ms)', quantile(ours.map((r) => r.loadMs), 0.5).toFixed(1), '', '', '', true);
  row('  of which activate(), p50 (ms)', quantile(ours.map((r) => r.activateMs), 0.5).toFixed(1), '', '', '', true);
  row('sockets opened within 500 ms, no view shown', String(sockets), '0', '', '= 0', sockets === 0);
}

main();
