// Propeller in real VS Code (code-server + the packaged .vsix): a mosquitto broker and the demo's Propeller
// simulator; the proplets show in Workers (the crashed one offline via its last-will) and the MQTT
// connection's Topics subtree lists topics with their last values in the Queues view. Screenshots go to
// test-results/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';
import { packageExtension } from '../helpers/package-extension';
import { startMosquitto, type MosquittoHandle } from '../helpers/servers';
import { startPropellerSimulator, type PropellerSimulator } from '../../demo/propeller/simulator';

let tmp: string;
let session: VSCodeSession;
let mosquitto: MosquittoHandle;
let sim: PropellerSimulator;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-propeller-'));
  mosquitto = await startMosquitto();
  sim = await startPropellerSimulator({ mqttUrl: mosquitto.url, proplets: 3, intervalMs: 1_000 });
  const workspace = path.join(tmp, 'workspace');
  writeWorkspaceSettings(workspace, {
    'taskscope.connections': [{ id: 'e2e-propeller', name: 'E2E Propeller', kind: 'mqtt', system: 'propeller', url: mosquitto.url, domain: '+', channel: '+' }],
  });
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace });
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  await sim?.stop();
  await mosquitto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('proplets appear in Workers; the crashed one goes offline via its last-will', { timeout: 120_000 }, async () => {
  await session.openActivityBarItem('Taskscope');
  const [alive1, alive2, crashed] = sim.propletIds as [string, string, string];
  const row = (texts: string[], id: string) => texts.find((t) => t.includes(id));
  // The simulator announced before the extension connected; alive messages bring the proplets in.
  await session.waitFor(async () => {
    const texts = await session.treeRowTexts();
    return row(texts, alive1) && row(texts, alive2) && row(texts, crashed) ? texts : undefined;
  }, 60_000, 'three proplets in Workers');
  await session.screenshot('propeller-workers-online');
  sim.crash(2);
  const rows = await session.waitFor(async () => {
    const texts = await session.treeRowTexts();
    return row(texts, crashed)?.includes('offline') ? texts : undefined;
  }, 30_000, 'the crashed proplet offline').catch(async (e: unknown) => {
    await session.screenshot('propeller-workers-failed');
    throw new Error(`${String(e)}\nrows:\n${(await session.treeRowTexts()).join('\n')}\nserver log tail:\n${session.serverLog().slice(-3000)}`);
  });
  const aliveRow = rows.find((t) => t.includes(alive1))!;
  assert.match(aliveRow, /online|busy/);
  assert.ok(rows.some((t) => /E2E Propeller.*connected/.test(t)), rows.join('\n'));
  await session.screenshot('propeller-workers');
});

test('the Topics subtree lists topics with their last value', { timeout: 120_000 }, async () => {
  const page = session.page;
  const expand = (label: string) => session.expandTreeRow(page.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first(), `"${label}"`);
  // Give the Queues view the whole sidebar: tree rows outside the viewport are not rendered.
  for (const pane of ['Workers', 'Workflows']) {
    const header = page.locator('.pane-header', { hasText: pane }).first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
  await expand('Topics');
  for (const seg of ['m', 'demo-domain', 'c', 'demo-channel', 'control', 'proplet']) await expand(seg);
  const rows = await session.waitFor(async () => {
    const texts = await session.treeRowTexts();
    return texts.some((t) => /^alive.*proplet_id/.test(t)) && texts.some((t) => /^metrics\{"proplet_id"/.test(t)) ? texts : undefined;
  }, 30_000, 'alive and metrics topics with their last values').catch(async (e: unknown) => {
    await session.screenshot('propeller-topics-failed');
    throw new Error(`${String(e)}\nrows:\n${(await session.treeRowTexts()).join('\n')}`);
  });
  assert.ok(rows.some((t) => /^alive.*· [\d.]+\/(s|min)$/.test(t)), `a message rate on alive: ${rows.join('\n')}`);
  await session.screenshot('propeller-topics');
});
