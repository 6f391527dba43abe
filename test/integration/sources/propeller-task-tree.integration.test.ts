// Propeller tasks in the trees, through a real mosquitto fed by the demo's Propeller simulator: the core
// view-models the Queues and Workers trees render (src/core/views/task-list.ts) hold every task under the state
// its messages gave it (numeric `state` named, results → Completed/Failed), with its proplet and last CPU/memory;
// each proplet lists the tasks it ran; store-backed pages and "Open Task JSON" details come from the session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMosquitto, type MosquittoHandle } from '../../helpers/servers';
import { startPropellerSimulator } from '../../../demo/propeller/simulator';
import { MonitorSession } from '../../../src/sources/monitor-session';
import { parseConnectionProfiles } from '../../../src/core/config/connection-profile';
import { PROPELLER_TASK_STATES, queueTaskGroups, workerTaskRows } from '../../../src/core/views/task-list';
import { connectedState, recordingLog, until } from '../../helpers/session-wait';

let mosquitto: MosquittoHandle;
before(async () => { mosquitto = await startMosquitto(); });
after(async () => { await mosquitto?.stop(); });

test('Propeller tasks: grouped by named state, with proplet and metrics; proplets list their tasks', { timeout: 60_000 }, async () => {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'prop', kind: 'mqtt', system: 'propeller', url: mosquitto.url, allowPublish: true }]);
  assert.deepEqual(problems, []);
  const session = new MonitorSession({ log: recordingLog() });
  await session.setProfiles(profiles);
  session.setVisible(true);
  session.startAll();
  await until(() => connectedState(session, 'prop'), 'connected');
  const sim = await startPropellerSimulator({ mqttUrl: mosquitto.url, proplets: 3, intervalMs: 100 });
  try {
    const store = session.store;
    const groupsWith = (state: string) => queueTaskGroups(store, 'prop', 'tasks', Date.now()).find((g) => g.state === state && g.rows.length > 0);
    await until(() => groupsWith('Completed') && groupsWith('Failed') && groupsWith('Running')?.rows.some((r) => r.task.usage?.cpuPercent !== undefined),
      'completed, failed and running tasks with metrics', 20_000);
    await sim.stop(); // hold the traffic still so the checks below read one consistent state
    await new Promise((r) => setTimeout(r, 300));

    const now = Date.now();
    const groups = queueTaskGroups(store, 'prop', 'tasks', now);
    assert.deepEqual(groups.map((g) => g.state).slice(0, PROPELLER_TASK_STATES.length), [...PROPELLER_TASK_STATES], 'states in Propeller order');
    const listed = groups.flatMap((g) => g.rows);
    assert.equal(listed.length + groups.reduce((n, g) => n + g.more, 0), store.tasks('prop').length, 'every task listed once');
    for (const g of groups) {
      for (const r of g.rows) assert.equal(r.task.status, g.state, `${r.task.id} under ${g.state}`);
      assert.equal(g.count, g.rows.length + g.more, `${g.state}: the queue's count matches the listed tasks`);
    }
    // Every task the simulator started is listed on the proplet it was started on.
    const seen = listed.filter((r) => sim.tasks.has(r.task.id));
    assert.ok(seen.length >= 3, `simulator tasks listed (${seen.length})`);
    for (const r of seen) assert.equal(r.task.worker, sim.tasks.get(r.task.id), `${r.task.id} on its proplet`);

    const failed = groupsWith('Failed')!.rows[0]!;
    assert.equal(failed.task.error, 'wasm trap: unreachable');
    assert.match(failed.description, /wasm trap: unreachable/);
    assert.equal(failed.final, true);
    const running = groupsWith('Running')!.rows.find((r) => r.task.usage?.cpuPercent !== undefined)!;
    assert.equal(running.final, false, 'a running task can be stopped');
    assert.match(running.description, new RegExp(`on ${running.task.worker} · CPU \\d+\\.\\d% · mem [\\d.]+ MB`));
    assert.ok(running.tooltip.some((l) => /^Last metrics .*CPU \d+\.\d%, memory [\d.]+ MB/.test(l)), running.tooltip.join('\n'));

    // The legacy topic (metrics/proplet, cpu_usage_percent) feeds the same metrics on the odd proplets.
    const legacy = sim.propletIds[1]!;
    const legacyRows = workerTaskRows(store, 'prop', legacy, now).rows;
    assert.ok(legacyRows.length > 0);
    for (const id of sim.propletIds) {
      const { rows } = workerTaskRows(store, 'prop', id, now);
      assert.ok(rows.length > 0, `${id} lists its tasks`);
      assert.ok(rows.every((r) => r.task.worker === id));
      const firstFinal = rows.findIndex((r) => r.final);
      assert.ok(firstFinal === -1 || rows.slice(firstFinal).every((r) => r.final), 'unfinished tasks first');
      assert.ok(rows.every((r) => r.description.startsWith(`${r.task.status} · on ${id}`)), rows.map((r) => r.description).join('\n'));
    }

    // The Queues tree pages a state from the store; Open Task JSON shows the messages kept for the task.
    const page = (await session.taskPage('prop', { queue: 'tasks', state: 'Completed', offset: 0, limit: 5 }))!;
    assert.equal(page.total, groupsWith('Completed')!.count);
    assert.ok(page.tasks.length <= 5 && page.tasks.every((t) => t.status === 'Completed'));
    const detail = (await session.taskDetail('prop', { queue: 'tasks', id: failed.task.id }, 64 * 1024))!;
    assert.equal(detail.task.status, 'Failed');
    assert.match(detail.values['results']!.text, /wasm trap: unreachable/);
    assert.match(detail.values['start']!.text, /"proplet_id"/);
    assert.equal(store.connection('prop')!.rejectedFrames, 0);
  } finally {
    await sim.stop();
    await session.dispose();
  }
});
