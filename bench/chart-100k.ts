// Benchmarks for the dashboards (run: node --import tsx bench/chart-100k.ts):
//  1. Chart with 100k points in Chromium: our MetricChart vs bare uPlot on the same data (target ≤ 1.2×).
//  2. Host → webview messages while 50k events/s arrive (target ≤ 30/s per visible panel, 0 to hidden ones):
//     the real PanelMessenger with the Overview, Metrics, Task detail and Workflow graph builders over a store
//     fed 50k task/queue/metric events per second, with a fake panel that counts postMessage calls.
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { MonitorStore } from '../src/core/store/monitor-store';
import { MutableChangeSet } from '../src/core/store/change-set';
import { DerivedMetrics } from '../src/core/series/derived-metrics';
import { OverviewFeed } from '../src/core/views/overview-feed';
import { MetricsFeed } from '../src/core/views/metrics-feed';
import { buildWorkflowGraph } from '../src/core/views/workflow-graph';
import { PanelMessenger } from '../src/vscode/panels/panel-messenger';
import { notification } from '../src/protocol/ipc';
import type { MonitorEvent } from '../src/core/model';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (name: string, ours: string, baseline: string, ratio: string, target: string, pass: boolean): void =>
  console.log(`${name.padEnd(44)} ours ${ours.padStart(10)}  baseline ${baseline.padStart(10)}  ratio ${ratio.padStart(6)}  target ${target.padEnd(8)} ${pass ? 'PASS' : 'FAIL'}`);

async function chartBench(): Promise<boolean> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const built = await esbuild.build({ entryPoints: ['webview/bench/chart-page.ts'], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', loader: { '.css': 'text' }, minify: true, logLevel: 'silent' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ content: built.outputFiles[0]!.text });
    const r = await page.evaluate('window.bench()') as { ours: number[]; bare: number[] };
    const o = median(r.ours), b = median(r.bare);
    const ratio = o / b;
    line('chart 100k points (median of 9, ms)', o.toFixed(1), b.toFixed(1), `${ratio.toFixed(2)}×`, '≤ 1.2×', ratio <= 1.2);
    return ratio <= 1.2;
  } finally {
    await browser.close();
  }
}

interface FakePanel { visible: boolean; viewType: string; posted: number; webview: unknown; onDidChangeViewState: unknown }

function fakePanel(visible: boolean): FakePanel {
  const p: FakePanel = {
    visible, viewType: 'bench', posted: 0,
    webview: { postMessage: () => { p.posted++; return Promise.resolve(true); }, onDidReceiveMessage: () => ({ dispose() {} }) },
    onDidChangeViewState: () => ({ dispose() {} }),
  };
  return p;
}

async function messageRateBench(): Promise<boolean> {
  const store = new MonitorStore();
  for (let q = 0; q < 4; q++) store.apply({ type: 'metric', sample: { connectionId: 'c', system: 'bullmq', name: 'queue_depth', labels: { queue: `q${q}` }, timestamp: Date.now() - 1000, value: 0 } });
  store.apply({ type: 'task.upsert', task: { connectionId: 'c', system: 'bullmq', id: 'root', queue: 'q', status: 'waiting-children', updatedAt: Date.now() } });
  const derived = new DerivedMetrics();
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const overview = new OverviewFeed(store);
  const metrics = new MetricsFeed(store, 24);
  const panels: { name: string; panel: FakePanel; messenger: PanelMessenger<unknown, unknown> }[] = [];
  const add = (name: string, visible: boolean, buildSnapshot: () => unknown, buildDelta: (c: MutableChangeSet) => unknown): void => {
    const panel = fakePanel(visible);
    const messenger = new PanelMessenger<unknown, unknown>(panel as never, { snapshot: notification('s'), delta: notification('d'), buildSnapshot, buildDelta: buildDelta as never, commands: {}, log });
    (panel.webview as { onDidReceiveMessage: unknown }).onDidReceiveMessage = undefined;
    panels.push({ name, panel, messenger });
    (messenger as unknown as { receive(m: unknown): void }).receive({ method: 'ready', params: {} });
  };
  add('overview (visible)', true, () => overview.snapshot(Date.now()), (c) => overview.delta(c, Date.now()));
  add('metrics (visible)', true, () => metrics.snapshot(Date.now()), (c) => metrics.delta(c, Date.now()));
  add('workflow graph (visible)', true, () => buildWorkflowGraph(store, 'c', 'root'), (c) => (c.tasks.size ? buildWorkflowGraph(store, 'c', 'root') : undefined));
  add('task detail (visible)', true, () => store.task('task:c:q:2'), (c) => (c.tasks.has('task:c:q:2') ? store.task('task:c:q:2') : undefined));
  add('overview (hidden)', false, () => overview.snapshot(Date.now()), (c) => overview.delta(c, Date.now()));
  metrics.select(store.series().map((s) => s.key).slice(0, 4));
  for (const p of panels) p.panel.posted = 0;

  const RATE = 50_000, SECONDS = 4, BATCH_MS = 10;
  const perBatch = RATE * BATCH_MS / 1000;
  let n = 0;
  const started = Date.now();
  const statuses = ['waiting', 'active', 'completed', 'failed'];
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const change = new MutableChangeSet();
      const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - started) / 1000) * RATE) + perBatch);
      for (; n < due; n++) {
        const e: MonitorEvent = n % 10 === 0
          ? { type: 'queue.upsert', queue: { connectionId: 'c', system: 'bullmq', name: `q${n % 20}`, counts: { waiting: n % 100, active: 3 }, updatedAt: Date.now() } }
          : n % 10 === 1
            ? { type: 'metric', sample: { connectionId: 'c', system: 'bullmq', name: 'queue_depth', labels: { queue: `q${n % 4}` }, timestamp: Date.now(), value: n % 1000 } }
            : { type: 'task.upsert', task: { connectionId: 'c', system: 'bullmq', id: String(n % 5000), queue: 'q', status: statuses[n % 4]!, parentId: n % 5000 < 500 ? 'root' : undefined, updatedAt: Date.now() } };
        change.merge(store.apply(e));
        derived.observe(e);
      }
      for (const p of panels) p.messenger.onStoreChange(change);
      if (n >= RATE * SECONDS) resolve(); else setTimeout(tick, BATCH_MS);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 200));
  const elapsed = (Date.now() - started) / 1000;
  const achieved = n / elapsed;
  let ok = true;
  for (const p of panels) {
    const perSecond = p.panel.posted / elapsed;
    const hidden = !p.panel.visible;
    const pass = hidden ? p.panel.posted === 0 : perSecond <= 30;
    ok &&= pass;
    line(`messages/s to ${p.name} @ ${Math.round(achieved / 1000)}k ev/s`, perSecond.toFixed(1), '—', '—', hidden ? '0' : '≤ 30/s', pass);
    p.messenger.dispose();
  }
  return ok;
}

async function main(): Promise<void> {
  const a = await chartBench();
  const b = await messageRateBench();
  process.exitCode = a && b ? 0 : 1;
}

void main();
