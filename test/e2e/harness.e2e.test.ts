// Checks the e2e harness itself against a tiny throwaway extension (not Taskscope), so a harness problem is
// told apart from an extension problem: the activity bar item, tree rows, a palette command with its
// notification, a webview's content, and that close() leaves no process behind.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { repoRoot } from '../helpers/repo-root';
import { launchVSCode, type VSCodeSession } from '../helpers/vscode-e2e';

const PROBE_MANIFEST = {
  name: 'harness-probe',
  displayName: 'Harness Probe',
  description: 'Throwaway extension used by test/e2e/harness.e2e.test.ts',
  publisher: 'taskscope-test',
  version: '0.0.1',
  license: 'MIT',
  engines: { vscode: '^1.90.0' },
  main: './extension.js',
  activationEvents: [], // onView:/onCommand: are implied by the contributions
  contributes: {
    commands: [{ command: 'harnessProbe.hello', title: 'Say Hello', category: 'Harness Probe' }],
    viewsContainers: {
      activitybar: [{ id: 'harnessProbe', title: 'Harness Probe', icon: 'media/probe.svg' }],
    },
    views: { harnessProbe: [{ id: 'harnessProbe.items', name: 'Probe Items' }] },
  },
};

const PROBE_MAIN = `
const vscode = require('vscode');
exports.activate = (context) => {
  const items = ['alpha item', 'beta item', 'gamma item'];
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('harnessProbe.items', {
      getChildren: () => items,
      getTreeItem: (label) => new vscode.TreeItem(label),
    }),
    vscode.commands.registerCommand('harnessProbe.hello', () => {
      vscode.window.showInformationMessage('Hello from the harness probe');
      const panel = vscode.window.createWebviewPanel('harnessProbe.panel', 'Probe Panel', vscode.ViewColumn.One, {});
      panel.webview.html = '<!DOCTYPE html><html><body><h1 id="probe-heading">Webview says hi</h1></body></html>';
    }),
  );
};
`;

const PROBE_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

/** Writes the probe extension to a temp folder and packages it with the repo's own vsce. */
function buildProbeVsix(dir: string): string {
  const ext = path.join(dir, 'probe');
  fs.mkdirSync(path.join(ext, 'media'), { recursive: true });
  fs.writeFileSync(path.join(ext, 'package.json'), JSON.stringify(PROBE_MANIFEST, null, 2));
  fs.writeFileSync(path.join(ext, 'extension.js'), PROBE_MAIN);
  fs.writeFileSync(path.join(ext, 'media', 'probe.svg'), PROBE_ICON);
  fs.writeFileSync(path.join(ext, 'README.md'), '# Harness Probe\n\nThrowaway extension for the e2e harness test.\n');
  const vsix = path.join(dir, 'harness-probe.vsix');
  const vsce = path.join(repoRoot(), 'node_modules', '.bin', 'vsce');
  const r = spawnSync(
    vsce,
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix],
    { cwd: ext, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
  assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}${r.stderr}${r.error?.message ?? ''}`);
  return vsix;
}

let tmp: string;
let session: VSCodeSession;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-harness-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'hello.txt'), 'harness workspace\n');
  session = await launchVSCode({ vsixPath: buildProbeVsix(tmp), workspaceFolder: workspace });
}, { timeout: 15 * 60_000 }); // first run on a fresh machine installs code-server (~2-3 min)

after(async () => {
  if (session) {
    const pids = session.processes();
    await session.close();
    assert.deepEqual(session.processes(), [], `code-server processes left after close(): ${pids.join(', ')}`);
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the activity bar item opens the view container and its tree rows render', { timeout: 60_000 }, async () => {
  await session.openActivityBarItem('Harness Probe');
  const rows = await session.waitFor(async () => {
    const texts = await session.treeRowTexts();
    return texts.includes('gamma item') ? texts : undefined;
  }, 30_000, 'probe tree rows');
  assert.deepEqual(rows.filter((r) => r.endsWith(' item')), ['alpha item', 'beta item', 'gamma item']);
  assert.ok(session.processes().length >= 2, 'code-server and its extension host should be running');
  await session.screenshot('harness-activity-bar');
});

test('a command runs from the palette: notification and webview content', { timeout: 60_000 }, async () => {
  await session.runCommand('Harness Probe: Say Hello');
  const toast = session.page.locator('.notifications-toasts .notification-list-item-message', {
    hasText: 'Hello from the harness probe',
  });
  await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
  const heading = await session.waitFor(() => session.webviewText('#probe-heading'), 20_000, 'webview heading');
  assert.equal(heading, 'Webview says hi');
  await session.screenshot('harness-command-webview');
});
