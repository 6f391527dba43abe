// "Start Demo" from the welcome content of an empty Queues view, in real VS Code (code-server + the packaged
// .vsix): the user picks "All systems" and a Redis (a real redis-server started here), and every system of the
// demo shows up in the trees — BullMQ, rhailib, Nexus, pynenc queues; Mahavishnu pools and Propeller proplets
// (served from inside the extension host) in Workers. "Stop Demo" takes the connections away again.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { packageExtension } from '../helpers/package-extension';
import { startRedisServer, type RedisServerHandle } from '../helpers/servers';
import { launchVSCode, type VSCodeSession } from '../helpers/vscode-e2e';
import { withFailureScreenshot } from '../helpers/e2e-steps';

let redis: RedisServerHandle;
let session: VSCodeSession;
let workspace: string;

before(async () => {
  redis = await startRedisServer();
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-demo-'));
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace });
  await session.openActivityBarItem('Taskscope');
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  await redis?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

const shot = <T>(name: string, fn: () => Promise<T>): Promise<T> => withFailureScreenshot(session, name, fn);

async function pickQuickInput(text: string): Promise<void> {
  const row = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

test('Start Demo from the welcome view runs every system and the trees fill with them', { timeout: 240_000 }, () => shot('e2e-start-demo', async () => {
  const link = session.page.locator('.part.sidebar .welcome-view-content').getByText('Start Demo', { exact: true }).first();
  await link.waitFor({ state: 'visible', timeout: 30_000 });
  await session.screenshot('e2e-start-demo-welcome');
  await link.click();
  await pickQuickInput('All systems');
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await input.inputValue(), /^redis:\/\/127\.0\.0\.1:6379\/15$/, 'an empty database is suggested');
  await input.fill(redis.url);
  await input.press('Enter');

  // Ten connections (rhailib, Nexus, pynenc and Rustvello share the Redis; Mahavishnu, Nexus WS, Propeller and
  // Rustvello /metrics + logs are served from the extension host), all connected: the status bar counts them.
  const status = session.page.locator('.part.statusbar .statusbar-item').filter({ hasText: /Taskscope \d+\/\d+/ }).first();
  await session.waitFor(async () => /Taskscope 10\/10/.test(await status.innerText().catch(() => '')), 120_000, 'status bar "Taskscope 10/10"');
  // The trees show the first systems at once; the Overview lists every connection with what it reports.
  await session.page.waitForTimeout(1_000); // the trees' coalesced refresh follows the status bar
  const rows = await session.treeRowTexts();
  assert.ok(rows.some((t) => /^Demo BullMQ.*connected/.test(t)), `Demo BullMQ in the trees: ${rows.join(' | ')}`);
  assert.ok(rows.some((t) => /^payments\b/.test(t)), `the BullMQ demo queues in Queues: ${rows.join(' | ')}`);
  await session.runCommand('Taskscope: Open Overview');
  // Every demo connection has its row, connected, and Propeller's proplets / Mahavishnu's pool workers are online.
  const ids = ['bullmq', 'rhailib', 'nexus', 'pynenc', 'rustvello', 'mahavishnu', 'nexus-ws', 'propeller', 'rustvello-metrics', 'rustvello-logs'].map((s) => `taskscope-demo-${s}`);
  for (const id of ids) {
    const text = await session.waitFor(async () => {
      const t = await session.webviewText(`[data-connection="${id}"]`);
      return t && /connected/i.test(t) && !/reconnecting|disconnected/i.test(t) ? t : undefined;
    }, 60_000, `Overview row of ${id}, connected`);
    if (id.endsWith('propeller') || id.endsWith('mahavishnu')) {
      const online = /(\d+) workers? online/.exec(text);
      assert.ok(online && Number(online[1]) >= 1, `${id} reports workers online: ${text}`);
    }
  }
  await session.page.waitForTimeout(1_000);
  await session.screenshot('e2e-start-demo-running');
  await session.runCommand('View: Close All Editors');
}));

test('Stop Demo removes the demo connections', { timeout: 120_000 }, () => shot('e2e-stop-demo', async () => {
  await session.runCommand('Taskscope: Stop Demo');
  await session.waitFor(async () => !(await session.treeRowTexts()).some((t) => /^Demo /.test(t)), 30_000, 'no demo connection left');
  const link = session.page.locator('.part.sidebar .welcome-view-content').getByText('Start Demo', { exact: true }).first();
  await link.waitFor({ state: 'visible', timeout: 30_000 });
}));
