// The Overview webview in headless Chromium: handshake, snapshot and deltas, sequence gaps, commands, keyboard,
// persisted UI state, XSS payloads under the extension's CSP, 2 000 queues, and dark/light screenshots.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ConnectionState, MonitorEvent, Queue, SystemId, ConnectionKind } from '../../src/core/model';
import { queueKey } from '../../src/core/model/keys';
import { MutableChangeSet } from '../../src/core/store/change-set';
import { MonitorStore } from '../../src/core/store/monitor-store';
import { buildOverviewDelta, buildOverviewSnapshot, type OverviewSnapshot, type QueueSummary } from '../../src/core/views/overview-view';
import type { OutboundMessage } from '../../src/protocol/ipc';
import { DidChangeNotification, DidSnapshotNotification, ReconnectCommand, RevealQueueCommand, type OverviewDelta } from '../../src/protocol/overview';
import { openWebview, strictCsp, type OpenWebviewOptions, type WebviewHandle } from '../helpers/webview-harness';

// ---- fixtures: built through the real store and view-model, so the page sees what the host would send ----

const T0 = Date.UTC(2025, 0, 15, 9, 30);
const BULLMQ_STATES = ['active', 'completed', 'delayed', 'failed', 'paused', 'prioritized', 'waiting', 'waiting-children'] as const;
type Counts = Partial<Record<(typeof BULLMQ_STATES)[number], number>>;

/** BullMQ's `getJobCounts()` always reports every state, zeros included. */
function bullCounts(counts: Counts): Record<string, number> {
  return Object.fromEntries(BULLMQ_STATES.map((s) => [s, counts[s] ?? 0]));
}

interface ConnSpec {
  readonly id: string;
  readonly name?: string;
  readonly kind?: ConnectionKind;
  readonly system?: SystemId;
  readonly readOnly?: boolean;
  readonly state?: ConnectionState;
  readonly error?: string;
  readonly retryInMs?: number;
  readonly attempt?: number;
  readonly rejected?: number;
  readonly workers?: number;
}

/** Builds state through the real store; snapshots and deltas come from the same builders the host uses. */
class Fixture {
  readonly store = new MonitorStore();
  /** Changes since the last delta, merged like the host's coalescer does. */
  private pending = new MutableChangeSet();

  apply(...events: MonitorEvent[]): this {
    this.pending.merge(this.store.applyAll(events));
    return this;
  }

  connection(c: ConnSpec): this {
    const ev: MonitorEvent[] = [
      { type: 'connection.added', connectionId: c.id, name: c.name ?? c.id, kind: c.kind ?? 'redis', system: c.system ?? 'bullmq', readOnly: c.readOnly ?? false, at: T0 },
      { type: 'connection.state', connectionId: c.id, state: c.state ?? 'connected', error: c.error, retryInMs: c.retryInMs, attempt: c.attempt, at: T0 },
    ];
    for (let i = 0; i < (c.rejected ?? 0); i++) ev.push({ type: 'connection.rejected', connectionId: c.id, reason: 'schema', at: T0 });
    for (let i = 0; i < (c.workers ?? 0); i++) {
      ev.push({ type: 'worker.upsert', worker: { connectionId: c.id, system: c.system ?? 'bullmq', id: `w${i}`, status: 'online', updatedAt: T0 } });
    }
    return this.apply(...ev);
  }

  queue(connectionId: string, name: string, counts: Counts, extra: Partial<Queue> = {}): this {
    return this.apply({ type: 'queue.upsert', queue: { connectionId, system: 'bullmq', name, counts: bullCounts(counts), version: 'bullmq:5.81.5', updatedAt: T0, ...extra } });
  }

  snapshot(overrides: Partial<OverviewSnapshot> = {}): OverviewSnapshot {
    this.pending = new MutableChangeSet();
    return { ...buildOverviewSnapshot(this.store, T0), ...overrides };
  }

  /** What the host would send for everything applied since the last snapshot or delta. */
  delta(): OverviewDelta {
    const delta = buildOverviewDelta(this.store, this.pending, T0 + 1_000) ?? this.emptyDelta();
    this.pending = new MutableChangeSet();
    return delta;
  }

  /** A delta with nothing but totals, as a change the Overview ignores would not produce one at all. */
  emptyDelta(): OverviewDelta {
    const snap = buildOverviewSnapshot(this.store, T0 + 1_000);
    return { totals: snap.totals, retention: snap.retention, generatedAt: snap.generatedAt };
  }
}

const snapshotMsg = (params: OverviewSnapshot, seq: number): OutboundMessage => ({ method: DidSnapshotNotification.method, params, seq });
const deltaMsg = (params: OverviewDelta, seq: number): OutboundMessage => ({ method: DidChangeNotification.method, params, seq });

function basicFixture(): Fixture {
  return new Fixture()
    .connection({ id: 'prod', name: 'Production', readOnly: true, workers: 3 })
    .connection({ id: 'staging', name: 'Staging', state: 'reconnecting', error: 'connect ECONNREFUSED 10.0.4.12:6379', retryInMs: 5_000, attempt: 3, rejected: 2 })
    .queue('prod', 'emails', { waiting: 12, active: 3, completed: 1_200, failed: 4, delayed: 2 })
    .queue('prod', 'webhooks', { waiting: 1, active: 1, completed: 90 })
    .queue('prod', 'image-resize', { waiting: 40, paused: 40 }, { paused: true })
    .queue('staging', 'reports', { failed: 7, completed: 5 });
}

// ---- page helpers ---------------------------------------------------------------------------------------------

const open: WebviewHandle[] = [];
after(async () => { await Promise.all(open.map((h) => h.close())); });

async function openOverview(options?: OpenWebviewOptions): Promise<WebviewHandle> {
  const h = await openWebview('overview', options);
  open.push(h);
  await h.waitForPosted('ready');
  return h;
}

async function text(h: WebviewHandle, selector: string): Promise<string> {
  return ((await h.page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function texts(h: WebviewHandle, selector: string): Promise<string[]> {
  return (await h.page.locator(selector).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
}

const rowSel = (key: string): string => `taskscope-queue-table .body [role="row"][data-key="${key.replace(/"/g, '\\"')}"]`;

async function count(h: WebviewHandle, key: string, state: string): Promise<string> {
  return text(h, `${rowSel(key)} [data-state="${state}"]`);
}

async function assertClean(h: WebviewHandle): Promise<void> {
  assert.deepEqual(await h.cspViolations(), [], 'no CSP violations');
  assert.deepEqual(h.errors(), [], 'no page errors');
}

// ---- tests ----------------------------------------------------------------------------------------------------

describe('Overview webview', () => {
  test('sends ready once mounted and shows "waiting for data" until the snapshot', async () => {
    const h = await openOverview();
    assert.deepEqual(await h.posted(), [{ method: 'ready', params: {} }]);
    assert.match(await text(h, '.placeholder'), /Waiting for data/);
    await assertClean(h);
  });

  test('renders the snapshot: cards, connection health, queue table', async () => {
    const h = await openOverview();
    await h.post(snapshotMsg(basicFixture().snapshot(), 1));

    // Summary cards
    assert.equal(await text(h, '.card.health-card .value'), '1 / 2');
    assert.match(await text(h, '.card.health-card .detail'), /1 retrying/);
    assert.deepEqual(await texts(h, '.card[aria-label^="Queues"] .value'), ['4']);
    assert.match(await text(h, '.card[aria-label^="Queues"] .detail'), /1 paused/);
    assert.equal(await text(h, '.card[aria-label^="Workers online"] .value'), '3');
    assert.deepEqual(await texts(h, '.state-card .label'), ['Waiting', 'Active', 'Delayed', 'Completed', 'Failed']);
    assert.deepEqual(await texts(h, '.other-states li[data-state]'), ['Paused 40'], 'other non-zero states share one line');
    assert.equal(await text(h, '.state-card[data-state="waiting"] .value'), '53');
    assert.equal(await text(h, '.state-card[data-state="completed"] .value'), '1,295');
    assert.equal(await text(h, '.state-card[data-state="failed"] .value'), '11');

    // Connection health
    assert.deepEqual(await texts(h, '.conn .conn-name'), ['Production', 'Staging']);
    const prod = '.conn[data-connection="prod"]';
    const staging = '.conn[data-connection="staging"]';
    assert.equal(await h.page.locator(prod).getAttribute('class').then((c) => c?.includes('health-connected')), true);
    assert.equal(await text(h, `${prod} .state-text`), 'Connected');
    assert.equal(await text(h, `${prod} .conn-meta`), 'bullmq · redis');
    assert.equal(await text(h, `${prod} .read-only`), 'read-only');
    assert.match(await text(h, `${prod} .conn-stats`), /3 queues · 3 workers online/);
    assert.equal(await h.page.locator(`${prod} .conn-error`).count(), 0);
    assert.equal(await text(h, `${staging} .state-text`), 'Reconnecting');
    // Counting down from 5 s since the snapshot arrived (a loaded machine takes a second over the checks above; the
    // countdown itself has its own test below).
    assert.match(await text(h, `${staging} .retry`), /^retrying in [1-5]s · attempt 3$/);
    assert.equal(await text(h, `${staging} .conn-error`), 'connect ECONNREFUSED 10.0.4.12:6379');
    assert.equal(await text(h, `${staging} .rejected`), '2 rejected frames');
    assert.equal(await h.page.locator(`${staging} .read-only`).count(), 0);

    // Queue table: columns in reading order, one row per queue, counts and paused badge
    assert.deepEqual(await texts(h, 'taskscope-queue-table .header [role="columnheader"] .label'),
      ['Connection', 'Queue', 'Version', 'Waiting', 'Active', 'Delayed', 'Prioritized', 'Waiting children', 'Paused', 'Completed', 'Failed']);
    assert.deepEqual(await texts(h, 'taskscope-queue-table .body [role="row"] .qname'), ['emails', 'image-resize', 'webhooks', 'reports']);
    const emails = queueKey('prod', 'emails');
    assert.equal(await count(h, emails, 'waiting'), '12');
    assert.equal(await count(h, emails, 'completed'), '1,200');
    assert.equal(await count(h, emails, 'failed'), '4');
    assert.equal(await text(h, `${rowSel(emails)} [role="cell"]:first-child`), 'Production');
    assert.equal(await text(h, `${rowSel(emails)} .version`), '5.81.5');
    assert.equal(await h.page.locator(`${rowSel(emails)} .version`).getAttribute('title'), 'bullmq:5.81.5');
    assert.equal(await h.page.locator(`${rowSel(queueKey('prod', 'image-resize'))} .paused`).count(), 1);
    assert.equal(await h.page.locator(`${rowSel(emails)} .paused`).count(), 0);
    assert.match(await text(h, 'taskscope-queue-table .shown'), /^4 queues$/);
    assert.equal(await h.page.locator('.retention').count(), 0, 'no retention notice when nothing was dropped');
    await assertClean(h);
  });

  test('the retry countdown ticks between deltas', async () => {
    const h = await openOverview();
    await h.post(snapshotMsg(basicFixture().snapshot(), 1));
    assert.equal(await text(h, '.conn[data-connection="staging"] .retry'), 'retrying in 5s · attempt 3');
    await new Promise((r) => setTimeout(r, 1_300));
    await h.settle();
    assert.equal(await text(h, '.conn[data-connection="staging"] .retry'), 'retrying in 4s · attempt 3');
  });

  test('applies deltas by key: upserts, removals, totals and connection state', async () => {
    const h = await openOverview();
    const f = basicFixture();
    await h.post(snapshotMsg(f.snapshot(), 1));

    f.queue('prod', 'emails', { waiting: 0, active: 5, completed: 1_215, failed: 4, delayed: 2 })
      .queue('prod', 'webhooks', { waiting: 1, active: 1, completed: 90 }, { paused: true })
      .queue('staging', 'exports', { waiting: 9 })
      .apply({ type: 'queue.removed', connectionId: 'staging', name: 'reports', at: T0 },
        { type: 'connection.state', connectionId: 'staging', state: 'connected', at: T0 });
    const delta = f.delta();
    assert.deepEqual(delta.removedQueues, [queueKey('staging', 'reports')]);
    await h.post(deltaMsg(delta, 2));

    assert.equal(await count(h, queueKey('prod', 'emails'), 'waiting'), '0');
    assert.equal(await count(h, queueKey('prod', 'emails'), 'active'), '5');
    assert.equal(await h.page.locator(`${rowSel(queueKey('prod', 'webhooks'))} .paused`).count(), 1);
    assert.equal(await h.page.locator(rowSel(queueKey('staging', 'reports'))).count(), 0);
    assert.equal(await count(h, queueKey('staging', 'exports'), 'waiting'), '9');
    assert.deepEqual(await texts(h, 'taskscope-queue-table .body [role="row"] .qname'), ['emails', 'image-resize', 'webhooks', 'exports']);
    assert.equal(await text(h, '.state-card[data-state="failed"] .value'), '4');
    assert.equal(await text(h, '.card.health-card .value'), '2 / 2');
    assert.equal(await text(h, '.conn[data-connection="staging"] .state-text'), 'Connected');
    assert.equal(await h.page.locator('.conn[data-connection="staging"] .conn-error').count(), 0, 'error cleared once connected');

    // Removing a connection removes its row.
    f.apply({ type: 'connection.removed', connectionId: 'staging', at: T0 });
    await h.post(deltaMsg(f.delta(), 3));
    assert.deepEqual(await texts(h, '.conn .conn-name'), ['Production']);
    assert.equal(await h.page.locator(rowSel(queueKey('staging', 'exports'))).count(), 0);
    await assertClean(h);
  });

  test('a sequence gap drops the delta and re-sends ready with lastSeq; a new snapshot resumes', async () => {
    const h = await openOverview();
    const f = basicFixture();
    await h.post(deltaMsg(f.emptyDelta(), 1)); // before any snapshot: no base, ignored
    assert.equal(await h.page.locator('.placeholder').count(), 1);
    await h.post(snapshotMsg(f.snapshot(), 1));
    f.queue('prod', 'emails', { waiting: 20 });
    await h.post(deltaMsg(f.delta(), 2));
    assert.equal(await count(h, queueKey('prod', 'emails'), 'waiting'), '20');
    await h.clearPosted();

    f.queue('prod', 'emails', { waiting: 99 });
    await h.post(deltaMsg(f.delta(), 4)); // 3 was lost
    assert.deepEqual(await h.posted(), [{ method: 'ready', params: { lastSeq: 2 } }]);
    assert.equal(await count(h, queueKey('prod', 'emails'), 'waiting'), '20', 'out-of-sequence delta not applied');
    await h.post(deltaMsg(f.delta(), 5));
    assert.equal(await count(h, queueKey('prod', 'emails'), 'waiting'), '20', 'deltas wait for the snapshot');
    assert.equal((await h.posted()).length, 1, 'one resync request per gap');

    await h.post(snapshotMsg(f.snapshot(), 10));
    assert.equal(await count(h, queueKey('prod', 'emails'), 'waiting'), '99');
    f.queue('prod', 'emails', { waiting: 100 });
    await h.post(deltaMsg(f.delta(), 11));
    assert.equal(await count(h, queueKey('prod', 'emails'), 'waiting'), '100');
    assert.equal((await h.posted()).length, 1);
    await assertClean(h);
  });

  test('Reconnect posts ReconnectCommand for that connection (mouse and keyboard)', async () => {
    const h = await openOverview();
    await h.post(snapshotMsg(basicFixture().snapshot(), 1));
    await h.clearPosted();
    await h.page.locator('.conn[data-connection="staging"] vscode-button').click();
    await h.page.locator('.conn[data-connection="prod"] vscode-button').focus();
    await h.page.keyboard.press('Enter');
    assert.deepEqual(await h.posted(), [
      { method: ReconnectCommand.method, params: { connectionId: 'staging' } },
      { method: ReconnectCommand.method, params: { connectionId: 'prod' } },
    ]);
    assert.equal(await h.page.locator('.conn[data-connection="prod"] vscode-button').getAttribute('aria-label'), 'Reconnect Production');
  });

  test('queue rows: click and Enter reveal the queue; arrows, Home and End move the focus', async () => {
    const h = await openOverview();
    await h.post(snapshotMsg(basicFixture().snapshot(), 1));
    await h.clearPosted();
    const [emails, resize, webhooks, reports] = [queueKey('prod', 'emails'), queueKey('prod', 'image-resize'), queueKey('prod', 'webhooks'), queueKey('staging', 'reports')];

    await h.page.locator(rowSel(webhooks)).click();
    assert.deepEqual(await h.posted(), [{ method: RevealQueueCommand.method, params: { key: webhooks } }]);

    // Tab from the last column header lands on the row that holds the roving tab stop (the one clicked last).
    await h.page.locator('taskscope-queue-table [role="columnheader"]:last-child button').focus();
    await h.page.keyboard.press('Tab');
    const focusedKey = async (): Promise<string | undefined> => (await h.focusedDataset())?.key;
    assert.equal(await focusedKey(), webhooks);
    assert.equal(await h.page.locator(`${rowSel(webhooks)}`).getAttribute('tabindex'), '0');
    assert.equal(await h.page.locator(`${rowSel(emails)}`).getAttribute('tabindex'), '-1');

    await h.clearPosted();
    await h.page.keyboard.press('ArrowUp');
    assert.equal(await focusedKey(), resize);
    await h.page.keyboard.press('Enter');
    await h.page.keyboard.press('End');
    assert.equal(await focusedKey(), reports);
    await h.page.keyboard.press(' ');
    await h.page.keyboard.press('Home');
    assert.equal(await focusedKey(), emails);
    await h.page.keyboard.press('Enter');
    assert.deepEqual((await h.posted()).map((m) => m.params), [{ key: resize }, { key: reports }, { key: emails }]);
    assert.ok((await h.posted()).every((m) => m.method === RevealQueueCommand.method));

    const label = await h.page.locator(rowSel(resize)).getAttribute('aria-label');
    assert.match(label ?? '', /^Queue image-resize on Production, paused: waiting 40, active 0/);
    await assertClean(h);
  });

  test('filter and sort are UI state: applied, saved with setState, restored after a reload', async () => {
    const h = await openOverview();
    await h.post(snapshotMsg(basicFixture().snapshot(), 1));

    await h.page.locator('taskscope-queue-table vscode-textfield input').fill('E');
    await h.settle();
    // "E" matches every queue name containing an e, and every queue of a connection whose name contains one.
    assert.deepEqual(await texts(h, 'taskscope-queue-table .body [role="row"] .qname'), ['emails', 'image-resize', 'webhooks', 'reports']);
    await h.page.locator('taskscope-queue-table vscode-textfield input').fill('hook');
    await h.settle();
    assert.deepEqual(await texts(h, 'taskscope-queue-table .body [role="row"] .qname'), ['webhooks']);
    assert.equal(await text(h, 'taskscope-queue-table .shown'), '1 of 4 queues');
    await h.page.locator('taskscope-queue-table vscode-textfield input').fill('');
    await h.settle();

    await h.page.locator('taskscope-queue-table [role="columnheader"]:has-text("Failed") button').click();
    await h.settle();
    assert.deepEqual(await texts(h, 'taskscope-queue-table .body [role="row"] .qname'), ['reports', 'emails', 'image-resize', 'webhooks']);
    assert.equal(await h.page.locator('taskscope-queue-table [role="columnheader"]:has-text("Failed")').getAttribute('aria-sort'), 'descending');
    await h.page.locator('taskscope-queue-table vscode-textfield input').fill('e');
    await h.settle();
    const saved = await h.state();
    assert.deepEqual(saved, { filter: 'e', sort: { key: 'state:failed', dir: 'desc' }, eventFilter: { types: [], project: '', task: '', source: '' } });
    assert.ok(!JSON.stringify(saved).includes('emails'), 'no source data in UI state');

    const reloaded = await openOverview({ initialState: saved });
    await reloaded.post(snapshotMsg(basicFixture().snapshot(), 1));
    assert.equal(await reloaded.page.locator('taskscope-queue-table vscode-textfield input').inputValue(), 'e');
    assert.deepEqual(await texts(reloaded, 'taskscope-queue-table .body [role="row"] .qname'), ['reports', 'emails', 'image-resize', 'webhooks']);
    await assertClean(h);
  });

  test('no connections: an "Add a connection" empty state', async () => {
    const h = await openOverview();
    await h.post(snapshotMsg(new Fixture().snapshot(), 1));
    const empty = await text(h, '.empty-state');
    assert.match(empty, /No connections yet/);
    assert.match(empty, /Taskscope: Add Connection/);
    assert.equal(await h.page.locator('taskscope-queue-table').count(), 0);
    await assertClean(h);
  });

  test('a retention notice appears when anything was dropped', async () => {
    const h = await openOverview();
    const f = basicFixture();
    await h.post(snapshotMsg(f.snapshot({ retention: { tasksEvicted: 1_500, logsOverwritten: 0, eventsOverwritten: 20, seriesRefused: 1 } }), 1));
    const notice = await text(h, '.retention');
    assert.match(notice, /Retention limits reached/);
    assert.match(notice, /1,500 tasks evicted · 20 events overwritten · 1 metric series refused/);
    assert.doesNotMatch(notice, /log line/);
    await h.post(deltaMsg({ ...f.emptyDelta(), retention: { tasksEvicted: 0, logsOverwritten: 0, eventsOverwritten: 0, seriesRefused: 0 } }, 2));
    assert.equal(await h.page.locator('.retention').count(), 0);
  });

  test('the retention notice counts per-task metric series evicted for newer tasks, with their budget', async () => {
    const h = await openOverview();
    const f = basicFixture();
    await h.post(snapshotMsg(f.snapshot({ retention: { tasksEvicted: 0, logsOverwritten: 0, eventsOverwritten: 0, seriesRefused: 0, taskSeriesEvicted: 4_200, taskSeriesBudget: 1_000 } }), 1));
    assert.match(await text(h, '.retention'), /4,200 per-task metric series of older tasks evicted \(budget 1,000; the newest tasks keep their charts\)/);
  });

  const XSS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=1</script>', 'javascript:window.__xss=1', '"><svg onload=window.__xss=1>'];

  for (const [label, csp] of [['the extension CSP', undefined], ["a CSP without 'unsafe-inline' styles", strictCsp]] as const) {
    test(`XSS payloads in names, errors and versions render as literal text, under ${label}`, async () => {
      const h = await openOverview({ csp });
      const f = new Fixture();
      XSS.forEach((payload, i) => {
        f.connection({ id: `c${i}`, name: payload, state: 'disconnected', error: payload, rejected: 1 });
        f.queue(`c${i}`, payload, { waiting: i, failed: 1 }, { version: payload, paused: true });
      });
      await h.post(snapshotMsg(f.snapshot(), 1));
      await h.page.locator('taskscope-queue-table vscode-textfield input').fill(XSS[0]!);
      await h.settle();
      await h.page.locator('taskscope-queue-table vscode-textfield input').fill('');
      await h.settle();
      await new Promise((r) => setTimeout(r, 150)); // give any injected image time to fail and fire onerror

      assert.deepEqual(await texts(h, '.conn .conn-name'), XSS);
      assert.deepEqual(await texts(h, '.conn .conn-error'), XSS);
      assert.deepEqual((await texts(h, 'taskscope-queue-table .body [role="row"] .qname')).sort(), [...XSS].sort());
      assert.deepEqual((await texts(h, 'taskscope-queue-table .body [role="row"] .version')).sort(), [...XSS].sort());
      const injected = { found: await h.injectedMarkup(), xss: await h.global('__xss') };
      assert.deepEqual(injected.found, [], 'no elements or handler attributes created from data');
      assert.equal(injected.xss, undefined, 'no payload executed');
      await assertClean(h);
    });
  }

  test('the harness does see CSP violations (so "zero violations" above means something)', async () => {
    const h = await openOverview({ csp: strictCsp });
    // Markup the app never produces: an inline handler (blocked by script-src) and an inline style attribute
    // (blocked by style-src without 'unsafe-inline').
    await h.evaluate(`(() => {
      const probe = document.createElement('div');
      probe.innerHTML = '<img src="/missing.png" onerror="window.__xss=1"><span style="color:red">x</span>';
      document.body.append(probe);
    })()`);
    await h.page.waitForFunction('window.__cspViolations.length >= 2');
    const directives = (await h.cspViolations()).map((v) => v.directive).sort();
    assert.deepEqual(directives, ['script-src-attr', 'style-src-attr']);
    assert.equal(await h.global('__xss'), undefined);
  });

  test('2 000 queues render quickly and stay virtualized; filter, End and scrolling reach any row', async () => {
    const h = await openOverview();
    const f = new Fixture();
    for (let c = 0; c < 4; c++) f.connection({ id: `redis-${c}`, name: `Cluster ${c}`, workers: 5 });
    for (let i = 0; i < 2_000; i++) {
      f.queue(`redis-${i % 4}`, `queue-${String(i).padStart(4, '0')}`, { waiting: i % 97, active: i % 5, completed: i * 3, failed: i % 13 === 0 ? i : 0 }, { paused: i % 50 === 0 });
    }
    const snap = f.snapshot();
    const elapsed = await h.postTimed(snapshotMsg(snap, 1));
    const rendered = await h.page.locator('taskscope-queue-table .body [role="row"]').count();
    assert.ok(rendered > 0 && rendered < 150, `virtualized: ${rendered} rows in the DOM`);
    // Budget in page time; typically ~50–150 ms. Generous so a busy CI machine doesn't make it flaky.
    assert.ok(elapsed < 750, `snapshot with 2 000 queues rendered in ${Math.round(elapsed)} ms`);
    assert.equal(await text(h, 'taskscope-queue-table .shown'), '2,000 queues');
    assert.equal(await h.page.locator('taskscope-queue-table [role="table"]').getAttribute('aria-rowcount'), '2001');

    // A delta touching 200 queues applies quickly too.
    for (let i = 0; i < 200; i++) f.queue(`redis-${i % 4}`, `queue-${String(i).padStart(4, '0')}`, { waiting: 1_000 + i });
    const delta = f.delta();
    assert.equal(delta.queues?.length, 200);
    const deltaMs = await h.postTimed(deltaMsg(delta, 2));
    assert.ok(deltaMs < 250, `delta of 200 queues applied in ${Math.round(deltaMs)} ms`);
    assert.equal(await count(h, queueKey('redis-0', 'queue-0000'), 'waiting'), '1,000');

    // Keyboard End reaches the last row even though it is not in the DOM yet.
    await h.page.locator('taskscope-queue-table .body [role="row"]').first().focus();
    await h.page.keyboard.press('End');
    await h.settle();
    const last = [...snap.queues].sort((a, b) => a.connectionId.localeCompare(b.connectionId) || a.name.localeCompare(b.name, undefined, { numeric: true })).at(-1) as QueueSummary;
    await h.page.locator(rowSel(last.key)).waitFor();
    await h.page.keyboard.press('Enter');
    await h.waitForPosted(RevealQueueCommand.method, (p) => (p as { key: string }).key === last.key);

    await h.page.locator('taskscope-queue-table vscode-textfield input').fill('queue-1999');
    await h.settle();
    assert.deepEqual(await texts(h, 'taskscope-queue-table .body [role="row"] .qname'), ['queue-1999']);
    await assertClean(h);
  });

  test('screenshots in dark and light themes', async () => {
    const f = new Fixture()
      .connection({ id: 'prod', name: 'Production', readOnly: true, workers: 14 })
      .connection({ id: 'staging', name: 'Staging', state: 'reconnecting', error: 'connect ECONNREFUSED 10.0.4.12:6379', retryInMs: 8_000, attempt: 4 })
      .connection({ id: 'edge', name: 'Edge devices', kind: 'mqtt', system: 'propeller', rejected: 3, workers: 6 })
      .connection({ id: 'agents', name: 'Agents', kind: 'websocket', system: 'nexus', state: 'disconnected', error: 'WebSocket closed: 1006 abnormal closure' })
      .queue('prod', 'emails', { waiting: 128, active: 8, completed: 48_210, failed: 12, delayed: 4 })
      .queue('prod', 'webhooks', { waiting: 3, active: 2, completed: 9_144, failed: 1 })
      .queue('prod', 'image-resize', { waiting: 412, paused: 412 }, { paused: true })
      .queue('prod', 'billing', { active: 1, completed: 2_003, delayed: 36, prioritized: 5 })
      .queue('prod', 'search-index', { waiting: 17, active: 4, completed: 120_554, 'waiting-children': 9 })
      .queue('prod', 'video-transcode', { waiting: 6, active: 2, completed: 801, failed: 23 })
      .queue('staging', 'reports', { waiting: 2, completed: 77, failed: 3 }, { version: 'bullmq:6.7.0' })
      .queue('staging', 'notifications', { completed: 3_410 }, { version: 'bullmq:6.7.0' });
    const snap = f.snapshot({ retention: { tasksEvicted: 2_500, logsOverwritten: 100_000, eventsOverwritten: 0, seriesRefused: 0 } });

    const h = await openOverview({ theme: 'dark', viewport: { width: 1280, height: 900 } });
    await h.post(snapshotMsg(snap, 1));
    await h.page.locator(rowSel(queueKey('prod', 'emails'))).hover();
    const dark = await h.screenshot('overview-dark', { fullPage: true });
    await h.setTheme('light');
    const light = await h.screenshot('overview-light', { fullPage: true });
    assert.ok(dark.endsWith('overview-dark.png') && light.endsWith('overview-light.png'));
    // The theme switch is live: the page background follows --vscode-editor-background.
    assert.equal(await h.evaluate('getComputedStyle(document.documentElement).backgroundColor'), 'rgb(255, 255, 255)');
    await assertClean(h);
  });
});
