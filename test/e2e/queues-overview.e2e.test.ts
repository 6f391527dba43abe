// Taskscope in real VS Code (code-server): the activity-bar icon, the Queues tree showing the demo's BullMQ
// queues with counts equal to bullmq's own `Queue.getJobCounts()`, and the Overview panel opened from the
// palette showing the same numbers. Real redis-server, real bullmq producers (the demo simulator, frozen).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as bullmq5 from 'bullmq5';
import * as bullmq6 from 'bullmq6';

import { BULLMQ_DEMO_QUEUES, connectionFromUrl, startBullmqSimulator, type BullmqSimulator } from '../../demo/bullmq/simulator';
import { countsSummary } from '../../src/core/views/queue-labels';
import { packageExtension } from '../helpers/package-extension';
import { startRedisServer, type RedisServerHandle } from '../helpers/servers';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';

const CONNECTION_ID = 'e2e-bullmq';

let redis: RedisServerHandle;
let simulator: BullmqSimulator;
let session: VSCodeSession;
let workspace: string;
const expected = new Map<string, { counts: Record<string, number>; paused: boolean }>();

before(async () => {
  redis = await startRedisServer();
  simulator = await startBullmqSimulator({ redisUrl: redis.url, live: false });
  // bullmq's own view of every queue, by the major that wrote it.
  for (const { name, major } of BULLMQ_DEMO_QUEUES) {
    const connection = connectionFromUrl(redis.url);
    const queue = major === 6 ? new bullmq6.Queue(name, { connection }) : new bullmq5.Queue(name, { connection });
    try {
      expected.set(name, { counts: await queue.getJobCounts(), paused: await queue.isPaused() });
    } finally {
      await queue.close();
    }
  }
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-ws-'));
  writeWorkspaceSettings(workspace, {
    'taskscope.connections': [{ id: CONNECTION_ID, name: 'E2E BullMQ', kind: 'redis', system: 'bullmq', url: redis.url }],
  });
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace });
});

after(async () => {
  await session?.close();
  await simulator?.stop();
  await redis?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

test('the Taskscope icon is in the activity bar and the Queues tree shows every queue with bullmq\'s counts', async () => {
  await session.openActivityBarItem('Taskscope');
  // A row's innerText is the label immediately followed by the description.
  for (const [name, { counts, paused }] of expected) {
    const want = `${name}${paused ? 'paused · ' : ''}${countsSummary(counts)}`;
    const row = await session.waitFor(async () => (await session.treeRowTexts()).find((t) => t === want), 60_000, `Queues row "${want}"`)
      .catch(async (err: unknown) => {
        await session.screenshot('e2e-queues-tree-failed');
        throw new Error(`${String(err)}\nrows: ${(await session.treeRowTexts()).join(' | ')}`);
      });
    assert.equal(row, want);
  }
  // The queues appear while the initial sync finishes (workers are read last), then the node says connected.
  await session.waitFor(async () => (await session.treeRowTexts()).includes('E2E BullMQconnected · 7 queues'), 20_000, 'connection row "connected · 7 queues"');
  await session.screenshot('e2e-queues-tree');
});

test('the Overview panel opens from the palette and shows the same numbers', async () => {
  await session.runCommand('Taskscope: Open Overview');
  for (const [name, { counts }] of expected) {
    for (const [state, n] of Object.entries(counts)) {
      const selector = `[data-key="queue:${CONNECTION_ID}:${name}"] [data-state="${state}"]`;
      await session.waitFor(async () => {
        const text = await session.webviewText(selector);
        return text !== undefined && Number(text.replace(/[^\d]/g, '')) === n;
      }, 30_000, `Overview ${name}/${state} = ${n} (saw ${await session.webviewText(selector)})`);
    }
  }
  const connection = await session.webviewText(`[data-connection="${CONNECTION_ID}"]`);
  assert.match(connection ?? '', /connected/i);
  await session.screenshot('e2e-overview');
});

test('a queue shows its job schedulers, and a job row its job.log() lines', { timeout: 120_000 }, async () => {
  await session.page.keyboard.press('Escape');
  await session.openActivityBarItem('Taskscope');
  // Give the Queues view the whole sidebar: the tree is virtualized, so rows below the fold are not rendered.
  for (const view of ['Workers', 'Workflows']) await session.page.locator('.part.sidebar .pane-header', { hasText: view }).first().click();
  const row = (text: RegExp) => session.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text }).first();
  const rowsMatching = async (re: RegExp): Promise<string[]> => (await session.treeRowTexts()).filter((t) => re.test(t));
  try {
    await session.expandTreeRow(row(/^email/), 'the email queue');
    await session.expandTreeRow(row(/^Schedulers/), 'its schedulers');
    // The demo's `digest` scheduler (bullmq's upsertJobScheduler, a cron pattern while frozen).
    const scheduler = await session.waitFor(async () => (await rowsMatching(/^digest/))[0], 20_000, 'the digest scheduler row');
    assert.match(scheduler, /0 7 \* \* 1/, `the rule is shown: ${scheduler}`);
    await row(/^Schedulers/).click(); // collapse again
    await session.expandTreeRow(row(/^completed/), 'its completed jobs');
    // Completed mail jobs (welcome, receipt, password-reset) wrote log lines: their rows expand to "Logs (N)".
    const job = row(/^(welcome|receipt|password-reset) #/);
    await job.waitFor({ state: 'visible', timeout: 20_000 });
    // A job row's click opens its detail; its twistie expands it.
    const twistie = job.locator('.monaco-tl-twistie.collapsible');
    assert.equal(await twistie.count(), 1, 'the job row can be expanded (it has log lines)');
    await twistie.click();
    await row(/^Logs \(\d+\)/).waitFor({ state: 'visible', timeout: 20_000 });
    const count = Number(/^Logs \((\d+)\)/.exec(await row(/^Logs \(\d+\)/).innerText())?.[1] ?? 0);
    await session.expandTreeRow(row(/^Logs \(\d+\)/), 'the job\'s logs');
    // All of them, not the first few rendered: the rows arrive as the tree lays them out.
    const lines = await session.waitFor(async () => {
      const found = await rowsMatching(/^(Rendering template|Connecting to mx\.|250 2\.0\.0 Ok)/);
      return found.length >= Math.min(Math.max(count, 2), 5) ? found : undefined;
    }, 20_000, 'the job\'s log lines');
    assert.match(lines[0]!, /^Rendering template/, `oldest line first: ${lines.join(' | ')}`);
    await session.page.waitForTimeout(500);
    await session.screenshot('e2e-queues-logs-schedulers');
  } catch (err) {
    await session.screenshot('e2e-queues-logs-schedulers-failed');
    throw new Error(`${String(err)}\nrows: ${(await session.treeRowTexts()).join(' | ')}`);
  }
});
