// The `taskscope watch` screen: table layout (alignment, truncation) and what the screen shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTable, renderWatchTable } from '../../../src/cli/watch-table';
import { MonitorStore } from '../../../src/core/store/monitor-store';
import { ev, T0 } from '../../fixtures/builders';

describe('formatTable', () => {
  test('pads columns to the widest cell; left-aligned text, right-aligned numbers, two spaces between', () => {
    const lines = formatTable(['queue', 'waiting', 'failed'], [['emails', '12', '3'], ['a', '1000', '-']], new Set([0]), 120);
    assert.deepEqual(lines, [
      'queue   waiting  failed',
      'emails       12       3',
      'a          1000       -',
    ]);
  });

  test('a cell wider than its header widens the column', () => {
    assert.deepEqual(formatTable(['q', 'n'], [['a-long-name', '7']], new Set([0]), 120), ['q            n', 'a-long-name  7']);
  });

  test('a short row prints only the cells it has, still padded to the column widths', () => {
    assert.deepEqual(formatTable(['a', 'bb', 'c'], [['x', 'y']], new Set([0, 1]), 80), ['a  bb  c', 'x  y ']);
  });

  test('lines are cut to the terminal width', () => {
    const lines = formatTable(['connection', 'queue', 'waiting'], [['production-eu-west', 'emails', '5']], new Set([0, 1]), 24);
    assert.deepEqual(lines, ['connection          queu', 'production-eu-west  emai']);
    for (const l of lines) assert.equal(l.length, 24);
  });

  test('never cuts below 20 columns, however narrow the terminal claims to be', () => {
    const [header] = formatTable(['a-rather-long-header', 'another-one'], [], new Set([0, 1]), 5);
    assert.equal(header, 'a-rather-long-header');
  });

  test('headers only when there are no rows', () => {
    assert.deepEqual(formatTable(['a', 'bb'], [], new Set([0]), 80), ['a  bb']);
  });
});

describe('renderWatchTable', () => {
  function store(): MonitorStore {
    const s = new MonitorStore();
    s.applyAll([
      ev.added('prod', { name: 'Production', readOnly: true }), ev.added('dev', { name: 'Dev', kind: 'websocket', system: 'nexus' }),
      ev.added('edge', { name: 'Edge' }),
      ev.state('prod', 'connected'), ev.state('dev', 'reconnecting', { error: 'ECONNREFUSED', retryInMs: 2_500, attempt: 3 }),
      ev.state('edge', 'disconnected', { error: 'NOAUTH Authentication required' }),
      ev.queue({ connectionId: 'prod', name: 'emails', counts: { waiting: 12, active: 3, failed: 5, 'waiting-children': 1, custom: 9 } }),
      ev.queue({ connectionId: 'prod', name: 'reports', counts: { waiting: 0 }, paused: true }),
      ev.worker({ connectionId: 'prod', id: 'w1', status: 'busy', queue: 'emails', lastSeen: T0 - 4_000 }),
      ev.worker({ connectionId: 'prod', id: 'w0', status: 'idle' }),
    ]);
    return s;
  }

  const render = (s: MonitorStore, width = 200) => renderWatchTable(s, { now: T0, width, color: false });

  test('without color there are no escape codes', () => {
    assert.equal(render(store()).includes('\x1b'), false);
  });

  test('starts with a title naming the time and how to quit', () => {
    assert.equal(render(store()).split('\n')[0], 'Taskscope watch — 2025-01-15T09:30:00.000Z   (q or Ctrl+C to quit)');
  });

  test('one line per connection with its state, retry countdown, error and read-only marker', () => {
    const lines = render(store()).split('\n');
    assert.ok(lines.includes('● Production (bullmq/redis) connected [read-only]'), lines.join('\n'));
    assert.ok(lines.includes('● Dev (nexus/websocket) reconnecting retry in 3s — ECONNREFUSED'), lines.join('\n'));
    assert.ok(lines.includes('● Edge (bullmq/redis) disconnected — NOAUTH Authentication required'), lines.join('\n'));
  });

  test('one row per queue with counts under the state columns ("-" when a state is absent)', () => {
    const lines = render(store()).split('\n');
    const header = lines.find((l) => l.startsWith('connection  queue'));
    assert.equal(header, 'connection  queue      waiting  active  delayed  prio  wait-child  paused  completed  failed');
    assert.ok(lines.includes('prod        emails          12       3        -     -           1       -          -       5'), lines.join('\n'));
    assert.ok(lines.includes('prod        reports ⏸        0       -        -     -           -       -          -       -'), lines.join('\n'));
  });

  test('workers are listed with status, queue and how long ago they were seen', () => {
    const lines = render(store()).split('\n');
    const i = lines.findIndex((l) => l.startsWith('connection  worker'));
    assert.deepEqual(lines.slice(i), [
      'connection  worker  status  queue     seen',
      'prod        w0      idle                  ',
      'prod        w1      busy    emails  4s ago',
    ]);
  });

  test('says so when there are no queues or workers yet', () => {
    const s = new MonitorStore();
    s.applyAll([ev.added('c1'), ev.state('c1', 'connecting')]);
    const lines = render(s).split('\n');
    assert.ok(lines.includes('● c1 (bullmq/redis) connecting'));
    assert.ok(lines.includes('No queues found yet.'));
    assert.ok(lines.includes('No workers seen.'));
  });

  test('with color, states and headers are painted', () => {
    const out = renderWatchTable(store(), { now: T0, width: 200, color: true });
    assert.ok(out.includes('\x1b[32mconnected\x1b[0m'));
    assert.ok(out.includes('\x1b[31mreconnecting\x1b[0m'));
    assert.ok(out.startsWith('\x1b[1mTaskscope watch'));
  });

  test('table lines respect the terminal width', () => {
    const lines = render(store(), 40).split('\n');
    const tableLines = lines.filter((l) => l.startsWith('connection') || l.startsWith('prod '));
    assert.ok(tableLines.length >= 4);
    for (const l of tableLines) assert.ok(l.length <= 40, `${JSON.stringify(l)} longer than 40`);
  });
});
