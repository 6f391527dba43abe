// VisiblePolling (src/sources/visible-polling.ts): the Redis sources poll only while visible and connected, never
// two polls at once, read at once when a view becomes visible, and keep polling after a failed poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VisiblePolling } from '../../../src/sources/visible-polling';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function harness(pollMs = 0, failFirst = false) {
  const calls = { polls: 0, reads: 0, running: 0, maxRunning: 0, warnings: [] as string[] };
  let connected = true;
  const polling = new VisiblePolling({
    intervalMs: 10,
    poll: async () => {
      calls.polls++;
      calls.running++;
      calls.maxRunning = Math.max(calls.maxRunning, calls.running);
      await sleep(pollMs);
      calls.running--;
      if (failFirst && calls.polls === 1) throw new Error('boom');
    },
    readNow: async () => { calls.reads++; },
    connected: () => connected,
    warn: (what, e) => calls.warnings.push(`${what}: ${(e as Error).message}`),
  });
  return { polling, calls, disconnect: () => { connected = false; } };
}

test('hidden: no polls; visible: one read at once, then polls at the interval; hidden again: none', async () => {
  const { polling, calls } = harness();
  polling.start();
  await sleep(60);
  assert.deepEqual([calls.polls, calls.reads], [0, 0], 'nothing while hidden');
  polling.setVisible(true);
  polling.setVisible(true); // already visible: no second read
  await sleep(80);
  assert.equal(calls.reads, 1);
  assert.ok(calls.polls >= 3, `polled ${calls.polls} times in 80 ms at 10 ms`);
  polling.setVisible(false);
  const after = calls.polls;
  await sleep(60);
  assert.equal(calls.polls, after, 'no poll once hidden');
});

test('a slow poll is never overlapped by the next; a failed poll is reported and polling goes on', async () => {
  const { polling, calls } = harness(30, true);
  polling.setVisible(true);
  await sleep(200);
  polling.stop();
  assert.equal(calls.maxRunning, 1);
  assert.ok(calls.polls >= 3, `polled ${calls.polls} times`);
  assert.deepEqual(calls.warnings, ['poll: boom']);
});

test('disconnected: becoming visible reads nothing and schedules nothing', async () => {
  const { polling, calls, disconnect } = harness();
  disconnect();
  polling.setVisible(true);
  await sleep(50);
  assert.deepEqual([calls.polls, calls.reads], [0, 0]);
});
