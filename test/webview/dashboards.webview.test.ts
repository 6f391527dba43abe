// The Metric charts, Task detail and Workflow graph webviews and the Overview's event stream in headless
// Chromium: built from the real store and view-models with large generated data, XSS payloads through every
// string a source controls (series labels, task names, errors, values, event summaries), keyboard, UI state,
// commands posted back, and dark/light screenshots.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { MonitorEvent, Task } from '../../src/core/model';
import { detailValue } from '../../src/core/model/task-detail';
import { MonitorStore } from '../../src/core/store/monitor-store';
import { MetricsFeed } from '../../src/core/views/metrics-feed';
import { OverviewFeed } from '../../src/core/views/overview-feed';
import { buildWorkflowGraph } from '../../src/core/views/workflow-graph';
import type { OutboundMessage } from '../../src/protocol/ipc';
import * as M from '../../src/protocol/metrics';
import * as O from '../../src/protocol/overview';
import * as TD from '../../src/protocol/task-detail';
import * as WG from '../../src/protocol/workflow-graph';
import { openWebview, type WebviewHandle } from '../helpers/webview-harness';

const XSS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>', 'javascript:window.__xss=3', '"><svg onload="window.__xss=4">'];
const T0 = Date.UTC(2025, 0, 15, 9, 30);
const handles: WebviewHandle[] = [];

async function open(panel: string, options: Parameters<typeof openWebview>[1] = {}): Promise<WebviewHandle> {
  const h = await openWebview(panel, options);
  handles.push(h);
  return h;
}

after(async () => { for (const h of handles) await h.close(); });

async function assertSafe(h: WebviewHandle): Promise<void> {
  assert.equal(await h.global('__xss'), undefined, 'no payload ran');
  assert.deepEqual(await h.injectedMarkup(), [], 'no markup from data reached the DOM');
  assert.deepEqual(await h.cspViolations(), [], 'no CSP violations');
  assert.deepEqual(h.errors(), [], 'no page errors');
}

const msg = (method: string, params: unknown, seq: number): OutboundMessage => ({ method, params, seq });

describe('Metric charts webview', () => {
  const store = new MonitorStore({ maxTasks: 100, maxLogs: 100, maxEvents: 100, maxSeries: 3000, maxSamplesPerSeries: 100_000 });
  for (let i = 0; i < 2000; i++) {
    store.apply({ type: 'metric', sample: { connectionId: 'prom', system: 'generic', name: `http_requests_total`, labels: { route: i < XSS.length ? XSS[i]! : `/r${i}` }, timestamp: T0, value: 0 } });
  }
  const counter = { connectionId: 'demo', system: 'bullmq' as const, name: 'taskscope_tasks_completed_total', labels: { queue: XSS[0]! } };
  const gauge = { connectionId: 'demo', system: 'bullmq' as const, name: 'proplet_memory_bytes', labels: { proplet: 'p1' } };
  for (let i = 0; i < 100_000; i++) {
    store.apply({ type: 'metric', sample: { ...counter, timestamp: T0 + i * 1000, value: i * 3 } });
    if (i % 10 === 0) store.apply({ type: 'metric', sample: { ...gauge, timestamp: T0 + i * 1000, value: 1e8 + Math.sin(i / 500) * 5e7 } });
  }
  const keys = store.series().filter((s) => s.connectionId === 'demo').map((s) => s.key);

  test('catalogue, default selection, 100k-point chart, text legend with units, presets and UI state — XSS-safe', async () => {
    const h = await open('metrics');
    await h.waitForPosted('ready');
    const feed = new MetricsFeed(store, M.MAX_SELECTED_SERIES);
    await h.post(msg(M.DidSnapshotNotification.method, feed.snapshot(T0), 1));
    // With no saved selection the panel picks Taskscope's throughput series.
    const select = await h.waitForPosted(M.SelectSeriesCommand.method);
    assert.deepEqual((select.params as { keys: string[] }).keys, [keys[0]]);
    feed.select(keys);
    const elapsed = await h.postTimed(msg(M.DidSnapshotNotification.method, feed.snapshot(T0), 2));
    await h.page.waitForSelector('taskscope-metrics .chart canvas');
    await h.settle();
    const legend = await h.page.locator('taskscope-metrics .legend li').allTextContents();
    assert.equal(legend.length, 2);
    assert.ok(legend[0]!.includes(XSS[0]!), 'label shown as text');
    assert.match(legend[0]!, /3\/s/, 'counter drawn as a per-second rate with its unit');
    assert.match(legend[1]!, /MiB/);
    assert.ok(elapsed < 5_000, `100k points rendered in ${elapsed.toFixed(0)} ms`);
    const shown = await h.page.locator('taskscope-metrics aside li input[type=checkbox]').count();
    assert.equal(shown, 300, 'long catalogues are capped in the list');
    await h.page.locator('taskscope-metrics vscode-button[data-preset="5m"]').click();
    await h.page.locator('taskscope-metrics aside vscode-textfield input').fill('route');
    await h.settle();
    const state = await h.state() as { preset: string; filter: string; selected: string[] };
    assert.equal(state.preset, '5m');
    assert.equal(state.filter, 'route');
    assert.deepEqual(state.selected, keys);
    // Live: appended samples move the legend.
    for (let i = 100_000; i < 100_010; i++) store.apply({ type: 'metric', sample: { ...counter, timestamp: T0 + i * 1000, value: i * 3 + 1000 } });
    const d = feed.delta({ connections: new Set(), queues: new Set(), workers: new Set(), workflows: new Set(), tasks: new Set(), logs: 0, metrics: 10, events: 0 }, T0);
    assert.equal(d?.appended?.[0]?.flat.length, 20);
    await h.post(msg(M.DidChangeNotification.method, d, 3));
    await h.settle();
    await h.screenshot('metrics-dark');
    await h.setTheme('light');
    await h.screenshot('metrics-light');
    await assertSafe(h);
  });
});

describe('Task detail webview', () => {
  const big = JSON.stringify({ items: Array.from({ length: 3_000 }, (_, i) => ({ i, name: i % 1000 === 0 ? XSS[1] : `item ${i}` })) });
  const task: Task = { connectionId: 'demo', system: 'bullmq', id: '42', queue: 'emails', name: XSS[0], status: 'failed', attempts: 3, error: XSS[1], createdAt: T0, startedAt: T0 + 1000, finishedAt: T0 + 5000, updatedAt: T0 };
  const snapshot: TD.TaskDetailSnapshot = {
    target: { connectionId: 'demo', queue: 'emails', taskId: '42' },
    connectionName: XSS[2]!,
    task,
    detailState: 'loaded',
    detail: {
      task,
      values: {
        data: detailValue(big),
        options: detailValue(JSON.stringify({ attempts: 3, backoff: { type: XSS[3] } })),
        result: detailValue('x'.repeat(300 * 1024)),
        error: detailValue(XSS[1]!),
        stacktrace: detailValue(`Error: ${XSS[0]}\n    at send (${XSS[2]})`),
      },
      logs: [XSS[0]!, 'second line'],
      history: [{ status: 'active', at: T0 + 1000 }, { status: 'failed', at: T0 + 5000, detail: XSS[1] }],
      parent: { connectionId: 'demo', queue: 'flows', id: 'p1', name: XSS[0], status: 'waiting-children' },
      children: [{ connectionId: 'demo', queue: 'emails', id: 'c1', status: 'completed' }],
    },
    actions: [
      { id: 'retry', title: 'Retry', destructive: false },
      { id: 'remove', title: 'Remove', destructive: true, disabledReason: 'The connection is read-only' },
    ],
    generatedAt: T0,
  };

  test('tabs, lazy JSON tree, truncated value, actions and links — everything as text', async () => {
    const h = await open('task-detail');
    await h.waitForPosted('ready');
    await h.post(msg(TD.DidSnapshotNotification.method, snapshot, 1));
    assert.ok((await h.page.locator('taskscope-task-detail h1').textContent())!.includes(XSS[0]!));
    // Data: a 3k-item array renders 100 rows until "show more" is clicked.
    await h.page.locator('taskscope-json-tree button[data-path="$.items"]').click();
    await h.settle();
    assert.equal(await h.page.locator('taskscope-json-tree li[aria-level="3"]').count(), 100);
    await h.page.locator('taskscope-json-tree button[data-more="$.items"]').click();
    await h.settle();
    assert.equal(await h.page.locator('taskscope-json-tree li[aria-level="3"]').count(), 200);
    // Keyboard: arrows move between tabs.
    await h.page.locator('taskscope-task-detail [role=tab][data-tab="data"]').focus();
    await h.page.keyboard.press('ArrowRight');
    await h.page.keyboard.press('ArrowRight');
    await h.settle();
    assert.equal(await h.page.locator('taskscope-task-detail [role=tab][aria-selected=true]').getAttribute('data-tab'), 'result');
    assert.match((await h.page.locator('taskscope-task-detail .truncated').textContent())!, /Showing the first 256\.0 KB of 300\.0 KB/);
    await h.page.locator('taskscope-task-detail vscode-button[data-open-value="result"]').click();
    await h.waitForPosted(TD.OpenValueCommand.method, (p) => (p as { name: string }).name === 'result');
    await h.page.locator('taskscope-task-detail [role=tab][data-tab="error"]').click();
    await h.settle();
    const errorText = await h.page.locator('taskscope-task-detail #tabpanel').textContent();
    assert.ok(errorText!.includes(XSS[1]!) && errorText!.includes(XSS[2]!));
    // Actions: the enabled one posts, the disabled one says why and posts nothing.
    assert.equal(await h.page.locator('taskscope-task-detail vscode-button[data-action="remove"]').getAttribute('title'), 'The connection is read-only');
    await h.page.locator('taskscope-task-detail vscode-button[data-action="remove"]').click({ force: true });
    await h.page.locator('taskscope-task-detail vscode-button[data-action="retry"]').click();
    await h.waitForPosted(TD.RunActionCommand.method);
    assert.deepEqual((await h.posted()).filter((m) => m.method === TD.RunActionCommand.method).map((m) => m.params), [{ actionId: 'retry' }]);
    await h.page.locator('taskscope-task-detail [role=tab][data-tab="relationships"]').click();
    await h.page.locator('taskscope-task-detail button[data-task="p1"]').click();
    const opened = await h.waitForPosted(TD.OpenTaskCommand.method);
    assert.deepEqual(opened.params, { connectionId: 'demo', queue: 'flows', id: 'p1' });
    const state = await h.state() as { target: unknown; tab: string };
    assert.deepEqual(state, { target: snapshot.target, tab: 'relationships' });
    await h.page.locator('taskscope-task-detail [role=tab][data-tab="data"]').click();
    await h.settle();
    await h.screenshot('task-detail-dark');
    await h.setTheme('light');
    await h.screenshot('task-detail-light');
    await assertSafe(h);
  });
});

describe('Workflow graph webview', () => {
  test('lays out a 300-task flow with ELK, colours by status, opens a task on click and Enter', async () => {
    const store = new MonitorStore();
    const statuses = ['completed', 'active', 'failed', 'waiting', 'delayed'];
    const ev: MonitorEvent[] = [
      { type: 'workflow.upsert', workflow: { connectionId: 'demo', system: 'mahavishnu', id: 'wf', name: XSS[0], status: 'running', done: 2, total: 5, blockedReason: XSS[1], stages: [{ name: XSS[2]!, status: 'completed' }, { name: 'test', status: 'active' }], updatedAt: T0 } },
      { type: 'task.upsert', task: { connectionId: 'demo', system: 'bullmq', id: 'root', queue: 'flows', name: XSS[3], status: 'waiting-children', workflowId: 'wf', updatedAt: T0 } },
    ];
    for (let i = 0; i < 300; i++) {
      ev.push({ type: 'task.upsert', task: { connectionId: 'demo', system: 'bullmq', id: `t${i}`, queue: 'work', name: i % 50 === 0 ? XSS[i % 4] : `step ${i}`, status: statuses[i % 5]!, parentId: i < 10 ? 'root' : `t${i % 10}`, error: i % 5 === 2 ? XSS[1] : undefined, updatedAt: T0 } });
    }
    store.applyAll(ev);
    const h = await open('workflow-graph');
    await h.waitForPosted('ready');
    const graph = buildWorkflowGraph(store, 'demo', 'wf');
    const started = Date.now();
    await h.post(msg(WG.DidSnapshotNotification.method, { target: { connectionId: 'demo', rootId: 'wf' }, graph, generatedAt: T0 }, 1));
    await h.page.waitForSelector('taskscope-workflow-graph .canvas-wrap:not([hidden])', { timeout: 20_000 });
    await h.settle();
    const layoutMs = Date.now() - started;
    assert.equal(await h.page.locator('taskscope-workflow-graph .node').count(), 304);
    assert.equal(await h.page.locator('taskscope-workflow-graph .node.state-failed').count(), 60);
    const transform = await h.page.locator('taskscope-workflow-graph .node[data-id="task:task:demo:work:t5"]').evaluate((el) => (el as { style: { transform: string } }).style.transform);
    assert.match(transform, /translate\(\d+(\.\d+)?px, \d+(\.\d+)?px\)/);
    assert.ok(layoutMs < 15_000, `layout in ${layoutMs} ms`);
    await h.page.locator('taskscope-workflow-graph .node[data-id="task:task:demo:work:t5"]').click();
    const opened = await h.waitForPosted(WG.OpenTaskCommand.method);
    assert.deepEqual(opened.params, { connectionId: 'demo', queue: 'work', id: 't5' });
    await h.page.locator('taskscope-workflow-graph .node[data-id="task:task:demo:work:t7"]').focus();
    await h.page.keyboard.press('Enter');
    await h.waitForPosted(WG.OpenTaskCommand.method, (p) => (p as { id: string }).id === 't7');
    assert.deepEqual(await h.state(), { target: { connectionId: 'demo', rootId: 'wf' } });
    await h.screenshot('workflow-graph-dark');
    await h.setTheme('light');
    await h.screenshot('workflow-graph-light');
    await assertSafe(h);
  });
});

describe('Overview event stream', () => {
  test('5 000 events virtualized, filters by type, project, task and source, deltas append — XSS-safe', async () => {
    const store = new MonitorStore();
    const feed = new OverviewFeed(store);
    store.apply({ type: 'connection.added', connectionId: 'demo', name: 'Demo', kind: 'redis', system: 'bullmq', readOnly: false, at: T0 });
    store.apply({ type: 'connection.state', connectionId: 'demo', state: 'connected', at: T0 });
    store.apply({ type: 'queue.upsert', queue: { connectionId: 'demo', system: 'bullmq', name: 'emails', counts: { waiting: 7, delayed: 3, active: 2, failed: 1 }, updatedAt: T0 } });
    for (let i = 0; i < 6000; i++) {
      store.apply({ type: 'task.upsert', task: { connectionId: 'demo', system: 'bullmq', id: String(i), queue: i % 2 ? 'emails' : XSS[i % 4], name: i % 3 ? 'send_email' : XSS[(i + 1) % 4], status: i % 7 ? 'completed' : 'failed', error: i % 7 ? undefined : XSS[i % 4], updatedAt: T0 + i } });
    }
    store.apply({ type: 'generic', connectionId: 'demo', name: XSS[0]!, summary: XSS[1]!, at: T0 });
    const h = await open('overview', { viewport: { width: 1200, height: 1400 } });
    await h.waitForPosted('ready');
    await h.post(msg(O.DidSnapshotNotification.method, feed.snapshot(T0), 1));
    assert.match((await h.page.locator('taskscope-overview .depth-card .value').textContent())!, /^10$/);
    assert.match((await h.page.locator('taskscope-event-stream .count').textContent())!, /5000 of 5000 events/);
    const inDom = await h.page.locator('taskscope-event-stream .row').count();
    assert.ok(inDom > 5 && inDom < 200, `virtualized: ${inDom} rows in the DOM`);
    assert.ok((await h.page.locator('taskscope-event-stream .row').first().textContent())!.includes(XSS[1]!), 'newest first, as text');
    await h.page.locator('taskscope-event-stream select[data-filter="type"]').selectOption('generic');
    await h.settle();
    assert.match((await h.page.locator('taskscope-event-stream .count').textContent())!, /1 of 5000/);
    await h.page.locator('taskscope-event-stream select[data-filter="type"]').selectOption('');
    await h.page.locator('taskscope-event-stream vscode-textfield[data-filter="project"] input').fill('emails');
    await h.page.locator('taskscope-event-stream vscode-textfield[data-filter="task"] input').fill('send_email');
    await h.page.locator('taskscope-event-stream vscode-textfield[data-filter="source"] input').fill('dem');
    await h.settle();
    const filtered = Number(/^(\d+)/.exec((await h.page.locator('taskscope-event-stream .count').textContent())!)![1]);
    assert.ok(filtered > 1000 && filtered < 2500, `${filtered} rows match`);
    store.apply({ type: 'task.upsert', task: { connectionId: 'demo', system: 'bullmq', id: 'new', queue: 'emails', name: 'send_email', status: 'failed', error: XSS[2], updatedAt: T0 + 99_999 } });
    const delta = feed.delta({ connections: new Set(), queues: new Set(), workers: new Set(), workflows: new Set(), tasks: new Set(['task:demo:emails:new']), logs: 0, metrics: 0, events: 1 }, T0);
    assert.equal(delta?.events?.length, 1);
    await h.post(msg(O.DidChangeNotification.method, delta, 2));
    const first = (await h.page.locator('taskscope-event-stream .row').first().textContent())!;
    assert.ok(first.includes('send_email new → failed') && first.includes(XSS[2]!), 'the new event is on top');
    assert.match((await h.page.locator('taskscope-event-stream .count').textContent())!, /of 5000 events/, 'the stream stays bounded');
    const state = await h.state() as { eventFilter: unknown };
    assert.deepEqual(state.eventFilter, { types: [], project: 'emails', task: 'send_email', source: 'dem' });
    await h.screenshot('overview-events-dark', { fullPage: true });
    await h.setTheme('light');
    await h.screenshot('overview-events-light', { fullPage: true });
    await assertSafe(h);
  });
});
