// Propeller's "Stop Task…" in real VS Code (code-server + the packaged .vsix): two connections to one mosquitto
// broker, one with `allowPublish`. On its running task row the context menu offers "Stop Task…", the modal names
// the task, and confirming publishes `control/manager/stop` (seen by a client of the test's own). The connection
// without `allowPublish` hides the menu entry and refuses the palette command. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';
import { packageExtension } from '../helpers/package-extension';
import { startMosquitto, type MosquittoHandle } from '../helpers/servers';
import { showOnlyView, withFailureScreenshot } from '../helpers/e2e-steps';
import { startPropellerSimulator, type PropellerSimulator } from '../../demo/propeller/simulator';

const PUBLISH = 'E2E Publish';
const NO_PUBLISH = 'E2E No Publish';

let tmp: string;
let session: VSCodeSession;
let mosquitto: MosquittoHandle;
let sim: PropellerSimulator;
let watcher: MqttClient;
/** Every `control/manager/stop` the broker delivered to the test's own client. */
const stops: { topic: string; payload: unknown }[] = [];
/** Tasks the first test stopped (the simulator's proplets go on running them). */
const stoppedIds = new Set<string>();

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-propeller-stop-'));
  mosquitto = await startMosquitto();
  watcher = await mqtt.connectAsync(mosquitto.url, { clientId: `e2e-stop-watcher-${process.pid}` });
  await watcher.subscribeAsync('m/+/c/+/control/manager/stop', { qos: 1 });
  watcher.on('message', (topic, payload) => {
    let body: unknown;
    try { body = JSON.parse(payload.toString()); } catch { body = payload.toString(); }
    stops.push({ topic, payload: body });
  });
  sim = await startPropellerSimulator({ mqttUrl: mosquitto.url, proplets: 2, intervalMs: 1_000 });
  const workspace = path.join(tmp, 'workspace');
  writeWorkspaceSettings(workspace, {
    'taskscope.connections': [
      { id: 'e2e-publish', name: PUBLISH, kind: 'mqtt', system: 'propeller', url: mosquitto.url, domain: '+', channel: '+', allowPublish: true },
      { id: 'e2e-no-publish', name: NO_PUBLISH, kind: 'mqtt', system: 'propeller', url: mosquitto.url, domain: '+', channel: '+' },
    ],
  });
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace });
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  await sim?.stop();
  await watcher?.endAsync().catch(() => undefined);
  await mosquitto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function rows(text: string | RegExp) {
  return session.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text });
}

/** Rows whose label (not description) is exactly `label`: innerText runs label and description together. */
function rowsLabelled(label: string) {
  const page = session.page;
  return page.locator('.part.sidebar .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
}

/** Expands the `nth` row labelled `label` unless it already is. */
async function expand(label: string, nth: number): Promise<void> {
  await session.expandTreeRow(rowsLabelled(label).nth(nth), `"${label}" #${nth}`);
}

/** Stops the simulator's ticking with a task running that is not in `exclude`, so the rows under an open menu
 *  hold still; returns that task's id. Each tick publishes a start or metrics for every running task, so after
 *  one the extension (already subscribed) knows all of them, even those started before it connected. */
function holdSimulatorWithRunningTask(exclude: ReadonlySet<string> = new Set()): string {
  sim.pause();
  for (let i = 0; i < 6; i++) {
    sim.step(); // idle proplets start a task; a task ends within three ticks
    const id = sim.runningTasks().find((t) => !exclude.has(t));
    if (id) return id;
  }
  throw new Error(`no running task after 6 ticks: ${JSON.stringify(sim.runningTasks())}`);
}

/** Opens the context menu of the row and returns its entries' labels. */
async function contextMenuOf(row: ReturnType<typeof rows>): Promise<string[]> {
  await row.click({ button: 'right' });
  const labels = session.page.locator('.context-view .action-label');
  await labels.first().waitFor({ state: 'visible', timeout: 10_000 });
  return (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

test('Stop Task… from a running task\'s context menu publishes control/manager/stop for it', { timeout: 180_000 }, async () => {
  await session.openActivityBarItem('Taskscope');
  await showOnlyView(session, 'Queues');
  await withFailureScreenshot(session, 'propeller-stop-menu', async () => {
    // Both connections list the `tasks` queue; the first one in the tree is the publishing connection.
    await session.waitFor(async () => (await rowsLabelled('tasks').count()) === 2, 60_000, 'both connections list the tasks queue').catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nrows: ${JSON.stringify(await session.treeRowTexts())}`);
    });
    const taskId = holdSimulatorWithRunningTask();
    stoppedIds.add(taskId);
    await expand('tasks', 0);
    await expand('Running', 0);
    const row = rows(`#${taskId}`).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    const label = (await row.locator('.label-name').innerText()).trim(); // "<name> #<id>"
    assert.ok(label.endsWith(`#${taskId}`), label);
    const labels = await contextMenuOf(row);
    assert.ok(labels.includes('Stop Task…'), `context menu: ${JSON.stringify(labels)}`);
    assert.ok(labels.includes('Open Task JSON'), `context menu: ${JSON.stringify(labels)}`);
    await session.screenshot('propeller-stop-menu');

    await session.page.locator('.context-view .action-label', { hasText: /^Stop Task…$/ }).click();
    const dialog = session.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const dialogText = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(dialogText, new RegExp(`Stop 1 task on "${PUBLISH}"\\?`), dialogText);
    assert.ok(dialogText.includes(label), `the modal names the task as its row does, "${label}": ${dialogText}`);
    await session.screenshot('propeller-stop-modal');
    assert.equal(stops.length, 0, 'nothing published before confirming');

    await dialog.locator('.monaco-button', { hasText: /^Stop$/ }).click();
    const stop = await session.waitFor(() => stops.find((s) => (s.payload as { id?: unknown }).id === taskId), 20_000, `control/manager/stop for ${taskId}`);
    assert.equal(stop.topic, `${sim.base}/control/manager/stop`);
    assert.deepEqual(stop.payload, { id: taskId, broadcast: false, proplet_id: sim.tasks.get(taskId) });
    assert.equal(stops.length, 1, `one stop message: ${JSON.stringify(stops)}`);
    const toast = session.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Stop sent for 1 task(s)' });
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    // The extension reads its own stop back from the broker: the task leaves Running for Interrupted.
    await expand('Interrupted', 0);
    const interrupted = session.page.locator(`.part.sidebar .monaco-list-row[aria-label*=${JSON.stringify(`${taskId}, Interrupted`)}]`);
    await interrupted.first().waitFor({ state: 'visible', timeout: 20_000 }).catch((e: unknown) => {
      throw new Error(`${label} not listed as Interrupted: ${String(e)}`);
    });
    await session.screenshot('propeller-stop-sent');
  });
});

test('a connection without allowPublish: no Stop Task… in the menu, and the palette command is refused', { timeout: 180_000 }, async () => {
  await withFailureScreenshot(session, 'propeller-stop-refused', async () => {
    const taskId = holdSimulatorWithRunningTask(stoppedIds); // the one stopped above is Interrupted now
    // Collapse the publishing connection's queue so the second connection's rows get the room.
    const first = rowsLabelled('tasks').first();
    if ((await first.getAttribute('aria-expanded')) === 'true') await first.click();
    await session.waitFor(async () => (await first.getAttribute('aria-expanded')) === 'false', 15_000, 'the first tasks queue collapsed');
    await expand('tasks', 1);
    await expand('Running', 0);
    const row = rows(`#${taskId}`).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await contextMenuOf(row);
    assert.ok(!labels.includes('Stop Task…'), `menu without publishing: ${JSON.stringify(labels)}`);
    assert.ok(labels.includes('Open Task JSON'), `menu without publishing: ${JSON.stringify(labels)}`);
    await session.screenshot('propeller-stop-menu-no-publish');
    await session.page.keyboard.press('Escape');

    const before = stops.length;
    await session.runCommand('Notifications: Clear All Notifications'); // so the screenshot shows the refusal alone
    await session.runCommand('Taskscope: Stop Task…');
    const pick = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: NO_PUBLISH });
    await pick.first().waitFor({ state: 'visible', timeout: 15_000 });
    await pick.first().click();
    const toast = session.page.locator('.notifications-toasts .notification-toast.notification-fade-in-done .notification-list-item-message', { hasText: 'cannot stop tasks' });
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await toast.first().innerText(), new RegExp(`"${NO_PUBLISH}": Publishing is off for this connection`));
    await session.screenshot('propeller-stop-refused');
    assert.equal(stops.length, before, `no stop published: ${JSON.stringify(stops)}`);
  });
  sim.resume();
});
