// Retention settings in real VS Code (code-server + the packaged .vsix): a Nexus WebSocket server (a `ws` server on
// a free port) sends 300 tasks, then a stats snapshot whose queue depth shows in the Queues tree once the burst is
// read; lowering `taskscope.retention.maxTasks` to 100 in the settings file while the window is open evicts the 200
// least recently updated at once, and the Overview says so; raised again, the next 200 tasks are kept. Screenshot:
// test-results/e2e-retention-live.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { packageExtension } from '../helpers/package-extension';
import { launchVSCode, type VSCodeSession, writeWorkspaceSettings } from '../helpers/vscode-e2e';
import { withFailureScreenshot } from '../helpers/e2e-steps';

const CONNECTION = { id: 'e2e-nexus', name: 'E2E Nexus', kind: 'websocket', system: 'nexus' };

let server: WebSocketServer;
let client: WebSocket | undefined;
let session: VSCodeSession;
let tmp: string;
let workspace: string;
let url: string;

/** A MonitoringEvent of task `n` entering the high-priority list, as Nexus's WebSocket forwards it. */
const enqueued = (n: number) => JSON.stringify({
  event_id: `ev-${n}`, ts: new Date(Date.UTC(2026, 11, 7, 10, 0, 0, n)).toISOString(), event_type: 'task_enqueued', project_id: 'p1',
  parent_task_id: null, task_id: `task-${n}`, task_type: 'search', phase: null, worker_id: null, retry_count: 0, status: 'pending',
  duration_ms: null, counts: null, queue: null, message: null, error: null, meta: { queue: 'nexus:tasks:high_priority', priority: 2 },
});

/** A stats snapshot naming `depth` as the high-priority list's depth: sent after a burst, its row shows the burst is in. */
const marker = (n: number, depth: number) => JSON.stringify({
  event_id: `stats-${n}`, ts: new Date(Date.UTC(2026, 11, 7, 10, 0, 1, n)).toISOString(), event_type: 'stats_snapshot',
  queue: { high_priority: depth, normal_priority: 0, low_priority: 0, total: depth }, meta: { workers_online: 0 },
});

function settings(maxTasks: number): Record<string, unknown> {
  return { 'taskscope.connections': [{ ...CONNECTION, url }], 'taskscope.retention.maxTasks': maxTasks };
}

before(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ws/monitor`;
  server.on('connection', (socket) => {
    client = socket;
    for (let n = 0; n < 300; n++) socket.send(enqueued(n));
    socket.send(marker(1, 300));
  });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-e2e-retention-'));
  workspace = path.join(tmp, 'workspace');
  writeWorkspaceSettings(workspace, settings(20_000));
  session = await launchVSCode({ vsixPath: await packageExtension(), workspaceFolder: workspace });
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  for (const socket of server?.clients ?? []) socket.terminate();
  await new Promise((r) => server?.close(r));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const retentionNote = () => session.webviewText('.retention');

test('lowering retention.maxTasks while open evicts at once and the Overview says how many; raising it keeps more', { timeout: 180_000 }, async () => {
  await withFailureScreenshot(session, 'e2e-retention-failed', async () => {
    await session.openActivityBarItem('Taskscope');
    await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^E2E Nexus.*connected/.test(t)), 60_000, 'Nexus connected');
    await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^high_priority.*300 pending/.test(t)), 30_000, 'the burst of 300 tasks read');
    await session.runCommand('Taskscope: Open Overview');
    await session.waitFor(async () => (await session.webviewText('[data-connection="e2e-nexus"]'))?.includes('E2E Nexus'), 30_000, 'the Overview lists the connection');
    assert.equal(await retentionNote(), undefined, 'nothing dropped yet');

    writeWorkspaceSettings(workspace, settings(100));
    const note = await session.waitFor(async () => {
      const text = await retentionNote();
      return text?.includes('200 tasks evicted') ? text : undefined;
    }, 30_000, 'the Overview\'s retention note after maxTasks 100');
    assert.match(note, /Retention limits reached/);
    await session.screenshot('e2e-retention-live');

    // Raised again: the next tasks are kept beside the 100, none evicted.
    writeWorkspaceSettings(workspace, settings(1_000));
    await new Promise((r) => setTimeout(r, 1_000)); // the setting reaches the extension host
    for (let n = 300; n < 500; n++) client?.send(enqueued(n));
    client?.send(marker(2, 500));
    await session.waitFor(async () => (await session.treeRowTexts()).some((t) => /^high_priority.*500 pending/.test(t)), 30_000, 'the second burst read');
    await new Promise((r) => setTimeout(r, 1_500)); // the Overview's next update
    assert.match((await retentionNote()) ?? '', /200 tasks evicted/, '300 tasks fit under 1 000: no more evicted');
  });
});
