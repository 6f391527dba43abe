// WebSocket sources in real VS Code (code-server + the packaged .vsix): Mahavishnu pools and their workers in
// Workers, a workflow's stage progress updating live in Workflows, and the Nexus queue depths visible, all
// driven by the protocol simulators on free ports. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startMahavishnuSimulator, type MahavishnuSimulator } from '../../demo/mahavishnu/simulator';
import { startNexusSimulator, type NexusSimulator } from '../../demo/nexus-ws/simulator';
import { packageExtension } from '../helpers/package-extension';
import { launchVSCode, type VSCodeSession } from '../helpers/vscode-e2e';

let mahavishnu: MahavishnuSimulator;
let nexus: NexusSimulator;
let session: VSCodeSession;
let tmp: string;

before(async () => {
  mahavishnu = await startMahavishnuSimulator({ tickMs: 0 });
  nexus = await startNexusSimulator({ tickMs: 0 });
  for (let i = 0; i < 6; i++) nexus.step();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-ws-e2e-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  session = await launchVSCode({
    vsixPath: await packageExtension(),
    workspaceFolder: workspace,
    userSettings: {
      'taskscope.connections': [
        { id: 'mv', name: 'Mahavishnu', kind: 'websocket', system: 'mahavishnu', url: mahavishnu.url, channels: [...mahavishnu.channels] },
        { id: 'nx', name: 'Nexus', kind: 'websocket', system: 'nexus', url: nexus.url },
      ],
    },
  });
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  await mahavishnu?.stop();
  await nexus?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const rows = () => session.treeRowTexts();
const row = (re: RegExp) => async () => (await rows()).find((t) => re.test(t));

test('Mahavishnu pools and their workers appear in Workers, with their state', { timeout: 120_000 }, async () => {
  await session.openActivityBarItem('Taskscope');
  await session.waitFor(row(/^Mahavishnu.*connected/), 60_000, 'Mahavishnu connected');
  const worker = await session.waitFor(row(/pool_local\/worker_1.*idle.*queue pool_local/), 30_000, 'pool_local worker row');
  assert.match(worker, /idle/);
  await session.waitFor(row(/pool_gpu\/worker_2/), 10_000, 'pool_gpu worker row');
  // A worker changes state on the server; the row follows.
  for (let i = 0; i < 3; i++) mahavishnu.step();
  const truth = mahavishnu.state().pools['pool_local']!.workers;
  const [changed, status] = Object.entries(truth).find(([, s]) => s !== 'idle') ?? [];
  assert.ok(changed && status, 'the simulation changed a worker');
  await session.waitFor(row(new RegExp(`pool_local/${changed}.*${status}`)), 15_000, `pool_local/${changed} shown ${status}`);
  await session.screenshot('ws-mahavishnu-workers');
});

test('a workflow\'s stage progress updates live in Workflows', { timeout: 120_000 }, async () => {
  await session.waitFor(row(/wf_ingest/), 30_000, 'wf_ingest row');
  const expected = (): RegExp => {
    const wf = mahavishnu.state().workflows['wf_ingest']!;
    const next = wf.stages[wf.stage];
    return new RegExp(`wf_ingest.*${wf.stage}/${wf.stages.length} · ${wf.status}${wf.status === 'running' && next ? ` · at ${next}` : ''}`);
  };
  // Step until wf_ingest is running with at least one stage done, checking the row after every step.
  for (let i = 0; i < 12; i++) {
    mahavishnu.step();
    const re = expected();
    const shown = await session.waitFor(row(re), 15_000, `wf_ingest row matching ${re}`);
    const wf = mahavishnu.state().workflows['wf_ingest']!;
    if (wf.status === 'running' && wf.stage >= 1 && i >= 2) {
      assert.match(shown, / · at /);
      await session.screenshot(`ws-workflow-stage-${wf.stage}`);
    }
  }
});

test('Nexus queue depths by priority are visible in Queues', { timeout: 60_000 }, async () => {
  await session.waitFor(row(/^Nexus.*connected/), 30_000, 'Nexus connected');
  const depth = nexus.state().queue;
  for (const name of ['high_priority', 'normal_priority', 'low_priority']) {
    const n = depth[name] ?? 0;
    await session.waitFor(row(new RegExp(`^${name}.*${n === 0 ? 'empty' : `${n} pending`}`)), 10_000, `${name} with depth ${n}`);
  }
  // Live events after connecting: the workers come up and the research task shows its phase.
  for (let i = 0; i < 8; i++) nexus.step();
  await session.waitFor(row(/^Nexus.*connected · 4\/4 online/), 15_000, 'Nexus workers online');
  await session.waitFor(row(/research_.*running · at /), 15_000, 'Nexus research task with its current phase');
  await session.screenshot('ws-nexus-live');
  await session.screenshot('ws-nexus-queues');
});
