// Timeline and Log search in real VS Code (code-server + the packaged .vsix), one session: the Nexus Agents
// WebSocket simulator runs tasks on four workers (spans with start/finish times, and log lines for retries that
// name their task), and the Rustvello simulator writes unified log lines to a file tailed by a `logfile`
// connection. The Timeline is opened from the palette and from a worker's context menu; Log search from the
// palette, its match count checked against the log file itself, and a result opens its task. Dark theme first,
// then the same panels in a light theme. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startNexusSimulator, type NexusSimulator } from '../../demo/nexus-ws/simulator';
import { startRustvelloSimulator, type RustvelloSimulator } from '../../demo/rustvello/simulator';
import { packageExtension } from '../helpers/package-extension';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';
import { setColorTheme, withFailureScreenshot } from '../helpers/e2e-steps';

const NEXUS_ID = 'e2e-nexus';
const LOGS_ID = 'e2e-rv-logs';
/** Rustvello simulator steps written before VS Code starts: every 5th fails (ERROR line), every 10th retries (WARN). */
const RUSTVELLO_STEPS = 30;

let nexus: NexusSimulator;
let rustvello: RustvelloSimulator;
let session: VSCodeSession;
let tmp: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-tl-'));
  const workspace = path.join(tmp, 'workspace');
  nexus = await startNexusSimulator({ tickMs: 300, seed: 11 });
  rustvello = await startRustvelloSimulator({ logDir: path.join(workspace, 'logs'), intervalMs: 0, rotateEveryLines: 0 });
  for (let i = 0; i < RUSTVELLO_STEPS; i++) rustvello.step();
  writeWorkspaceSettings(workspace, {
    'taskscope.connections': [
      { id: NEXUS_ID, name: 'E2E Nexus', kind: 'websocket', system: 'nexus', url: nexus.url, readOnly: true },
      { id: LOGS_ID, name: 'E2E Rustvello logs', kind: 'logfile', system: 'rustvello', url: rustvello.textLog, logFromStart: true },
    ],
  });
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace, colorTheme: 'Default Dark Modern' });
  await session.openActivityBarItem('Taskscope');
  await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^E2E Nexus.*connected/.test(t)), 60_000, 'Nexus connected');
  await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^E2E Rustvello logs.*connected/.test(t)), 60_000, 'log file connected');
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  await nexus?.stop();
  await rustvello?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const shot = <T>(name: string, fn: () => Promise<T>): Promise<T> => withFailureScreenshot(session, name, fn);

const setTheme = (theme: string, light: boolean): Promise<void> => setColorTheme(session, theme, light);

/** The slice of the DOM used in the page (this file is type-checked without the DOM lib). */
interface Canvas2d { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }
interface TimelineEl { draws: number; palette?: { status: Record<string, string> }; layout(): { lanes: { label: string }[]; spans: unknown[] } }

/** What the Timeline shows: lane labels, span count (the model's layout) and how many lane-area pixels differ from the background. */
async function timelineState(): Promise<{ lanes: string[]; spans: number; inked: number; draws: number } | undefined> {
  const found = await session.findInWebviews('taskscope-timeline canvas.main');
  if (!found) return undefined;
  return found.frame.evaluate(() => {
    // This function runs in the webview; `document` is the webview's.
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
    const el = doc.querySelector('taskscope-timeline') as (TimelineEl & { renderRoot: { querySelector(s: string): Canvas2d | null } }) | null;
    const canvas = el?.renderRoot.querySelector('canvas.main');
    if (!el || !canvas || canvas.width === 0) return undefined;
    const layout = el.layout();
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    // Pixels of the lane area (right of the 168 px label gutter, below the 24 px axis) in one of the span colours
    // the theme gives the statuses: proves spans are drawn, not only the grid.
    const colours = Object.values(el.palette?.status ?? {}).map((c) => /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(c.trim()))
      .filter((m): m is RegExpExecArray => m !== null).map((m) => [1, 2, 3].map((i) => parseInt(m[i]!, 16)));
    let inked = 0;
    for (let y = 30; y < canvas.height; y += 2) {
      for (let x = 180; x < canvas.width; x += 2) {
        const i = (y * canvas.width + x) * 4;
        if (colours.some(([r, g, b]) => Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) <= 12)) inked++;
      }
    }
    return { lanes: layout.lanes.map((l) => l.label), spans: layout.spans.length, inked, draws: el.draws };
  });
}

async function waitForSpans(what: string): Promise<{ lanes: string[]; spans: number; inked: number }> {
  return session.waitFor(async () => {
    const s = await timelineState();
    return s && s.spans > 0 && s.inked > 50 ? s : undefined;
  }, 30_000, what);
}

const workerIds = (): string[] => Object.keys(nexus.state().workers);

test('Timeline from the palette: spans drawn in lanes named after the Nexus workers', { timeout: 120_000 }, () => shot('e2e-timeline', async () => {
  await session.runCommand('Taskscope: Open Timeline');
  const state = await waitForSpans('timeline spans drawn');
  const workers = workerIds();
  assert.ok(workers.length >= 2, `the simulator runs workers: ${workers.join(', ')}`);
  // Every lane is a worker the simulator ran a task on (or the unassigned lane); at least two workers have one.
  const named = state.lanes.filter((l) => workers.some((w) => l === w || l.endsWith(w) || l.includes(`worker ${w}`) || l.includes(`worker-${w}`)));
  assert.ok(named.length >= 2, `lanes labelled with workers ${workers.join(', ')}: ${state.lanes.join(' | ')}`);
  const count = await session.webviewText('taskscope-timeline .count');
  assert.match(count ?? '', /^\d+ spans · \d+ lanes/);
  await session.page.waitForTimeout(800);
  await session.screenshot('e2e-timeline-dark');
}));

test('Timeline from a worker\'s context menu: scoped to that worker', { timeout: 120_000 }, () => shot('e2e-timeline-worker', async () => {
  const rows = session.page.locator('.part.sidebar .monaco-list-row');
  // The Workers view lists the Nexus workers; right-click one of them. A row that re-renders under the open
  // menu makes VS Code close the menu, so the simulator holds still while the menu is used (and resumes after).
  nexus.pause();
  await session.page.waitForTimeout(1_500); // the last coalesced tree refresh lands
  let scope: string | undefined;
  try {
    for (let attempt = 1; attempt <= 3 && !scope; attempt++) {
      const workerRow = await session.waitFor(async () => {
        const texts = await rows.allInnerTexts();
        const i = texts.findIndex((t) => /^\s*worker[ -]1(?!\d)/.test(t));
        return i >= 0 ? rows.nth(i) : undefined;
      }, 30_000, 'a worker row for worker 1');
      await workerRow.click({ button: 'right' });
      const item = session.page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Open Timeline' }).first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      if (attempt === 1) await session.screenshot('e2e-timeline-context-menu');
      await item.click().catch(() => undefined);
      scope = await session.waitFor(() => session.webviewText('taskscope-timeline .scope'), 8_000, 'timeline scope pill').catch(() => undefined);
      if (!scope) await session.page.keyboard.press('Escape');
    }
  } finally {
    nexus.resume();
  }
  assert.ok(scope, 'the Timeline opened scoped to the worker from its context menu');
  assert.match(scope, /worker/);
  const state = await session.waitFor(async () => {
    const s = await timelineState();
    return s && s.lanes.length >= 1 ? s : undefined;
  }, 20_000, 'scoped timeline');
  assert.equal(state.lanes.length, 1, `only the worker's lane: ${state.lanes.join(' | ')}`);
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-timeline-worker-dark');
  // Back to everything.
  await (await session.findInWebviews('taskscope-timeline .clear-scope'))!.locator.click();
  await session.waitFor(async () => (await session.webviewText('taskscope-timeline .scope')) === undefined, 10_000, 'scope cleared');
}));

/** Types a query into the Log search box and waits for the search to finish; returns the number of matches shown. */
async function searchLogs(query: string): Promise<{ matched: number; rows: string[] }> {
  const field = await session.waitFor(() => session.findInWebviews('taskscope-log-search vscode-textfield.query'), 20_000, 'log search box');
  const input = field.frame.locator('taskscope-log-search vscode-textfield.query input');
  await input.fill(query);
  await input.press('Enter');
  const summary = await session.waitFor(async () => {
    const t = await session.webviewText('taskscope-log-search .summary');
    return t && / matches? in .* ms/.test(t) ? t : undefined;
  }, 20_000, `search "${query}" done`);
  const matched = Number(/^([\d,]+)/.exec(summary)?.[1]?.replace(/,/g, '') ?? NaN);
  const found = await session.findInWebviews('taskscope-log-search .row');
  const rows = found ? await found.frame.locator('taskscope-log-search .row').allInnerTexts() : [];
  return { matched, rows };
}

test('Log search from the palette: matches agree with the log file, and a result opens its task', { timeout: 120_000 }, () => shot('e2e-log-search', async () => {
  await session.runCommand('Taskscope: Search Logs');
  const fileLines = fs.readFileSync(rustvello.textLog, 'utf8').split('\n').filter(Boolean);
  const errorLines = fileLines.filter((l) => / ERROR /.test(l));
  assert.equal(errorLines.length, RUSTVELLO_STEPS / 5, 'the simulator wrote one ERROR line per 5 steps');

  const byWord = await searchLogs('ValueError');
  assert.equal(byWord.matched, fileLines.filter((l) => l.includes('ValueError')).length, `"ValueError" matches every such line of the file (${byWord.rows.length} rows shown)`);
  const byLevel = await searchLogs(`level:error conn:${LOGS_ID}`);
  assert.equal(byLevel.matched, errorLines.length, 'level:error on the log file connection = ERROR lines in the file');
  assert.ok(byLevel.rows.length > 0 && byLevel.rows.every((r) => /error/i.test(r)), `rows shown are errors: ${byLevel.rows.slice(0, 3).join(' | ')}`);
  await session.page.waitForTimeout(300);
  await session.screenshot('e2e-log-search-rustvello-dark');

  // A Nexus retry names its task: the row opens that task's detail.
  const retries = await session.waitFor(async () => {
    const r = await searchLogs('"rate limited"');
    return r.matched > 0 ? r : undefined;
  }, 60_000, 'a Nexus retry log line');
  assert.ok(retries.rows.every((r) => /rate limited/.test(r)), 'only retry lines');
  const first = (await session.findInWebviews('taskscope-log-search .row.has-task'))!;
  assert.ok(first, 'a result linked to its task');
  const taskId = await first.locator.locator('.chip[data-field="task"]').getAttribute('data-value');
  assert.ok(taskId, 'the row shows its task');
  await session.screenshot('e2e-log-search-dark');
  await first.locator.locator('.msg').click();
  const header = await session.waitFor(async () => {
    const h = await session.webviewText('taskscope-task-detail h1');
    return h?.includes(taskId.slice(0, 8)) ? h : undefined;
  }, 20_000, `task detail for ${taskId}`);
  assert.ok(header);
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-log-search-task-detail-dark');
}));

test('light theme: Timeline and Log search redrawn in the light colours', { timeout: 120_000 }, () => shot('e2e-tl-light', async () => {
  await setTheme('Light Modern', true);
  await session.runCommand('Taskscope: Open Timeline');
  await waitForSpans('timeline spans drawn in light');
  const found = (await session.findInWebviews('taskscope-timeline canvas.main'))!;
  // The canvas background follows the theme: a light editor background.
  const corner = await found.locator.evaluate((c: Canvas2d) => Array.from(c.getContext('2d').getImageData(2, c.height - 2, 1, 1).data).slice(0, 3));
  assert.ok(corner.every((v) => v > 200), `light canvas background, got rgb(${corner.join(',')})`);
  await session.page.waitForTimeout(500);
  await session.screenshot('e2e-timeline-light');

  await session.runCommand('Taskscope: Search Logs');
  const r = await searchLogs(`level:error conn:${LOGS_ID}`);
  assert.ok(r.matched > 0);
  await session.page.waitForTimeout(300);
  await session.screenshot('e2e-log-search-light');
}));
