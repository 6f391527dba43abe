// A task id typed into "Open Task Detail…": offered in every queue of the connection, then without a queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typedTaskIdPicks } from '../../../src/vscode/panels/task-id-picks';

test('a typed id is offered once per queue (sorted), then as a global id', () => {
  const picks = typedTaskIdPicks('  42 ', 'c1', ['payments', 'email']);
  assert.deepEqual(picks.map((p) => p.target), [
    { connectionId: 'c1', queue: 'email', taskId: '42' },
    { connectionId: 'c1', queue: 'payments', taskId: '42' },
    { connectionId: 'c1', taskId: '42' },
  ]);
  assert.deepEqual(picks.map((p) => p.description), ['task id in queue email', 'task id in queue payments', 'task id']);
  assert.ok(picks.every((p) => p.label === '42'));
});

test('an empty value offers nothing, and at most 200 queues are listed', () => {
  assert.deepEqual(typedTaskIdPicks('   ', 'c1', ['a']), []);
  const many = typedTaskIdPicks('x', 'c1', Array.from({ length: 500 }, (_, i) => `q${String(i).padStart(3, '0')}`));
  assert.equal(many.length, 201);
  assert.equal(many.at(-1)?.target.queue, undefined);
});
