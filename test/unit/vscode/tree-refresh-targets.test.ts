// What each tree refreshes for a change. Every row VS Code re-reads becomes a node in its extension host that stays
// in memory for the life of the view (ExtHostTreeView registers a DisposableStore per node), so a change must
// refresh the rows it changed, and a connection (which re-lists all its rows) only when the list or the count its
// row shows would differ. And a connection row showing a stale count must be refreshed: a queue can arrive between
// VS Code reading the connection row and reading its children (seen once in e2e: "0 queues" for a whole run).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../helpers/vscode-stand-in';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import type { ChangeSet } from '../../../src/core/store/change-set';
import { ev, T0 } from '../../fixtures/builders';
import type * as QueuesTreeModule from '../../../src/vscode/views/queues-tree';
import type { QueuesNode } from '../../../src/vscode/views/queues-tree';
import type * as WorkersTreeModule from '../../../src/vscode/views/workers-tree';
import type * as WorkflowsTreeModule from '../../../src/vscode/views/workflows-tree';
import type { StoreTree, TreeNode } from '../../../src/vscode/views/store-tree';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the `vscode` mapping is in place */
const { QueuesTree } = require('../../../src/vscode/views/queues-tree') as typeof QueuesTreeModule;
const { WorkersTree } = require('../../../src/vscode/views/workers-tree') as typeof WorkersTreeModule;
const { WorkflowsTree } = require('../../../src/vscode/views/workflows-tree') as typeof WorkflowsTreeModule;
/* eslint-enable @typescript-eslint/no-require-imports */

const affected = (tree: StoreTree<TreeNode>, change: ChangeSet): string[] =>
  [...((tree as unknown as { affected(c: ChangeSet): Set<string> | undefined }).affected(change) ?? ['(everything)'])].sort();

/** Lists the tree as VS Code does when it first shows it: the connections, then each one's children. */
function render(tree: StoreTree<TreeNode>): void {
  for (const conn of tree.getChildren() as TreeNode[]) {
    tree.getTreeItem(conn);
    for (const child of tree.getChildren(conn) as TreeNode[]) tree.getTreeItem(child);
  }
}

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
  assert.deepEqual(affected(tree, change), ['conn:c1', 'queue:c1:tasks'], 'the queue row and its connection row, which still says 0 queues');
  assert.match(String(tree.getTreeItem(conn).description), /1 queue\b/);
  // Once redrawn, a change of the queue alone refreshes only the queue row.
  assert.deepEqual(affected(tree, store.apply(ev.queue({ connectionId: 'c1', name: 'tasks', counts: { running: 3 } }))), ['queue:c1:tasks']);
  tree.dispose();
});

test('Workers: a heartbeat refreshes the worker row only; a worker coming, going or changing the online count refreshes its connection', () => {
  const store = new MonitorStore();
  store.applyAll([ev.added('c1'), ev.state('c1', 'connected'), ev.worker({ id: 'w1' }), ev.worker({ id: 'w2' })]);
  const tree = new WorkersTree(store);
  render(tree);
  assert.deepEqual(affected(tree, store.apply(ev.worker({ id: 'w1', status: 'busy', currentTask: 't9', updatedAt: T0 + 1 }))), ['worker:c1:w1']);
  assert.deepEqual(affected(tree, store.apply(ev.worker({ id: 'w2', status: 'offline', updatedAt: T0 + 2 }))), ['conn:c1', 'worker:c1:w2'], '2/2 → 1/2 online');
  render(tree);
  assert.deepEqual(affected(tree, store.apply(ev.worker({ id: 'w3' }))), ['conn:c1'], 'a new worker: its connection lists it');
  render(tree);
  assert.deepEqual(affected(tree, store.apply(ev.workerRemoved('c1', 'w3'))), ['conn:c1']);
  tree.dispose();
});

test('Workflows: progress refreshes the row only; a new, finished or removed workflow refreshes its connection; active ones first', () => {
  const store = new MonitorStore();
  store.applyAll([ev.added('c1'), ev.state('c1', 'connected'), ev.workflow({ id: 'old', status: 'completed', done: 1, total: 1 }), ev.workflow({ id: 'a', done: 0, total: 3 })]);
  const tree = new WorkflowsTree(store);
  render(tree);
  assert.deepEqual(affected(tree, store.apply(ev.workflow({ id: 'a', done: 1, total: 3, updatedAt: T0 + 1 }))), ['workflow:c1:a']);
  assert.deepEqual(affected(tree, store.apply(ev.workflow({ id: 'b', done: 0, total: 2, updatedAt: T0 + 2 }))), ['conn:c1']);
  render(tree);
  const [conn] = tree.getChildren();
  assert.deepEqual(tree.getChildren(conn).map((n) => n.id), ['workflow:c1:b', 'workflow:c1:a', 'workflow:c1:old'], 'active first, newest first');
  assert.deepEqual(affected(tree, store.apply(ev.workflow({ id: 'a', done: 3, total: 3, status: 'completed', updatedAt: T0 + 3 }))), ['conn:c1'], 'finished: it moves down');
  render(tree);
  assert.deepEqual(tree.getChildren(conn).map((n) => n.id), ['workflow:c1:b', 'workflow:c1:a', 'workflow:c1:old']);
  tree.dispose();
});
