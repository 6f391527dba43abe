// The Overview's summary cards: states that systems spell differently count once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OverviewModel } from '../../../webview/overview/overview-model';

test('one card or chip per state, whatever the spelling (completed/Completed, SUCCESS/success, waiting_children)', () => {
  const model = new OverviewModel();
  model.totals = { queues: 3, workersOnline: 0, byState: { completed: 10, Completed: 2, failed: 1, SUCCESS: 4, success: 3, Running: 2, running: 1, waiting_children: 1, 'waiting-children': 2 } };
  const s = model.summary();
  const states = [...s.states, ...s.otherStates];
  const keys = states.map(([k]) => k);
  assert.equal(new Set(keys).size, keys.length, `no state twice: ${keys.join(', ')}`);
  const count = (k: string): number | undefined => states.find(([state]) => state === k)?.[1];
  assert.equal(count('completed'), 12);
  assert.equal(count('success'), 7);
  assert.equal(count('running'), 3);
  assert.equal(count('waiting-children'), 3);
  assert.equal(count('failed'), 1);
});
