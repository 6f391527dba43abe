// BullMQ in real VS Code (code-server + the packaged .vsix): a failed job is retried from its context menu in
// the Queues view and is back in `wait` (checked in Redis); a read-only profile hides Retry and the host
// refuses "Retry All Failed" on it; Search Tasks finds a job by a payload substring and opens its JSON.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue, Worker } from 'bullmq5';
import Redis from 'ioredis';
import { packageExtension } from '../helpers/package-extension';
import { startRedisServer, type RedisServerHandle } from '../helpers/servers';
import { launchVSCode, type VSCodeSession } from '../helpers/vscode-e2e';

let redis: RedisServerHandle;
let raw: Redis;
let session: VSCodeSession;
let tmp: string;
const ids: string[] = [];

before(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.port, '127.0.0.1');
  const connection = { host: '127.0.0.1', port: redis.port };
  const q = new Queue('mail', { connection });
  for (const to of ['first@example.com', 'zebra-unique-payload@example.com']) ids.push((await q.add('send', { to })).id!);
  const worker = new Worker('mail', async () => { throw new Error('smtp down'); }, { connection });
  let n = 0;
  await new Promise<void>((resolve) => worker.on('failed', () => { if (++n === 2) resolve(); }));
  await worker.close();
  await q.close();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-bullmq-'));
  session = await launchVSCode({
    vsixPath: await packageExtension(),
    workspaceFolder: tmp,
    userSettings: {
      'taskscope.pollIntervalMs': 1000,
      'taskscope.connections': [
        { id: 'e2e', name: 'E2E', kind: 'redis', system: 'bullmq', url: redis.url },
        { id: 'e2e-ro', name: 'E2E RO', kind: 'redis', system: 'bullmq', url: redis.url, readOnly: true },
      ],
    },
  });
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  raw?.disconnect();
  await redis?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function row(text: string | RegExp, nth = 0) {
  return session.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text }).nth(nth);
}

async function contextMenuLabels(): Promise<string[]> {
  const labels = session.page.locator('.context-view .action-label');
  await labels.first().waitFor({ state: 'visible', timeout: 10_000 });
  return (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

test('retry a failed job from its context menu: it is back in wait in Redis', { timeout: 120_000 }, async () => {
  await session.openActivityBarItem('Taskscope');
  // Give the Queues view the whole sidebar: the tree is virtualized, so rows below the fold are not rendered.
  for (const view of ['Workers', 'Workflows']) await session.page.locator('.part.sidebar .pane-header', { hasText: view }).first().click();
  await session.waitFor(async () => (await session.treeRowTexts()).filter((t) => t.startsWith('mail')).length === 2, 30_000, 'both connections list the queue');
  await session.expandTreeRow(row(/^mail/, 0), 'the mail queue');
  await session.expandTreeRow(row(/^failed/, 0), 'its failed jobs');
  await row(`send #${ids[0]}`, 0).waitFor({ state: 'visible', timeout: 15_000 });
  await session.screenshot('bullmq-failed-jobs');
  await row(`send #${ids[0]}`, 0).click({ button: 'right' });
  const labels = await contextMenuLabels();
  assert.ok(labels.includes('Retry'), `context menu: ${JSON.stringify(labels)}`);
  await session.screenshot('bullmq-context-menu');
  await session.page.locator('.context-view .action-label', { hasText: /^Retry$/ }).click();
  await session.waitFor(async () => (await raw.lrange('bull:mail:wait', 0, -1)).includes(ids[0]!), 15_000, 'the job is back in wait');
  assert.equal(await raw.zscore('bull:mail:failed', ids[0]!), null);
  assert.equal(await raw.zcard('bull:mail:failed'), 1, 'only that job moved');
});

test('a read-only profile: no Retry in the menu, and the host refuses Retry All Failed', { timeout: 120_000 }, async () => {
  // The second "mail" row belongs to the read-only connection.
  await session.expandTreeRow(row(/^mail/, 1), 'the read-only mail queue');
  await session.expandTreeRow(row(/^failed/, 1), 'its failed jobs');
  await row(`send #${ids[1]}`, 1).waitFor({ state: 'visible', timeout: 15_000 });
  await row(`send #${ids[1]}`, 1).click({ button: 'right' });
  const labels = await contextMenuLabels();
  assert.ok(!labels.includes('Retry') && !labels.includes('Remove…'), `read-only menu: ${JSON.stringify(labels)}`);
  assert.ok(labels.includes('Open Task JSON'));
  await session.page.keyboard.press('Escape');

  await session.runCommand('Taskscope: Retry All Failed…');
  const pickRow = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'E2E RO' });
  await pickRow.first().click();
  const toast = session.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'refused' });
  await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await toast.first().innerText(), /"E2E RO" is read-only/);
  await session.screenshot('bullmq-read-only-refused');
  assert.equal(await raw.zcard('bull:mail:failed'), 1, 'nothing was retried');
});

test('Search Tasks finds a job by a payload substring and opens its JSON', { timeout: 120_000 }, async () => {
  await session.runCommand('Taskscope: Search Tasks…');
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('zebra-unique');
  const hit = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: `send #${ids[1]}` });
  await hit.first().waitFor({ state: 'visible', timeout: 20_000 });
  await session.screenshot('bullmq-search');
  await hit.first().click();
  const text = await session.waitFor(async () => {
    const t = await session.page.locator('.editor-group-container .monaco-editor .view-lines').first().innerText().catch(() => '');
    return t.includes('zebra-unique-payload') ? t : undefined;
  }, 20_000, 'the task JSON document');
  assert.match(text, /smtp\sdown/);
  await session.screenshot('bullmq-task-json');
});
