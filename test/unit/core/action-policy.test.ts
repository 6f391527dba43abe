// The host's action gate: target kind, the source's own reason, read-only profiles and restricted mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionRefusal } from '../../../src/core/source/action-policy';
import type { ActionDeclaration } from '../../../src/core/source/source';

const retry: ActionDeclaration = { id: 'retry', title: 'Retry', targets: ['task'], destructive: false, allowedReadOnly: false };
const refresh: ActionDeclaration = { id: 'refresh', title: 'Refresh', targets: ['task', 'queue'], destructive: false, allowedReadOnly: true };
const ok = { readOnly: false, trusted: true };

test('allowed when the target matches and nothing forbids it', () => {
  assert.equal(actionRefusal(retry, 'task', ok), undefined);
});
test('refused on a target the action does not declare', () => {
  assert.match(actionRefusal(retry, 'queue', ok)!, /does not apply to a queue/);
});
test('read-only connections and untrusted workspaces refuse changes but allow reads', () => {
  assert.equal(actionRefusal(retry, 'task', { readOnly: true, trusted: true }), 'The connection is read-only');
  assert.match(actionRefusal(retry, 'task', { readOnly: false, trusted: false })!, /Restricted mode/);
  assert.equal(actionRefusal(refresh, 'task', { readOnly: true, trusted: false }), undefined);
});
test("the source's own disabled reason wins", () => {
  assert.equal(actionRefusal({ ...retry, disabledReason: 'Needs BullMQ 5' }, 'task', ok), 'Needs BullMQ 5');
});
