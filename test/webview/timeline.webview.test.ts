// The Timeline webview in headless Chromium: handshake and snapshot through the real store and view builder,
// lanes and legend, click / keyboard opening a task, zoom and pan with wheel, drag and keys, the brush,
// follow-live, UI state saved and restored, a host reveal, 100k spans, XSS payloads, and screenshots.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { MonitorEvent, Task } from '../../src/core/model';
import { MutableChangeSet } from '../../src/core/store/change-set';
import { MonitorStore } from '../../src/core/store/monitor-store';
import { buildTimelineDelta, buildTimelineSnapshot } from '../../src/core/views/timeline-view';
import type { OutboundMessage } from '../../src/protocol/ipc';
import {
  TimelineClearScopeCommand, TimelineDidChangeNotification, TimelineDidSnapshotNotification, TimelineOpenTaskCommand,
  TimelineRevealNotification, type TimelineScope,
} from '../../src/protocol/timeline';
import { openWebview, strictCsp, type OpenWebviewOptions, type WebviewHandle } from '../helpers/webview-harness';
import { generateTasks, TIMELINE_T0 } from '../fixtures/timeline-data';

const T0 = TIMELINE_T0;
const AXIS_H = 24;
const GUTTER_W = 168;

class Fixture {
  readonly store = new MonitorStore({ maxTasks: 200_000, maxLogs: 10, maxEvents: 10, maxSeries: 10, maxSamplesPerSeries: 10 });
  private pending = new MutableChangeSet();
  constructor() { this.apply({ type: 'connection.added', connectionId: 'prod', name: 'Production', kind: 'redis', system: 'bullmq', readOnly: false, at: T0 }); }
  apply(...events: MonitorEvent[]): this { this.pending.merge(this.store.applyAll(events)); return this; }
  tasks(tasks: Task[]): this { return this.apply(...tasks.map((task) => ({ type: 'task.upsert', task }) as MonitorEvent)); }
  snapshot(scope?: TimelineScope): OutboundMessage { this.pending = new MutableChangeSet(); return { method: TimelineDidSnapshotNotification.method, params: buildTimelineSnapshot(this.store, scope, T0), seq: 1 }; }
  delta(seq: number): OutboundMessage {
    const d = buildTimelineDelta(this.store, this.pending, undefined, T0);
    this.pending = new MutableChangeSet();
    return { method: TimelineDidChangeNotification.method, params: d, seq };
  }
}

const task = (id: string, over: Partial<Task> = {}): Task => ({
  connectionId: 'prod', system: 'bullmq', id, queue: 'emails', name: 'send_email', status: 'completed', worker: 'w-1',
  startedAt: T0, finishedAt: T0 + 60_000, updatedAt: T0 + 60_000, ...over,
});

const open: WebviewHandle[] = [];
after(async () => { await Promise.all(open.map((h) => h.close())); });

async function openTimeline(options?: OpenWebviewOptions): Promise<WebviewHandle> {
  const h = await openWebview('timeline', { viewport: { width: 1100, height: 600 }, ...options });
  open.push(h);
  await h.waitForPosted('ready');
  return h;
}

async function assertClean(h: WebviewHandle): Promise<void> {
  assert.deepEqual(await h.cspViolations(), [], 'no CSP violations');
  assert.deepEqual(h.errors(), [], 'no page errors');
}

async function stageBox(h: WebviewHandle): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await h.page.locator('taskscope-timeline .stage').boundingBox();
  assert.ok(box);
  return box;
}

const app = (expr: string): string => `(() => { const el = document.querySelector('taskscope-timeline'); return ${expr}; })()`;
/** Non-background pixels in the chart area (proves spans were drawn). */
const PAINTED = app(`(() => {
  const c = el.shadowRoot.querySelector('canvas.main'); const ctx = c.getContext('2d');
  const d = ctx.getImageData(${GUTTER_W}, ${AXIS_H + 2}, c.width - ${GUTTER_W}, Math.min(200, c.height - ${AXIS_H + 2})).data;
  const bg = [d[0], d[1], d[2]]; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i+1] - bg[1]) + Math.abs(d[i+2] - bg[2]) > 60) n++;
  return n; })()`);

describe('Timeline webview', () => {
  test('ready → snapshot: lanes, legend and counts; spans are painted', async () => {
    const h = await openTimeline();
    assert.deepEqual(await h.posted(), [{ method: 'ready', params: {} }]);
    assert.match(await h.page.locator('taskscope-timeline .placeholder').textContent() ?? '', /Waiting for data/);
    const f = new Fixture().tasks([
      task('1'), task('2', { startedAt: T0 + 10_000, status: 'failed', error: 'boom' }), task('3', { worker: 'w-2', status: 'active', finishedAt: undefined }),
      task('4', { startedAt: undefined, status: 'waiting' }),
    ]);
    await h.post(f.snapshot());
    assert.match(await h.page.locator('taskscope-timeline .count').textContent() ?? '', /3 spans · 2 lanes/);
    assert.deepEqual(await h.page.locator('taskscope-timeline .legend li').evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), ['completed', 'failed', 'running']);
    assert.ok((await h.evaluate<number>(PAINTED)) > 200, 'spans painted on the canvas');
    // Deltas: a new span and a removal.
    f.tasks([task('5', { worker: 'w-3' })]).apply({ type: 'task.removed', connectionId: 'prod', id: '1', queue: 'emails', at: T0 });
    await h.post(f.delta(2));
    assert.match(await h.page.locator('taskscope-timeline .count').textContent() ?? '', /3 spans · 3 lanes/);
    await assertClean(h);
  });

  test('click on a span and hover: tooltip with the task, OpenTask posted with its key', async () => {
    const h = await openTimeline();
    await h.post(new Fixture().tasks([task('42', { name: 'charge_card', status: 'failed', attempts: 3, error: 'card declined' })]).snapshot());
    const box = await stageBox(h);
    const x = box.x + GUTTER_W + (box.width - GUTTER_W) / 2;
    const y = box.y + AXIS_H + 9;
    await h.page.mouse.move(x, y);
    await h.settle();
    const tip = (await h.page.locator('taskscope-timeline .tooltip').textContent() ?? '').replace(/\s+/g, ' ');
    assert.match(tip, /charge_card failed after 3 attempts · 1\.0 min/);
    assert.match(tip, /#42 · queue emails · w-1/);
    assert.match(tip, /card declined/);
    await h.clearPosted();
    await h.page.mouse.down();
    await h.page.mouse.up();
    assert.deepEqual(await h.posted(), [{ method: TimelineOpenTaskCommand.method, params: { key: 'task:prod:emails:42' } }]);
    await h.page.mouse.move(box.x + 5, box.y + box.height - 5);
    await h.settle();
    assert.equal(await h.page.locator('taskscope-timeline .tooltip').count(), 0);
    await assertClean(h);
  });

  test('keyboard: n/p select spans in time order (announced), Enter opens, +/- zoom, arrows pan, 0 fits', async () => {
    const h = await openTimeline();
    await h.post(new Fixture().tasks([task('1'), task('2', { startedAt: T0 + 5_000, worker: 'w-2' }), task('3', { startedAt: T0 + 9_000 })]).snapshot());
    await h.page.locator('taskscope-timeline .stage').focus();
    await h.clearPosted();
    await h.page.keyboard.press('n');
    await h.page.keyboard.press('n');
    await h.settle();
    assert.match(await h.page.locator('taskscope-timeline [role="status"]').textContent() ?? '', /send_email, completed, 55\.0 s, on w-2/);
    await h.page.keyboard.press('Enter');
    await h.page.keyboard.press('p');
    await h.page.keyboard.press('Enter');
    assert.deepEqual((await h.posted()).map((m) => m.params), [{ key: 'task:prod:emails:2' }, { key: 'task:prod:emails:1' }]);
    const state = async (): Promise<{ windowMs: number; t1: number }> => (await h.state()) as { windowMs: number; t1: number };
    await h.page.keyboard.press('0');
    const fit = await state();
    await h.page.keyboard.press('+');
    assert.ok(Math.abs((await state()).windowMs - fit.windowMs / 1.5) < 1, 'zoomed in by 1.5');
    await h.page.keyboard.press('-');
    await h.page.keyboard.press('ArrowRight');
    const panned = await state();
    assert.ok(Math.abs(panned.t1 - fit.t1 - fit.windowMs * 0.1) < 1, 'panned right by a tenth');
    await assertClean(h);
  });

  test('wheel zooms at the pointer, shift+wheel and drag pan, the brush moves the window; state restored after reload', async () => {
    const h = await openTimeline();
    const f = new Fixture().tasks(generateTasks(500, 12));
    await h.post(f.snapshot());
    const state = async (): Promise<{ windowMs: number; t1: number; groupBy: string; follow: boolean }> => (await h.state()) as never;
    const box = await stageBox(h);
    await h.page.mouse.move(box.x + GUTTER_W + 200, box.y + 100);
    await h.page.mouse.wheel(0, -400);
    await h.settle();
    const zoomed = await state();
    await h.page.locator('taskscope-timeline .stage').focus();
    await h.page.keyboard.press('0');
    const fit = await state();
    assert.ok(zoomed.windowMs < fit.windowMs * 0.7, `wheel zoomed in (${zoomed.windowMs} vs ${fit.windowMs})`);
    await h.page.keyboard.down('Shift');
    await h.page.mouse.wheel(0, 200);
    await h.page.keyboard.up('Shift');
    await h.settle();
    assert.ok((await state()).t1 > fit.t1, 'shift+wheel pans forward');
    const before = await state();
    await h.page.mouse.move(box.x + 600, box.y + 200);
    await h.page.mouse.down();
    await h.page.mouse.move(box.x + 400, box.y + 200, { steps: 4 });
    await h.page.mouse.up();
    const dragged = await state();
    assert.ok(Math.abs(dragged.t1 - before.t1 - (200 / (box.width - GUTTER_W)) * before.windowMs) < before.windowMs * 0.01, 'drag left pans right by the dragged distance');
    assert.equal((await h.posted()).filter((m) => m.method === TimelineOpenTaskCommand.method).length, 0, 'a drag is not a click');

    // Brush: click at the far left of the strip centres the window there.
    const brush = await h.page.locator('taskscope-timeline .brush').boundingBox();
    assert.ok(brush);
    await h.page.mouse.click(brush.x + 3, brush.y + 20);
    assert.ok((await state()).t1 - (await state()).windowMs < dragged.t1 - dragged.windowMs, 'brush click moved the window back');

    // Group by queue, then reload with the saved state.
    await h.page.locator('taskscope-timeline vscode-single-select.group-by').evaluate((el) => { (el as unknown as { value: string }).value = 'queue'; el.dispatchEvent(new Event('change')); });
    await h.settle();
    assert.match(await h.page.locator('taskscope-timeline .count').textContent() ?? '', /500 spans · 7 lanes/);
    const saved = await state();
    assert.equal(saved.groupBy, 'queue');
    const reloaded = await openTimeline({ initialState: saved });
    await reloaded.post(f.snapshot());
    assert.match(await reloaded.page.locator('taskscope-timeline .count').textContent() ?? '', /7 lanes/);
    await reloaded.page.locator('taskscope-timeline .stage').focus();
    await reloaded.page.keyboard.press('ArrowUp'); // any key that saves nothing about the window
    assert.deepEqual(await reloaded.evaluate(app('[el.groupBy, Math.round(el.t1 - el.t0)]')), ['queue', Math.round(saved.windowMs)]);
    await assertClean(h);
  });

  test('follow live keeps now in view; a host reveal centres on a task and selects it; scope pill clears the scope', async () => {
    const h = await openTimeline();
    const now = Date.now();
    const f = new Fixture().tasks([task('1', { startedAt: now - 30_000, finishedAt: now - 10_000 }), task('2', { startedAt: now - 5_000, finishedAt: undefined, status: 'active' }), task('old', { startedAt: now - 3_600_000, finishedAt: now - 3_590_000, worker: 'w-9' })]);
    await h.post({ ...f.snapshot({ connectionId: 'prod', label: 'connection Production' }) });
    assert.match(await h.page.locator('taskscope-timeline .scope').textContent() ?? '', /connection Production/);
    await h.page.locator('taskscope-timeline vscode-checkbox.follow').click();
    await h.settle();
    assert.deepEqual(await h.evaluate(app("[el.follow, el.shadowRoot.querySelector('vscode-checkbox.follow').checked]")), [true, true], 'follow is on');
    const t1 = await h.evaluate<number>(app('el.t1'));
    assert.ok(t1 >= Date.now() - 1_000, 'window ends at now');
    assert.equal(((await h.state()) as { follow: boolean; scope: TimelineScope }).follow, true);
    assert.deepEqual(((await h.state()) as { scope: TimelineScope }).scope, { connectionId: 'prod', label: 'connection Production' }, 'scope saved for the host');

    await h.post({ method: TimelineRevealNotification.method, params: { key: 'task:prod:emails:old', at: now - 3_595_000 } });
    assert.equal(await h.evaluate(app('el.follow')), false, 'reveal stops following');
    const [t0r, t1r] = await h.evaluate<[number, number]>(app('[el.t0, el.t1]'));
    assert.ok(t0r < now - 3_595_000 && t1r > now - 3_595_000);
    assert.match(await h.page.locator('taskscope-timeline [role="status"]').textContent() ?? '', /on w-9/);

    await h.clearPosted();
    await h.page.locator('taskscope-timeline .clear-scope').click();
    assert.deepEqual(await h.posted(), [{ method: TimelineClearScopeCommand.method, params: {} }]);
    await assertClean(h);
  });

  test('100k spans: first paint and pan/zoom frames stay fast', async () => {
    const h = await openTimeline({ viewport: { width: 1400, height: 800 } });
    const f = new Fixture().tasks(generateTasks(100_000, 200, { runningTail: 50, t0: Date.now() - 3_600_000 }));
    const snap = f.snapshot();
    const elapsed = await h.postTimed(snap);
    assert.match(await h.page.locator('taskscope-timeline .count').textContent() ?? '', /100,000 spans · 200 lanes/);
    const painted = await h.evaluate<number>(PAINTED);
    assert.ok(painted > 1_000, `painted ${painted} pixels`);
    // Generous so a busy machine doesn't flake; bench/timeline.ts measures against the 300 ms target.
    console.log(`# 100k spans: snapshot to first paint ${Math.round(elapsed)} ms`);
    assert.ok(elapsed < 3_000, `snapshot of 100k spans painted in ${Math.round(elapsed)} ms`);
    const frames = await h.evaluate<number[]>(app(`(() => { const out = []; for (let i = 0; i < 20; i++) { const w = el.t1 - el.t0; el.t0 += w * 0.05; el.t1 += w * 0.05; el.draw(); out.push(el.lastDrawMs); } return out; })()`));
    frames.sort((a, b) => a - b);
    assert.ok(frames[10]! < 100, `median pan frame ${frames[10]!.toFixed(1)} ms`);
    await assertClean(h);
  });

  const XSS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=1</script>', 'javascript:window.__xss=1', '"><svg onload=window.__xss=1>'];

  for (const [label, csp] of [['the extension CSP', undefined], ["a CSP without 'unsafe-inline' styles", strictCsp]] as const) {
    test(`XSS payloads in task names, workers, queues, errors and the scope render as text, under ${label}`, async () => {
      const h = await openTimeline({ csp });
      const f = new Fixture().tasks(XSS.map((p, i) => task(`x${i}`, { name: p, worker: p, queue: p, error: p, status: i % 2 ? 'failed' : p, startedAt: T0 + i * 1_000 })));
      await h.post(f.snapshot({ connectionId: 'prod', label: XSS[0]! }));
      assert.equal((await h.page.locator('taskscope-timeline .scope').textContent())?.includes(XSS[0]!), true);
      await h.page.locator('taskscope-timeline .stage').focus();
      for (let i = 0; i < XSS.length; i++) {
        await h.page.keyboard.press('n');
        await h.settle();
        assert.ok((await h.page.locator('taskscope-timeline [role="status"]').textContent())?.includes(XSS[i]!), 'announced as text');
      }
      const box = await stageBox(h);
      for (let y = AXIS_H + 4; y < 200; y += 12) await h.page.mouse.move(box.x + GUTTER_W + (box.width - GUTTER_W) / 2, box.y + y);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(await h.injectedMarkup(), [], 'no elements or handler attributes created from data');
      assert.equal(await h.global('__xss'), undefined, 'no payload executed');
      await assertClean(h);
    });
  }

  test('screenshots in dark and light themes', async () => {
    const h = await openTimeline({ theme: 'dark', viewport: { width: 1280, height: 720 } });
    const f = new Fixture().tasks(generateTasks(3_000, 14, { runningTail: 6, t0: Date.now() - 3_600_000 }));
    await h.post(f.snapshot({ connectionId: 'prod', label: 'connection Production' }));
    await h.page.locator('taskscope-timeline .stage').focus();
    for (let i = 0; i < 6; i++) await h.page.keyboard.press('+');
    await h.page.keyboard.press('n');
    const box = await stageBox(h);
    await h.page.mouse.move(box.x + GUTTER_W + 420, box.y + AXIS_H + 9 + 18 * 2);
    await h.settle();
    await h.screenshot('timeline-dark');
    await h.setTheme('light');
    await h.screenshot('timeline-light');
    await assertClean(h);
  });
});
