// Multi-selections grouped by queue: grouping, the one confirmation text, and running queue after queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeGroups, groupByQueue, runGroups } from '../../../src/vscode/commands/task-selection';
import type { ActionProgress } from '../../../src/core/source/source';

test('rows are grouped by connection and queue in selection order, repeats and incomplete rows dropped', () => {
  const groups = groupByQueue([
    { connectionId: 'c1', queue: 'a', id: '1' }, { connectionId: 'c1', queue: 'b', id: '7' },
    { connectionId: 'c1', queue: 'a', id: '2' }, { connectionId: 'c2', queue: 'a', id: '1' },
    { connectionId: 'c1', queue: 'a', id: '1' }, { connectionId: 'c1', id: '9' }, { queue: 'a', id: '3' },
  ]);
  assert.deepEqual(groups, [
    { connectionId: 'c1', queue: 'a', ids: ['1', '2'] },
    { connectionId: 'c1', queue: 'b', ids: ['7'] },
    { connectionId: 'c2', queue: 'a', ids: ['1'] },
  ]);
});

test('the confirmation names the count per queue, the connection only when several, and cuts long lists', () => {
  assert.equal(describeGroups([{ connectionId: 'c', queue: 'a', ids: ['1', '2'] }], 'job'), '2 job(s) of "a"');
  assert.equal(describeGroups([{ connectionId: 'c', queue: 'a', ids: ['1', '2'] }, { connectionId: 'c', queue: 'b', ids: ['3'] }], 'job'),
    '3 job(s) in 2 queues: "a" (2), "b" (1)');
  assert.equal(describeGroups([{ connectionId: 'c1', queue: 'a', ids: ['1'] }, { connectionId: 'c2', queue: 'a', ids: ['1'] }], 'job', (id) => id.toUpperCase()),
    '2 job(s) in 2 queues: "a" on C1 (1), "a" on C2 (1)');
  const many = Array.from({ length: 10 }, (_, i) => ({ connectionId: 'c', queue: `q${i}`, ids: ['1'] }));
  assert.match(describeGroups(many, 'job', undefined, 3), /^10 job\(s\) in 10 queues: "q0" \(1\), "q1" \(1\), "q2" \(1\) and 7 more$/);
});

function recorder(signal = new AbortController().signal): ActionProgress & { reports: [number, number | undefined][] } {
  const reports: [number, number | undefined][] = [];
  return { signal, reports, report: (d, t) => { reports.push([d, t]); } };
}

test('runGroups runs one batch per queue, progress spans the whole selection, failures and throws are named', async () => {
  const calls: string[] = [];
  const p = recorder();
  const result = await runGroups([
    { connectionId: 'c', queue: 'a', ids: ['1', '2'] },
    { connectionId: 'c', queue: 'b', ids: ['3'] },
    { connectionId: 'c', queue: 'x', ids: ['4'] },
  ], async (g, progress) => {
    calls.push(`${g.queue}:${g.ids.join(',')}`);
    if (g.queue === 'x') throw new Error('boom');
    progress.report(g.ids.length, g.ids.length);
    return { ok: g.queue === 'a', affected: g.queue === 'a' ? 2 : 0, message: g.queue === 'a' ? 'Retried 2 of 2' : 'job 3 is active' };
  }, p);
  assert.deepEqual(calls, ['a:1,2', 'b:3', 'x:4']);
  assert.equal(result.affected, 2);
  assert.equal(result.ok, false);
  assert.match(result.message, /^2 of 4 done across 3 queues — "a": Retried 2 of 2; "b": job 3 is active; "x": boom$/);
  assert.deepEqual(p.reports, [[2, 4], [2, 4], [3, 4], [3, 4], [4, 4]]);
});

test('runGroups stops between queues when cancelled', async () => {
  const abort = new AbortController();
  const seen: string[] = [];
  const result = await runGroups([
    { connectionId: 'c', queue: 'a', ids: ['1'] }, { connectionId: 'c', queue: 'b', ids: ['2'] },
  ], async (g) => { seen.push(g.queue); abort.abort(); return { ok: true, affected: 1, message: 'done' }; }, recorder(abort.signal));
  assert.deepEqual(seen, ['a']);
  assert.equal(result.ok, false);
  assert.match(result.message, /\(cancelled\)/);
});
