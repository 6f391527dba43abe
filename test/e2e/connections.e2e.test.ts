// Connection settings and failures in real VS Code (code-server + the packaged .vsix): a malformed
// `taskscope.connections` entry is named in a warning and does not stop the others; a server that is down shows
// as reconnecting with its reason and connects by itself once it comes up; a dashboard left open comes back
// after "Developer: Reload Window"; a server that refuses CLIENT LIST gets a warning row above its workers (idle
// BullMQ workers cannot be seen without it). Real redis-servers, real bullmq jobs and workers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as bullmq5 from 'bullmq5';
import IORedis from 'ioredis';

import { connectionFromUrl } from '../../demo/bullmq/simulator';
import { packageExtension } from '../helpers/package-extension';
import { findFreePort, startRedisServer, type RedisServerHandle } from '../helpers/servers';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';
import { showOnlyView, withFailureScreenshot } from '../helpers/e2e-steps';

const QUEUE = 'e2e-invoices';

let redis: RedisServerHandle;
/** Its default user may not run CLIENT LIST (as on some managed Redis); an idle bullmq worker is connected. */
let noClientList: RedisServerHandle;
let idleWorker: bullmq5.Worker | undefined;
let lateRedis: RedisServerHandle | undefined;
let latePort: number;
let session: VSCodeSession;
let workspace: string;

before(async () => {
  redis = await startRedisServer();
  const queue = new bullmq5.Queue(QUEUE, { connection: connectionFromUrl(redis.url) });
  try {
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'invoice', data: { n } })));
  } finally {
    await queue.close();
  }
  noClientList = await startRedisServer();
  idleWorker = new bullmq5.Worker('e2e-quiet', async () => undefined, { connection: connectionFromUrl(noClientList.url) });
  await idleWorker.waitUntilReady();
  const admin = new IORedis(noClientList.url);
  try {
    await admin.call('ACL', 'SETUSER', 'default', '-client|list');
  } finally {
    admin.disconnect();
  }
  latePort = await findFreePort();
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-conn-'));
  writeWorkspaceSettings(workspace, {
    'taskscope.connections': [
      // Malformed: `url` is a number. The entry is skipped with a message naming the field.
      { id: 'broken', name: 'Broken entry', kind: 'redis', system: 'bullmq', url: 6379 },
      { id: 'e2e-good', name: 'Good Redis', kind: 'redis', system: 'bullmq', url: redis.url },
      { id: 'e2e-nolist', name: 'No CLIENT LIST', kind: 'redis', system: 'bullmq', url: noClientList.url },
      // Nothing listens here until the last test starts a redis-server on this port.
      { id: 'e2e-late', name: 'Late Redis', kind: 'redis', system: 'bullmq', url: `redis://127.0.0.1:${latePort}` },
    ],
  });
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace });
  await session.openActivityBarItem('Taskscope');
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  await idleWorker?.close();
  await noClientList?.stop();
  await lateRedis?.stop();
  await redis?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

const shot = <T>(name: string, fn: () => Promise<T>): Promise<T> => withFailureScreenshot(session, name, fn);

test('a malformed connection entry is named in a warning, and the other connections still connect', { timeout: 120_000 }, () => shot('e2e-connections-malformed', async () => {
  const toast = session.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'url' });
  await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
  const message = await toast.first().innerText();
  assert.match(message, /Taskscope:.*(connections\[0\]|broken|Broken entry).*url/i, `the warning names the entry and the field: ${message}`);
  await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^Good Redis.*connected/.test(t)), 60_000, 'the good connection connected');
  await session.waitFor(async () => (await session.treeRowTexts()).some((t) => t.startsWith(QUEUE) && /3 waiting/.test(t)), 60_000, `Queues row for ${QUEUE} with 3 waiting`);
  const rows = await session.treeRowTexts();
  assert.ok(!rows.some((t) => t.startsWith('Broken entry')), `the malformed entry is not shown as a connection: ${rows.join(' | ')}`);
  await session.screenshot('e2e-connections-malformed');
}));

test('a server that refuses CLIENT LIST: the Workers view says idle workers are hidden, and how to fix it', { timeout: 120_000 }, () => shot('e2e-connections-nolist', async () => {
  await showOnlyView(session, 'Workers');
  const notice = await session.waitFor(async () => (await session.treeRowTexts()).find((t) => /^Idle workers are not shown: the server refused CLIENT LIST/.test(t)), 60_000, 'the CLIENT LIST notice row');
  assert.match(notice, /NOPERM/, `the server's own reason is quoted: ${notice}`);
  // Read from the notice up: the other views may still be listing the same connection (panes collapse animated).
  const rows = await session.treeRowTexts();
  const at = rows.indexOf(notice);
  assert.match(rows[at - 1] ?? '', /^No CLIENT LIST.*online/, `the notice is the first row under its connection in Workers: ${rows.join(' | ')}`);
  await session.screenshot('e2e-connections-nolist-workers');
  await showOnlyView(session, 'all');
}));

test('a server that is down shows as reconnecting with its reason, and connects once it is up', { timeout: 180_000 }, () => shot('e2e-connections-late', async () => {
  const down = await session.waitFor(async () => (await session.treeRowTexts()).find((t) => /^Late Redis/.test(t) && /reconnect|disconnected|ECONNREFUSED|refused/i.test(t)), 60_000, 'Late Redis shown as reconnecting');
  assert.doesNotMatch(down, /\bconnected\b(?! ?·? ?0)/, `not connected while nothing listens: ${down}`);
  await session.screenshot('e2e-connections-down');
  lateRedis = await startRedisServer({ port: latePort });
  // The backoff is capped; the source must find the server by itself, without a reload or a click.
  await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^Late Redis\s*connected/.test(t)), 90_000, 'Late Redis connected after the server came up');
}));

test('an open dashboard comes back after the window reloads', { timeout: 180_000 }, () => shot('e2e-connections-reload', async () => {
  await session.runCommand('Taskscope: Open Overview');
  // The Overview's row for the queue, and its waiting count (inside the panel's shadow roots).
  const waiting = `[data-key="queue:e2e-good:${QUEUE}"] [data-state="waiting"]`;
  await session.waitFor(async () => (await session.webviewText(waiting))?.trim() === '3', 30_000, `Overview shows ${QUEUE} with 3 waiting`);
  await session.runCommand('Developer: Reload Window');
  // The workbench reloads in the same page; VS Code restores the panel through the extension's serializer.
  await session.page.waitForTimeout(3_000);
  await session.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await session.waitFor(async () => (await session.webviewText(waiting))?.trim() === '3', 60_000, `the restored Overview shows ${QUEUE} with 3 waiting`);
  const connection = await session.webviewText('[data-connection="e2e-good"]');
  assert.match(connection ?? '', /Good Redis[\s\S]*connected/i, `the restored Overview lists the connection: ${connection}`);
  await session.screenshot('e2e-connections-restored');
}));
