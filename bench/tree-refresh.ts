// Tree refresh under 50k events/s (target: ≤ 4 refreshes/s per view, getChildren ≤ 50 ms;
// shared/reference/performance.md). The real Queues, Workers and Workflows providers of src/vscode/views run
// against a MonitorSession, wired as the extension's container wires them, with `vscode` mapped to
// bench/support/vscode-api-stand-in.cjs. A realistic mix of events (task moves, queue counts, worker
// heartbeats, workflow progress, log lines) over many connections, queues, workers and workflows is applied at
// 50k events/s for ~10 s while the three views are "visible". A small renderer stands in for VS Code's tree: on
// every onDidChangeTreeData it re-reads what VS Code would (getChildren of the changed or root nodes, getTreeItem
// of every row, recursively for expanded nodes) and times each getChildren.
// Baseline in the same run: the store's own change notifications per second (what an uncoalesced tree would get).
// Run: node --import tsx bench/tree-refresh.ts [--seconds 10] [--rate 50000]
import { performance } from 'node:perf_hooks';
import type * as vscodeTypes from 'vscode';
import type { MonitorEvent } from '../src/core/model/events';
import type { ChangeSet } from '../src/core/store/change-set';
import { MonitorSession } from '../src/sources/monitor-session';
import '../test/helpers/vscode-stand-in';
import type { StoreTree, TreeNode } from '../src/vscode/views/store-tree';
import type * as QueuesTreeModule from '../src/vscode/views/queues-tree';
import type * as WorkersTreeModule from '../src/vscode/views/workers-tree';
import type * as WorkflowsTreeModule from '../src/vscode/views/workflows-tree';
import { numberFlag } from './support/flags';

// `vscode` → the stand-in (test/helpers/vscode-stand-in.ts, imported above), before any tree module loads.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the `vscode` mapping above is in place */
const { QueuesTree } = require('../src/vscode/views/queues-tree') as typeof QueuesTreeModule;
const { WorkersTree } = require('../src/vscode/views/workers-tree') as typeof WorkersTreeModule;
const { WorkflowsTree } = require('../src/vscode/views/workflows-tree') as typeof WorkflowsTreeModule;
/* eslint-enable @typescript-eslint/no-require-imports */

const SECONDS = numberFlag('seconds', 10);
const RATE = numberFlag('rate', 50_000);
const CONNECTIONS = ['bull-prod', 'bull-staging', 'nexus', 'pynenc', 'mahavishnu', 'propeller'];
const QUEUES_PER_CONNECTION = 60;
const WORKERS_PER_CONNECTION = 40;
const WORKFLOWS_PER_CONNECTION = 150;
const TASK_IDS = 20_000;
const STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
const EXPANDED_QUEUES_PER_CONNECTION = 5;

/** Deterministic pseudo-random numbers, so every run applies the same mix. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function eventMix(random: () => number): (now: number) => MonitorEvent {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  return (now) => {
    const connectionId = pick(CONNECTIONS);
    const system = connectionId.startsWith('bull') ? 'bullmq' : connectionId === 'pynenc' ? 'pynenc' : connectionId === 'nexus' ? 'nexus' : connectionId === 'mahavishnu' ? 'mahavishnu' : 'propeller';
    const queue = `queue-${Math.floor(random() * QUEUES_PER_CONNECTION)}`;
    const r = random();
    if (r < 0.55) {
      const status = pick(STATES);
      return { type: 'task.upsert', task: { connectionId, system, id: String(Math.floor(random() * TASK_IDS)), queue, name: 'process', status, worker: `worker-${Math.floor(random() * WORKERS_PER_CONNECTION)}`, updatedAt: now } };
    }
    if (r < 0.75) {
      const counts = { waiting: Math.floor(random() * 1000), active: Math.floor(random() * 20), completed: Math.floor(random() * 1e6), failed: Math.floor(random() * 100), delayed: Math.floor(random() * 50) };
      return { type: 'queue.upsert', queue: { connectionId, system, name: queue, counts, updatedAt: now } };
    }
    if (r < 0.85) {
      const id = `worker-${Math.floor(random() * WORKERS_PER_CONNECTION)}`;
      return { type: 'worker.upsert', worker: { connectionId, system, id, status: random() < 0.7 ? 'busy' : 'idle', queue, lastSeen: now, updatedAt: now } };
    }
    if (r < 0.92) {
      const total = 10;
      return { type: 'workflow.upsert', workflow: { connectionId, system, id: `flow-${Math.floor(random() * WORKFLOWS_PER_CONNECTION)}`, name: 'ingest', status: 'running', done: Math.floor(random() * total), total, stages: [{ name: 'fetch', status: 'done' }, { name: 'parse', status: 'running' }], updatedAt: now } };
    }
    return { type: 'log', record: { connectionId, system, timestamp: now, level: random() < 0.1 ? 'error' : 'info', message: `job done in ${Math.floor(random() * 900)} ms`, worker: `worker-${Math.floor(random() * WORKERS_PER_CONNECTION)}` } };
  };
}

interface ViewStats {
  readonly name: string;
  readonly tree: StoreTree<TreeNode>;
  /** Refresh events per wall-clock second of the run. */
  readonly perSecond: number[];
  readonly getChildrenMs: number[];
  rows: number;
}

/** What VS Code does on onDidChangeTreeData: re-read the changed nodes (or the root) and, if expanded, what they list. */
function render(view: ViewStats, nodes: readonly TreeNode[] | undefined, expanded: (node: TreeNode) => boolean): void {
  const visit = (node: TreeNode | undefined, depth: number): void => {
    if (node) {
      view.tree.getTreeItem(node);
      view.rows++;
      if (!expanded(node)) return;
    }
    const t = performance.now();
    const children = view.tree.getChildren(node);
    if (children instanceof Promise) throw new Error('async getChildren is not used by these views without a pager');
    view.getChildrenMs.push(performance.now() - t);
    if (depth < 3) for (const child of children) visit(child, depth + 1);
  };
  if (nodes === undefined) visit(undefined, 0);
  else for (const n of nodes) visit(n, 1);
}

async function main(): Promise<void> {
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const session = new MonitorSession({ log: quiet });
  const store = session.store;
  const queues = new QueuesTree(store);
  const workers = new WorkersTree(store);
  const workflows = new WorkflowsTree(store);
  const views: ViewStats[] = [
    { name: 'Queues', tree: queues as unknown as StoreTree<TreeNode>, perSecond: [], getChildrenMs: [], rows: 0 },
    { name: 'Workers', tree: workers as unknown as StoreTree<TreeNode>, perSecond: [], getChildrenMs: [], rows: 0 },
    { name: 'Workflows', tree: workflows as unknown as StoreTree<TreeNode>, perSecond: [], getChildrenMs: [], rows: 0 },
  ];
  // Expanded: every connection (they open expanded) and the first few queues of each connection.
  const expandedQueues = new Set<string>();
  for (const c of CONNECTIONS) for (let q = 0; q < EXPANDED_QUEUES_PER_CONNECTION; q++) expandedQueues.add(`queue:${c}:queue-${q}`);
  const expanded = (node: TreeNode): boolean => {
    const kind = (node as TreeNode & { kind: string }).kind;
    return kind === 'connection' || (kind === 'queue' && expandedQueues.has(node.id));
  };

  let second = 0;
  const subscriptions: vscodeTypes.Disposable[] = [];
  for (const v of views) {
    subscriptions.push(v.tree.onDidChangeTreeData((e) => {
      v.perSecond[second] = (v.perSecond[second] ?? 0) + 1;
      render(v, e === undefined ? undefined : Array.isArray(e) ? e : [e as TreeNode], expanded);
    }));
  }
  // As the container does: every store change goes to every tree; views are visible.
  let storeChanges = 0;
  session.onDidChange((change: ChangeSet) => {
    storeChanges++;
    for (const v of views) v.tree.onStoreChange(change);
  });
  const now = Date.now();
  for (const c of CONNECTIONS) {
    session.apply({ type: 'connection.added', connectionId: c, name: c, kind: 'redis', system: 'bullmq', readOnly: false, at: now });
    session.apply({ type: 'connection.state', connectionId: c, state: 'connected', at: now });
  }
  const next = eventMix(rng(42));
  for (let i = 0; i < 20_000; i++) session.apply(next(now)); // a populated store before the views open
  await new Promise((r) => setImmediate(r));
  for (const v of views) { v.tree.setVisible(true); v.tree.refreshAll(); }

  // Drive: every 5 ms, apply as many events as keep the rate at RATE since the start.
  const started = performance.now();
  let sent = 0;
  const perSecondChanges: number[] = [];
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = (performance.now() - started) / 1000;
      second = Math.floor(elapsed);
      if (elapsed >= SECONDS) return resolve();
      const due = Math.floor(elapsed * RATE) - sent;
      const at = Date.now();
      for (let i = 0; i < due; i++) session.apply(next(at));
      sent += Math.max(0, due);
      perSecondChanges[second] = storeChanges;
      setTimeout(tick, 5);
    };
    tick();
  });
  const wall = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 300)); // let the last coalesced refresh land
  for (const s of subscriptions) s.dispose();
  for (const v of views) v.tree.dispose();

  const changesPerSecond = storeChanges / wall;
  const row = (name: string, ours: string, baseline: string, ratio: string, target: string, verdict: 'PASS' | 'FAIL' | 'info'): void =>
    console.log(`${name.padEnd(52)} ours ${ours.padStart(9)}  baseline ${baseline.padStart(9)}  ratio ${ratio.padStart(7)}  target ${target.padEnd(9)} ${verdict}`);
  const achieved = sent / wall;
  row('events applied per second', achieved.toFixed(0), String(RATE), (achieved / RATE).toFixed(2), `≥ ${Math.round(RATE * 0.95)}`, achieved >= RATE * 0.95 ? 'PASS' : 'FAIL');
  for (const v of views) {
    // Whole seconds only (the first second includes the refreshAll on open).
    const full = v.perSecond.slice(1, Math.floor(wall)).map((n) => n ?? 0);
    const worst = Math.max(0, ...full);
    const mean = full.reduce((a, b) => a + b, 0) / Math.max(1, full.length);
    const sorted = [...v.getChildrenMs].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    const max = sorted[sorted.length - 1] ?? 0;
    row(`${v.name}: refreshes/s, worst second (mean ${mean.toFixed(1)})`, String(worst), changesPerSecond.toFixed(0), (worst / changesPerSecond).toFixed(3), '≤ 4/s', worst <= 4 ? 'PASS' : 'FAIL');
    row(`${v.name}: getChildren max (ms), ${v.getChildrenMs.length} calls`, max.toFixed(2), '', '', '≤ 50 ms', max <= 50 ? 'PASS' : 'FAIL');
    row(`${v.name}: getChildren p95 (ms), ${v.rows} rows rendered`, p95.toFixed(2), '', '', '≤ 50 ms', p95 <= 50 ? 'PASS' : 'FAIL');
  }
  await session.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
