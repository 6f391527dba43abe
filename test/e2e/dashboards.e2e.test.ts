// The dashboards in real VS Code (code-server), one session: Metric charts, Task detail, Workflow graph and the
// Overview's event stream, opened the way a user opens them (palette, quick picks), in a dark theme and then —
// the same session, theme switched through the user settings file — a light one. Real redis-server, real bullmq
// producers (the demo simulator, frozen); what the panels show is checked against bullmq's own answers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as bullmq5 from 'bullmq5';

import { connectionFromUrl, startBullmqSimulator, type BullmqSimulator } from '../../demo/bullmq/simulator';
import { BullmqSource } from '../../src/sources/redis/bullmq';
import { packageExtension } from '../helpers/package-extension';
import { startRedisServer, type RedisServerHandle } from '../helpers/servers';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';
import { setColorTheme, withFailureScreenshot } from '../helpers/e2e-steps';

const CONNECTION_ID = 'e2e-dash';
const QUEUE_DEPTH_SERIES = `${CONNECTION_ID}|taskscope_queue_jobs`;

let redis: RedisServerHandle;
let simulator: BullmqSimulator;
let session: VSCodeSession;
let workspace: string;
/** A failed `payments` job as bullmq reports it. */
let failedJob: { id: string; name: string; failedReason: string };

before(async () => {
  redis = await startRedisServer();
  simulator = await startBullmqSimulator({ redisUrl: redis.url, live: false });
  const payments = new bullmq5.Queue('payments', { connection: connectionFromUrl(redis.url) });
  try {
    const failed = await payments.getFailed();
    const declined = failed.find((j) => /declined/.test(j.failedReason ?? ''));
    assert.ok(declined?.id, `the frozen demo has a declined payment; failed jobs: ${failed.map((j) => `${j.id}: ${j.failedReason}`).join(' | ')}`);
    // Read it back the way the brief of this test asks: one job by id.
    const job = await payments.getJob(declined.id);
    assert.ok(job?.id && job.failedReason, `getJob(${declined.id}) returns the failed job`);
    failedJob = { id: job.id, name: job.name, failedReason: job.failedReason };
  } finally {
    await payments.close();
  }
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-dash-'));
  writeWorkspaceSettings(workspace, {
    'taskscope.connections': [{ id: CONNECTION_ID, name: 'E2E Dashboards', kind: 'redis', system: 'bullmq', url: redis.url }],
  });
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace, colorTheme: 'Default Dark Modern' });
  // Views connect sources when they first become visible.
  await session.openActivityBarItem('Taskscope');
  await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^E2E Dashboardsconnected/.test(t)), 60_000, 'connection connected');
});

after(async () => {
  await session?.close();
  await simulator?.stop();
  await redis?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

const setTheme = (theme: string, light: boolean): Promise<void> => setColorTheme(session, theme, light);

const shot = <T>(name: string, fn: () => Promise<T>): Promise<T> => withFailureScreenshot(session, name, fn);

/** Width and height of the chart's canvas in the Metrics webview, or undefined when none is drawn. */
async function chartCanvasSize(): Promise<{ width: number; height: number } | undefined> {
  const found = await session.findInWebviews('taskscope-metrics .chart canvas');
  if (!found) return undefined;
  return found.locator.evaluate((c: { width: number; height: number }) => ({ width: c.width, height: c.height }));
}

/** The slice of the DOM used in the page (this file is type-checked without the DOM lib). */
interface Canvas2d { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }
declare function getComputedStyle(el: unknown): { getPropertyValue(name: string): string };

/**
 * Pixels of the chart canvas within `tolerance` (per channel) of the colour in the theme variable `cssVar`, as
 * the webview resolves it now: proves the chart drew with the current theme's colours.
 */
async function canvasPixelsNear(cssVar: string, tolerance: number): Promise<{ color: string; count: number }> {
  const found = await session.findInWebviews('taskscope-metrics .chart canvas');
  assert.ok(found, 'chart canvas present');
  return found.locator.evaluate((c: Canvas2d, [name, tol]: [string, number]) => {
    const color = getComputedStyle(c).getPropertyValue(name).trim();
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color);
    if (!m) return { color, count: -1 };
    const [r, g, b] = [1, 2, 3].map((i) => parseInt(m[i]!, 16));
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 200 && Math.abs(data[i]! - r!) <= tol && Math.abs(data[i + 1]! - g!) <= tol && Math.abs(data[i + 2]! - b!) <= tol) count++;
    }
    return { color, count };
  }, [cssVar, tolerance] as [string, number]);
}

test('Metric charts: the series list holds the queue depth derived from the demo, and picking one draws a chart', () => shot('e2e-metrics', async () => {
  await session.runCommand('Taskscope: Open Metric Charts');
  const checkbox = `taskscope-metrics input[type="checkbox"][data-key="${QUEUE_DEPTH_SERIES}{queue=payments,state=failed}"]`;
  const labels = await session.waitFor(async () => {
    const found = await session.findInWebviews('taskscope-metrics .series-name');
    if (!found || !(await session.findInWebviews(checkbox))) return undefined;
    return found.frame.locator('taskscope-metrics .series-name').allInnerTexts();
  }, 30_000, 'series list with the payments/failed queue depth');
  assert.ok(labels.some((l) => /taskscope_queue_jobs/.test(l)), `queue depth series listed: ${labels.join(' | ')}`);

  const box = (await session.findInWebviews(checkbox))!;
  await box.locator.check();
  const size = await session.waitFor(async () => {
    const s = await chartCanvasSize();
    return s && s.width > 0 && s.height > 0 ? s : undefined;
  }, 15_000, 'chart canvas with a non-zero size');
  assert.ok(size.width >= 200 && size.height >= 150, `chart is ${size.width}×${size.height}`);
  // The legend shows the series' latest value: the number of failed payments bullmq reports.
  const payments = new bullmq5.Queue('payments', { connection: connectionFromUrl(redis.url) });
  const failedCount = await payments.getJobCountByTypes('failed').finally(() => payments.close());
  const legend = await session.waitFor(async () => {
    const t = await session.webviewText('taskscope-metrics .legend li');
    return t && new RegExp(`\\b${failedCount}\\b`).test(t) ? t : undefined;
  }, 15_000, `legend value ${failedCount}`);
  assert.match(legend, /payments/);
  // The series itself is drawn (a few samples of a flat gauge: dots and a line in the first chart colour),
  // and the axes are labelled in the theme's foreground colour.
  await session.waitFor(async () => (await canvasPixelsNear('--vscode-charts-blue', 6)).count >= 20, 10_000, 'series drawn in --vscode-charts-blue');
  await session.waitFor(async () => (await canvasPixelsNear('--vscode-foreground', 12)).count >= 20, 10_000, 'axis labels in --vscode-foreground');
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-metrics-dark');
}));

test('Task detail: opened from the palette by typing the id of a failed payments job', () => shot('e2e-task-detail', async () => {
  await session.runCommand('Taskscope: Open Task Detail…');
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(failedJob.id);
  // The typed id is offered once per queue of the connection; pick the payments one.
  const row = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'payments' }).filter({ hasText: failedJob.id }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();

  const header = await session.waitFor(() => session.webviewText('taskscope-task-detail h1'), 20_000, 'task detail header');
  assert.match(header, new RegExp(failedJob.id));
  const queue = await session.webviewText('taskscope-task-detail dl.meta');
  assert.match(queue ?? '', /payments/);
  if (typeof (BullmqSource.prototype as { taskDetail?: unknown }).taskDetail === 'function') {
    // The source reads single jobs: the Error tab shows bullmq's failedReason.
    const tab = (await session.findInWebviews('taskscope-task-detail [role="tab"][data-tab="error"]'))!;
    await tab.locator.click();
    const text = await session.waitFor(async () => {
      const t = await session.webviewText('taskscope-task-detail #tabpanel');
      return t?.includes(failedJob.failedReason) ? t : undefined;
    }, 20_000, `error tab shows "${failedJob.failedReason}"`);
    assert.ok(text.includes(failedJob.failedReason));
  } else {
    // This BullMQ source cannot read one job yet: the panel says so instead of spinning forever.
    const note = await session.waitFor(() => session.webviewText('taskscope-task-detail .notice'), 20_000, 'task detail notice');
    assert.match(note, /cannot read single tasks/);
    assert.equal(await session.webviewText('taskscope-task-detail [role="status"]'), undefined, 'no "Loading…" left');
  }
  await session.screenshot('e2e-task-detail-dark');
}));

test('Workflow graph: from the palette, the demo\'s stuck order flow, blocked by its failed child', () => shot('e2e-workflow-graph', async () => {
  await session.runCommand('Taskscope: Open Workflow Graph');
  // One connection: the pick lists its workflows; the demo's flow is the order stuck behind a declined charge.
  const rows = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const flow = rows.filter({ hasText: 'order-1002' }).first();
  await flow.waitFor({ state: 'visible', timeout: 15_000 });
  await flow.click();
  const blocked = await session.waitFor(() => session.webviewText('taskscope-workflow-graph .pill.warning'), 30_000, 'blocked reason in the graph header');
  assert.match(blocked, /Blocked: .*fail/i);
  await session.waitFor(async () => {
    const found = await session.findInWebviews('taskscope-workflow-graph .node');
    return found ? (await found.frame.locator('taskscope-workflow-graph .node').count()) >= 1 : false;
  }, 20_000, 'graph nodes laid out');
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-workflow-graph-dark');
}));

test('Overview: the event stream lists the connection\'s events and its type filter narrows them', () => shot('e2e-overview-events', async () => {
  await session.runCommand('Taskscope: Open Overview');
  const countText = await session.waitFor(async () => {
    const t = await session.webviewText('taskscope-event-stream .count');
    const m = /^(\d+) of (\d+) events/.exec(t ?? '');
    return m && Number(m[1]) > 0 ? t : undefined;
  }, 30_000, 'event stream count');
  // The stream sits below the queue table: scroll to it as a user would (the virtualizer renders visible rows).
  await (await session.findInWebviews('taskscope-event-stream'))!.locator.scrollIntoViewIfNeeded();
  await session.page.waitForTimeout(500);
  const rowTexts = async (): Promise<string[]> => {
    const found = await session.findInWebviews('taskscope-event-stream .row');
    return found ? found.frame.locator('taskscope-event-stream .row').allInnerTexts() : [];
  };
  const all = await rowTexts();
  assert.ok(all.some((r) => /queue payments/.test(r)), `a queue event for payments among ${all.length} rows (${countText})`);
  assert.ok(all.some((r) => /\bconnection\b/.test(r)), 'connection events listed');

  const select = (await session.findInWebviews('taskscope-event-stream select[data-filter="type"]'))!;
  await select.locator.selectOption('queue.upsert');
  const filtered = await session.waitFor(async () => {
    const rows = await rowTexts();
    return rows.length > 0 && rows.every((r) => /\bqueue\b/.test(r) && !/connection (added|connected)/.test(r)) ? rows : undefined;
  }, 10_000, 'only queue rows after filtering');
  assert.ok(filtered.length < all.length || all.every((r) => /\bqueue\b/.test(r)), 'the filter removed the other rows');
  const filteredCount = await session.webviewText('taskscope-event-stream .count');
  assert.match(filteredCount ?? '', /^\d+ of \d+ events/);
  await session.screenshot('e2e-overview-events-dark');
  await select.locator.selectOption('');
}));

test('light theme: Metric charts and the Overview follow the new theme without reopening', () => shot('e2e-light', async () => {
  await setTheme('Light Modern', true);
  await session.runCommand('Taskscope: Open Overview');
  await session.waitFor(() => session.webviewText('taskscope-event-stream .count'), 10_000, 'overview visible');
  const overview = (await session.findInWebviews('taskscope-overview'))!;
  const themeKind = await overview.frame.evaluate<string>('document.body.getAttribute("data-vscode-theme-kind") ?? ""');
  assert.equal(themeKind, 'vscode-light', 'the Overview webview got the light theme');
  await (await session.findInWebviews('taskscope-event-stream'))!.locator.scrollIntoViewIfNeeded();
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-overview-events-light');

  await session.runCommand('Taskscope: Open Metric Charts');
  await session.waitFor(async () => (await chartCanvasSize())?.width, 15_000, 'chart visible again');
  // Redrawn in the light theme's colours without reopening the panel.
  await session.waitFor(async () => (await canvasPixelsNear('--vscode-foreground', 12)).count >= 20, 10_000, 'axis labels in the light --vscode-foreground');
  await session.waitFor(async () => (await canvasPixelsNear('--vscode-charts-blue', 6)).count >= 20, 10_000, 'series in the light --vscode-charts-blue');
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-metrics-light');

  await session.runCommand('Taskscope: Open Task Detail…');
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(failedJob.id);
  const row = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'payments' }).filter({ hasText: failedJob.id }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
  await session.waitFor(() => session.webviewText('taskscope-task-detail h1'), 20_000, 'task detail header');
  await session.screenshot('e2e-task-detail-light');
}));
