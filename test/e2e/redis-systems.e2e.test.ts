// rhailib, Nexus Agents and pynenc/Rustvello in real VS Code (code-server): the demo simulators write their
// Redis layouts to a real redis-server, the packaged extension connects through `taskscope.connections`, and
// each system's state shows in the Queues, Workers and Workflows trees. Screenshots go to test-results/.
// A row's text is its label immediately followed by its description (no separator), hence the `\s*`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { startRedisServer, type RedisServerHandle } from '../helpers/servers';
import { packageExtension } from '../helpers/package-extension';
import { launchVSCode, type VSCodeSession } from '../helpers/vscode-e2e';
import { showOnlyView } from '../helpers/e2e-steps';
import { RHAILIB_SEED, startRhailibSimulator } from '../../demo/rhailib/simulator';
import { startNexusSimulator } from '../../demo/nexus/simulator';
import { PYNENC_DEMO_APP, RUSTVELLO_DEMO_APP, startPynencSimulator } from '../../demo/pynenc/simulator';

let redis: RedisServerHandle;
let session: VSCodeSession;
let tmp: string;
const sims: { stop(): Promise<void> }[] = [];

before(async () => {
  redis = await startRedisServer();
  // Live, so heartbeats stay fresh while code-server starts.
  sims.push(await startRhailibSimulator({ redisUrl: redis.url, live: true }));
  sims.push(await startNexusSimulator({ redisUrl: redis.url, live: true }));
  sims.push(await startPynencSimulator({ redisUrl: redis.url, live: true }));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskscope-redis-systems-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'README.md'), 'Taskscope e2e workspace\n');
  const connection = (id: string, name: string, system: string) => ({ id, name, kind: 'redis', system, url: redis.url, readOnly: true, pollIntervalMs: 1_000 });
  session = await launchVSCode({
    vsixPath: await packageExtension(),
    workspaceFolder: workspace,
    userSettings: {
      'taskscope.connections': [
        connection('rhai', 'rhailib', 'rhailib'),
        connection('nexus', 'Nexus', 'nexus'),
        connection('pyn', 'pynenc', 'pynenc'),
        connection('rsv', 'Rustvello', 'rustvello'),
      ],
    },
  });
  await session.openActivityBarItem('Taskscope');
}, { timeout: 15 * 60_000 });

after(async () => {
  await session?.close();
  for (const s of sims) await s.stop();
  await redis?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const showOnly = (view: 'Queues' | 'Workers' | 'Workflows'): Promise<void> => showOnlyView(session, view);

async function rowsMatching(what: string, patterns: readonly RegExp[], timeoutMs = 30_000): Promise<string[]> {
  return session.waitFor(async () => {
    const rows = await session.treeRowTexts();
    return patterns.every((p) => rows.some((r) => p.test(r))) ? rows : undefined;
  }, timeoutMs, `${what}: rows matching ${patterns.map(String).join(', ')}`).catch(async (err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nrows: ${JSON.stringify(await session.treeRowTexts())}`);
  });
}

const alpha = RHAILIB_SEED.circles.alpha.publicKey;
const beta = RHAILIB_SEED.circles.beta.publicKey;

test('Queues: each system\'s queues with counts by its own status names', { timeout: 120_000 }, async () => {
  await showOnly('Queues');
  const rows = await rowsMatching('queues', [
    /^rhailib\s*connected · 4 queues/,
    new RegExp(`^rhai_tasks:${alpha}\\s*.*\\d+ completed`),
    new RegExp(`^rhai_tasks:${beta}\\s*\\d+ pending`),
    /^hero:work_queue:osis\s*.*finished/,
    /^Nexus\s*connected · 3 queues/,
    /^normal_priority\s*(\d|empty)/,
    /^high_priority\s*(\d|empty)/,
    new RegExp(`^${PYNENC_DEMO_APP}\\s*.*success`),
    new RegExp(`^${RUSTVELLO_DEMO_APP}\\s*.*Success`), // Rustvello's own PascalCase spelling
  ]);
  assert.ok(rows.some((r) => /^pynenc\s*connected · 1 queue\b/.test(r)), rows.join('\n'));
  await session.screenshot('redis-systems-queues');
});

test('Workers: liveness from heartbeats and queue activity, and what each is working on', { timeout: 120_000 }, async () => {
  await showOnly('Workers');
  const rows = await rowsMatching('workers', [
    new RegExp(`^${beta}\\s*stale · queue rhai_tasks:${beta}`),
    /^hero:osis\s*(busy|online|idle) · queue hero:work_queue:osis/,
    /^worker 0\s*(online|busy)/,
    /^worker 1\s*(online|busy)/,
    /^runner-old\s*offline · queue demo_app/,
    /^runner-a\s*(online|busy)/,
    /^rs-runner-1\s*(online|busy)/,
  ]);
  // Some worker is running something right now and says what ("on <task id>").
  assert.ok(rows.some((r) => /busy · .*· on [0-9a-f-]{8,}/.test(r)), rows.join('\n'));
  await session.screenshot('redis-systems-workers');
});

test('Workflows: a pynenc workflow and a Nexus research task with done/total', { timeout: 120_000 }, async () => {
  await showOnly('Workflows');
  const rows = await rowsMatching('workflows', [
    /^tasks\.aggregate_report\s*\d+\/5 · /,
    /^default_project · research-[0-9a-f]{8}\s*\d+\/\d+ · /,
  ]);
  assert.ok(rows.some((r) => /^rhailib\s*connected · 0 workflows/.test(r)), rows.join('\n'));
  await session.screenshot('redis-systems-workflows');
});
