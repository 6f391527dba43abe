// The Queues tree's connection row says how many queues it has. A queue can arrive between VS Code reading the
// connection row and reading its children: the queue row then exists, but the connection row still says
// "0 queues". The next change of that queue must refresh the connection row too (seen once in e2e: the row
// stayed "0 queues" for a whole run while its queue rows updated).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../helpers/vscode-stand-in';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import type { ChangeSet } from '../../../src/core/store/change-set';
import { ev } from '../../fixtures/builders';
import type * as QueuesTreeModule from '../../../src/vscode/views/queues-tree';
import type { QueuesNode } from '../../../src/vscode/views/queues-tree';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the `vscode` mapping is in place */
const { QueuesTree } = require('../../../src/vscode/views/queues-tree') as typeof QueuesTreeModule;
/* eslint-enable @typescript-eslint/no-require-imports */

type Tree = InstanceType<typeof QueuesTree>;
const affected = (tree: Tree, change: ChangeSet): Set<string> | undefined => (tree as unknown as { affected(c: ChangeSet): Set<string> | undefined }).affected(change);

test('a queue row that appeared before its connection row was redrawn: the next change of it refreshes the connection row', () => {
  const store = new MonitorStore();
  store.applyAll([ev.added('c1'), ev.state('c1', 'connected')]);
  const tree = new QueuesTree(store);
  const [conn] = tree.getChildren() as QueuesNode[];
  assert.ok(conn && conn.kind === 'connection');
  assert.match(String(tree.getTreeItem(conn).description), /0 queues/);
  // The queue arrives after VS Code read the connection row, before it read the children.
  store.apply(ev.queue({ connectionId: 'c1', name: 'tasks', counts: { running: 1 } }));
  const children = tree.getChildren(conn) as QueuesNode[];
  assert.ok(children.some((n) => n.id === 'queue:c1:tasks'), 'the queue row is listed');
  const change = store.apply(ev.queue({ connectionId: 'c1', name: 'tasks', counts: { running: 2 } }));
  const ids = affected(tree, change);
  assert.ok(ids?.has('queue:c1:tasks'), 'the queue row');
  assert.ok(ids?.has('conn:c1'), `and its connection row, which still says 0 queues: ${[...(ids ?? [])].join(', ')}`);
  assert.match(String(tree.getTreeItem(conn).description), /1 queue\b/);
  // Once redrawn, a change of the queue alone refreshes only the queue row.
  const again = affected(tree, store.apply(ev.queue({ connectionId: 'c1', name: 'tasks', counts: { running: 3 } })));
  assert.deepEqual([...(again ?? [])], ['queue:c1:tasks']);
  tree.dispose();
});
