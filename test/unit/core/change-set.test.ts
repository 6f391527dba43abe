// ChangeSet helpers: merging (used to coalesce refreshes), emptiness, and which connections a change touched.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEmptyChange, MutableChangeSet, touchedConnections } from '../../../src/core/store/change-set';
import { aChange, plainChange } from '../../fixtures/builders';

describe('MutableChangeSet.merge', () => {
  test('unions keys and adds counters', () => {
    const a = aChange({ connections: ['c1'], queues: ['queue:c1:a'], tasks: ['task:c1:a:1'], logs: 2, metrics: 1, events: 3 });
    const b = aChange({ connections: ['c1', 'c2'], queues: ['queue:c2:b'], workers: ['worker:c2:w'], workflows: ['workflow:c2:f'], logs: 1, events: 1 });
    const merged = a.merge(b);
    assert.equal(merged, a, 'merge mutates and returns the receiver');
    assert.deepEqual(plainChange(merged), {
      connections: ['c1', 'c2'], queues: ['queue:c1:a', 'queue:c2:b'], workers: ['worker:c2:w'], workflows: ['workflow:c2:f'],
      tasks: ['task:c1:a:1'], logs: 3, metrics: 1, events: 4,
    });
    assert.deepEqual(plainChange(b), plainChange(aChange({ connections: ['c1', 'c2'], queues: ['queue:c2:b'], workers: ['worker:c2:w'], workflows: ['workflow:c2:f'], logs: 1, events: 1 })), 'the argument is left as it was');
  });
});

describe('isEmptyChange', () => {
  test('a new change set is empty', () => assert.equal(isEmptyChange(new MutableChangeSet()), true));

  test('only events (e.g. a generic event) still count as empty: nothing a view shows changed', () => {
    assert.equal(isEmptyChange(aChange({ events: 5 })), true);
  });

  const nonEmpty: [string, Parameters<typeof aChange>[0]][] = [
    ['connections', { connections: ['c1'] }], ['queues', { queues: ['queue:c1:q'] }], ['workers', { workers: ['worker:c1:w'] }],
    ['workflows', { workflows: ['workflow:c1:f'] }], ['tasks', { tasks: ['task:c1:q:1'] }], ['logs', { logs: 1 }], ['metrics', { metrics: 1 }],
  ];
  for (const [what, spec] of nonEmpty) test(`a change in ${what} is not empty`, () => assert.equal(isEmptyChange(aChange(spec)), false));
});

describe('touchedConnections', () => {
  test('collects connection ids from connections and from every entity key', () => {
    const c = aChange({
      connections: ['c0'], queues: ['queue:c1:emails'], workers: ['worker:c2:host:123'], workflows: ['workflow:c3:wf'], tasks: ['task:c1:emails:9', 'task:c4::x'],
    });
    assert.deepEqual([...touchedConnections(c)].sort(), ['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  test('is empty for a change with only counters', () => assert.deepEqual([...touchedConnections(aChange({ logs: 3 }))], []));
});
