// <taskscope-timeline>: task spans per lane on a canvas. Wheel zooms at the pointer (Shift+wheel pans),
// dragging pans, the keyboard does both; a brush under the chart shows the whole range and the window; "Follow
// live" keeps the newest moment in view. Hover shows a tooltip, click or Enter opens the task in the host.
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { STATUS_CATEGORIES, statusCategory, type StatusCategory } from '../../src/core/timeline/status-category';
import {
  TimelineClearScopeCommand, TimelineDidChangeNotification, TimelineDidSnapshotNotification, TimelineOpenTaskCommand,
  TimelineRevealNotification, type TimelineScope, type TimelineSpan,
} from '../../src/protocol/timeline';
import { getIpcClient, type IpcClient } from '../shared/ipc-client';
import { baseStyles } from '../shared/styles';
import { GROUP_BY, TimelineModel, formatDuration, hitTest, type GroupBy, type Layout } from './timeline-model';
import { AXIS_H, GUTTER_W, contentHeight, drawBrush, drawTimeline, rowAt, rowTop, type Palette } from './timeline-renderer';

/** What survives a reload: view settings (and the scope, which the host reads back when it restores the panel). */
export interface TimelineUiState {
  readonly groupBy: GroupBy;
  readonly follow: boolean;
  /** Visible window width in ms, and its end (ignored while following). */
  readonly windowMs: number;
  readonly t1: number;
  readonly scope?: TimelineScope;
}

const MIN_WINDOW = 5;
const MAX_WINDOW = 400 * 86_400_000;
const BRUSH_H = 40;

const STATUS_LABEL: Readonly<Record<StatusCategory, string>> = { completed: 'Completed', failed: 'Failed', running: 'Running', waiting: 'Waiting / retrying', cancelled: 'Cancelled', other: 'Other' };

export class TimelineApp extends LitElement {
  static override properties = {
    groupBy: { state: true },
    follow: { state: true },
    tooltip: { state: true },
    announcement: { state: true },
    version: { state: true },
  };

  declare groupBy: GroupBy;
  declare follow: boolean;
  declare tooltip: { span: TimelineSpan; x: number; y: number } | undefined;
  declare announcement: string;
  /** Bumped when data changes, to re-render the toolbar counts. */
  declare version: number;

  readonly model = new TimelineModel();
  private client: IpcClient<TimelineUiState> | undefined;
  private t0 = 0;
  private t1 = 0;
  private scrollY = 0;
  private viewInitialized = false;
  private savedWindow: { windowMs: number; t1: number } | undefined;
  private selectedKey: string | undefined;
  private hoveredKey: string | undefined;
  private palette: Palette | undefined;
  private frame = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private drag: { x: number; y: number; t0: number; t1: number; scrollY: number; moved: boolean } | undefined;
  private brushDrag: { mode: 'move' | 'start' | 'end' | 'new'; x: number; t0: number; t1: number } | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private themeObserver: MutationObserver | undefined;
  private pendingReveal: { key?: string; at: number } | undefined;
  /** Milliseconds the last canvas draw took (read by tests and the benchmark). */
  lastDrawMs = 0;
  draws = 0;

  constructor() {
    super();
    this.groupBy = 'worker';
    this.follow = false;
    this.tooltip = undefined;
    this.announcement = '';
    this.version = 0;
  }

  static override styles = [baseStyles, css`
    :host { display: flex; flex-direction: column; height: 100vh; padding: 8px 0 8px; }
    .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding-bottom: 8px; }
    .toolbar label { display: inline-flex; align-items: center; gap: 6px; }
    .toolbar .spacer { flex: 1; }
    .scope { display: inline-flex; align-items: center; gap: 4px; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; list-style: none; margin: 0; padding: 0; font-size: 12px; }
    .legend li { display: inline-flex; align-items: center; gap: 5px; }
    .swatch { display: inline-block; width: 14px; border-radius: 1px; background: var(--swatch); border: 1px solid var(--vscode-contrastBorder, transparent); }
    .swatch.completed { height: 6px; --swatch: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
    .swatch.failed { height: 10px; box-shadow: inset 3px 0 0 var(--vscode-foreground); --swatch: var(--vscode-testing-iconFailed, var(--vscode-charts-red)); }
    .swatch.running { height: 10px; --swatch: var(--vscode-charts-blue); }
    .swatch.other { height: 7px; --swatch: var(--vscode-charts-purple); }
    .swatch.waiting { height: 5px; --swatch: var(--vscode-charts-yellow); }
    .swatch.cancelled { height: 4px; --swatch: var(--vscode-disabledForeground); }
    .stage { position: relative; flex: 1; min-height: 120px; border: 1px solid var(--vscode-widget-border, transparent); cursor: grab; }
    .stage.dragging { cursor: grabbing; }
    .stage:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
    canvas { display: block; position: absolute; inset: 0; }
    .brush { position: relative; height: ${BRUSH_H}px; margin-top: 6px; border: 1px solid var(--vscode-widget-border, transparent); cursor: ew-resize; }
    .tooltip {
      position: absolute; z-index: 2; pointer-events: none; max-width: 420px; padding: 6px 8px; border-radius: 3px;
      background: var(--vscode-editorHoverWidget-background, var(--vscode-editorWidget-background));
      color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground));
      border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-widget-border));
      font-size: 12px; line-height: 1.45; white-space: normal; overflow-wrap: anywhere;
    }
    .tooltip .title { font-weight: 600; }
    .tooltip .error { color: var(--vscode-errorForeground); font-family: var(--vscode-editor-font-family, monospace); }
    .placeholder { padding: 40px; text-align: center; }
    .hint { font-size: 12px; }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) return;
    this.client = getIpcClient<TimelineUiState>();
    const saved = this.client.getState();
    if (saved?.groupBy && GROUP_BY.includes(saved.groupBy)) this.groupBy = saved.groupBy;
    if (typeof saved?.follow === 'boolean') this.follow = saved.follow;
    if (typeof saved?.windowMs === 'number' && typeof saved.t1 === 'number' && saved.windowMs > 0) this.savedWindow = { windowMs: saved.windowMs, t1: saved.t1 };
    this.client.onSnapshot(TimelineDidSnapshotNotification, (s) => {
      this.model.applySnapshot(s);
      this.onData();
    });
    this.client.onNotification(TimelineDidChangeNotification, (d) => {
      if (!this.model.loaded) return;
      this.model.applyDelta(d);
      this.onData();
    });
    this.client.onNotification(TimelineRevealNotification, (r) => {
      this.pendingReveal = r;
      if (this.model.loaded) this.applyReveal();
    });
    this.themeObserver = new MutationObserver(() => { this.palette = undefined; this.scheduleDraw(); });
    this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
    this.ticker = setInterval(() => this.onTick(), 500);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.themeObserver?.disconnect();
    if (this.ticker) clearInterval(this.ticker);
    cancelAnimationFrame(this.frame);
  }

  protected override firstUpdated(): void {
    this.client?.ready();
  }

  protected override updated(changed: PropertyValues): void {
    const stage = this.stage;
    if (stage && !this.resizeObserver) {
      this.resizeObserver = new ResizeObserver(() => this.scheduleDraw());
      this.resizeObserver.observe(stage);
      this.resizeObserver.observe(this.renderRoot.querySelector('.brush')!);
    }
    const tip = this.renderRoot.querySelector<HTMLElement>('.tooltip');
    if (tip && this.tooltip && stage) {
      // Positioned through CSSOM (allowed by the CSP), never a style attribute.
      const maxX = stage.clientWidth - tip.offsetWidth - 4;
      tip.style.left = `${Math.max(4, Math.min(this.tooltip.x + 14, maxX))}px`;
      tip.style.top = `${this.tooltip.y + 18 + tip.offsetHeight > stage.clientHeight ? this.tooltip.y - tip.offsetHeight - 8 : this.tooltip.y + 18}px`;
    }
    if (changed.has('groupBy') || changed.has('version')) this.scheduleDraw();
  }

  private get stage(): HTMLElement | null { return this.renderRoot.querySelector<HTMLElement>('.stage'); }
  private get canvas(): HTMLCanvasElement | null { return this.renderRoot.querySelector<HTMLCanvasElement>('canvas.main'); }
  private get brushCanvas(): HTMLCanvasElement | null { return this.renderRoot.querySelector<HTMLCanvasElement>('canvas.brush-canvas'); }

  // ---- data and view ----------------------------------------------------------------------------------------

  private layout(): Layout { return this.model.layout(this.groupBy, Date.now()); }

  private onData(): void {
    const layout = this.layout();
    if (!this.viewInitialized) {
      this.viewInitialized = true;
      if (this.savedWindow) {
        const end = this.follow ? Date.now() : this.savedWindow.t1;
        this.setWindow(end - this.savedWindow.windowMs, end, false);
      } else {
        this.fitAll(false);
      }
    } else if (this.follow) {
      this.followNow();
    }
    if (this.selectedKey && !this.model.spans.has(this.selectedKey)) this.selectedKey = undefined;
    void layout;
    this.version++;
    if (this.pendingReveal) this.applyReveal();
    this.scheduleDraw();
  }

  private applyReveal(): void {
    const r = this.pendingReveal;
    if (!r) return;
    this.pendingReveal = undefined;
    this.setFollow(false);
    const width = Math.max(MIN_WINDOW, Math.min(this.t1 - this.t0, 5 * 60_000));
    this.setWindow(r.at - width / 2, r.at + width / 2);
    if (r.key && this.model.spans.has(r.key)) {
      this.select(r.key);
      this.scrollToKey(r.key);
    }
  }

  private setWindow(t0: number, t1: number, save = true): void {
    let w = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, t1 - t0));
    if (!Number.isFinite(w)) w = 60_000;
    const mid = (t0 + t1) / 2;
    this.t0 = Number.isFinite(mid) ? mid - w / 2 : Date.now() - w;
    this.t1 = this.t0 + w;
    this.scheduleDraw();
    if (save) this.saveUiState();
  }

  private fitAll(save = true): void {
    const l = this.layout();
    const pad = Math.max(1_000, (l.maxT - l.minT) * 0.02);
    this.setWindow(l.minT - pad, l.maxT + pad, save);
    this.scrollY = 0;
  }

  private followNow(): void {
    const w = this.t1 - this.t0;
    const end = Date.now() + w * 0.03;
    this.t1 = end;
    this.t0 = end - w;
    this.scheduleDraw();
  }

  private setFollow(on: boolean): void {
    if (this.follow === on) return;
    this.follow = on;
    if (on) this.followNow();
    this.saveUiState();
  }

  private onTick(): void {
    if (!this.model.loaded) return;
    const running = this.model.spans.size > 0 && this.hasRunning();
    if (this.follow) this.followNow();
    else if (running) this.scheduleDraw(); // running spans grow with the clock
  }

  private hasRunning(): boolean {
    const l = this.layout();
    for (let i = 0; i < l.end.length; i++) if (Number.isNaN(l.end[i]!)) return true;
    return false;
  }

  private saveUiState(): void {
    this.client?.setState({
      groupBy: this.groupBy, follow: this.follow, windowMs: this.t1 - this.t0, t1: this.t1,
      ...(this.model.scope ? { scope: this.model.scope } : {}),
    });
  }

  private zoomAt(factor: number, anchorT: number): void {
    const w = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, (this.t1 - this.t0) * factor));
    const ratio = (anchorT - this.t0) / (this.t1 - this.t0);
    this.setWindow(anchorT - ratio * w, anchorT - ratio * w + w);
  }

  private pan(deltaT: number): void { this.setWindow(this.t0 + deltaT, this.t1 + deltaT); }

  private scrollRows(dy: number): void {
    const stage = this.stage;
    const max = Math.max(0, contentHeight(this.layout()) - (stage?.clientHeight ?? 0) + 8);
    this.scrollY = Math.max(0, Math.min(max, this.scrollY + dy));
    this.scheduleDraw();
  }

  private timeAt(x: number): number {
    const w = Math.max(1, (this.stage?.clientWidth ?? 1) - GUTTER_W);
    return this.t0 + ((x - GUTTER_W) / w) * (this.t1 - this.t0);
  }

  private spanAt(x: number, y: number): number | undefined {
    if (x < GUTTER_W || y < AXIS_H) return undefined;
    const layout = this.layout();
    const row = rowAt(layout, y, this.scrollY);
    if (row < 0) return undefined;
    const w = Math.max(1, (this.stage?.clientWidth ?? 1) - GUTTER_W);
    const slack = (3 / w) * (this.t1 - this.t0);
    return hitTest(layout, this.timeAt(x), row, slack, Date.now());
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  private scheduleDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws synchronously now (also used by the benchmark to time one frame). */
  draw(): void {
    const canvas = this.canvas;
    const stage = this.stage;
    if (!canvas || !stage || !this.model.loaded) return;
    const started = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const width = stage.clientWidth;
    const height = stage.clientHeight;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const palette = this.palette ??= this.readPalette();
    const layout = this.layout();
    const index = (key: string | undefined): number | undefined => {
      if (!key) return undefined;
      const span = this.model.spans.get(key);
      const i = span ? layout.spans.indexOf(span) : -1;
      return i >= 0 ? i : undefined;
    };
    drawTimeline(ctx, layout, { t0: this.t0, t1: this.t1, scrollY: this.scrollY, width, height }, palette, Date.now(), index(this.selectedKey), index(this.hoveredKey));
    const brush = this.brushCanvas;
    if (brush) {
      const bw = brush.parentElement!.clientWidth;
      if (brush.width !== Math.round(bw * dpr) || brush.height !== BRUSH_H * dpr) { brush.width = Math.round(bw * dpr); brush.height = BRUSH_H * dpr; }
      const bctx = brush.getContext('2d', { alpha: false });
      if (bctx) {
        bctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        drawBrush(bctx, layout, bw, BRUSH_H, this.brushRange(layout), { t0: this.t0, t1: this.t1 }, palette);
      }
    }
    this.lastDrawMs = performance.now() - started;
    this.draws++;
  }

  private brushRange(layout: Layout): { min: number; max: number } {
    const pad = Math.max(1_000, (layout.maxT - layout.minT) * 0.02);
    return { min: Math.min(layout.minT - pad, this.t0), max: Math.max(layout.maxT + pad, this.t1, this.follow ? Date.now() : -Infinity) };
  }

  private readPalette(): Palette {
    const cs = getComputedStyle(this);
    const v = (name: string, fallback: string): string => cs.getPropertyValue(`--vscode-${name}`).trim() || fallback;
    const contrast = v('contrastBorder', '');
    return {
      background: v('editor-background', '#1e1e1e'),
      foreground: v('foreground', '#cccccc'),
      muted: v('descriptionForeground', '#9d9d9d'),
      grid: v('editorIndentGuide-background1', v('widget-border', '#80808033')),
      border: v('widget-border', v('panel-border', '#80808055')),
      contrastBorder: contrast === 'transparent' || contrast.endsWith('00') ? '' : contrast,
      selection: v('focusBorder', '#0078d4'),
      status: {
        completed: v('testing-iconPassed', v('charts-green', '#73c991')),
        failed: v('testing-iconFailed', v('charts-red', '#f14c4c')),
        running: v('charts-blue', '#3794ff'),
        waiting: v('charts-yellow', '#cca700'),
        cancelled: v('disabledForeground', '#888888'),
        other: v('charts-purple', '#b180d7'),
      },
      font: `12px ${v('font-family', 'sans-serif')}`,
    };
  }

  // ---- interaction ------------------------------------------------------------------------------------------

  private onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    const rect = this.stage!.getBoundingClientRect();
    const dx = e.deltaMode === 1 ? e.deltaX * 16 : e.deltaX;
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    const w = Math.max(1, rect.width - GUTTER_W);
    if (e.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      this.setFollow(false);
      this.pan(((e.shiftKey ? dy || dx : dx) / w) * (this.t1 - this.t0));
    } else if (e.altKey) {
      this.scrollRows(dy);
    } else {
      const anchor = this.timeAt(e.clientX - rect.left);
      if (!this.follow || dy < 0) this.setFollow(false);
      this.zoomAt(Math.exp(dy * 0.0015), anchor);
    }
  };

  private onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    this.stage!.setPointerCapture(e.pointerId);
    this.drag = { x: e.clientX, y: e.clientY, t0: this.t0, t1: this.t1, scrollY: this.scrollY, moved: false };
  };

  private onPointerMove = (e: PointerEvent): void => {
    const rect = this.stage!.getBoundingClientRect();
    const d = this.drag;
    if (d) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved && Math.hypot(dx, dy) < 4) return;
      if (!d.moved) { d.moved = true; this.stage!.classList.add('dragging'); this.setFollow(false); this.tooltip = undefined; }
      const w = Math.max(1, rect.width - GUTTER_W);
      const shift = (-dx / w) * (d.t1 - d.t0);
      this.t0 = d.t0 + shift;
      this.t1 = d.t1 + shift;
      this.scrollY = d.scrollY;
      this.scrollRows(-dy);
      return;
    }
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const i = this.spanAt(x, y);
    const span = i === undefined ? undefined : this.layout().spans[i];
    if (span?.k !== this.hoveredKey) { this.hoveredKey = span?.k; this.scheduleDraw(); }
    this.tooltip = span ? { span, x, y } : undefined;
  };

  private onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    this.drag = undefined;
    this.stage!.classList.remove('dragging');
    if (!d) return;
    if (d.moved) { this.saveUiState(); return; }
    const rect = this.stage!.getBoundingClientRect();
    const i = this.spanAt(e.clientX - rect.left, e.clientY - rect.top);
    if (i === undefined) return;
    const span = this.layout().spans[i]!;
    this.select(span.k);
    this.open(span.k);
  };

  private onPointerLeave = (): void => {
    if (this.hoveredKey) { this.hoveredKey = undefined; this.scheduleDraw(); }
    this.tooltip = undefined;
  };

  private open(key: string): void { this.client?.send(TimelineOpenTaskCommand, { key }); }

  private select(key: string): void {
    this.selectedKey = key;
    const span = this.model.spans.get(key);
    if (span) this.announcement = describe(span, this.model.laneKey(span, this.groupBy));
    this.scheduleDraw();
  }

  /** Spans in time order across lanes, for keyboard stepping. */
  private stepSelection(dir: 1 | -1): void {
    const layout = this.layout();
    if (layout.spans.length === 0) return;
    const cur = this.selectedKey ? this.model.spans.get(this.selectedKey) : undefined;
    let best: TimelineSpan | undefined;
    if (!cur) {
      // Start from the first span in view.
      for (const s of layout.spans) if (s.t0 >= this.t0 && (!best || s.t0 < best.t0)) best = s;
      best ??= layout.spans[0];
    } else {
      const key = (s: TimelineSpan): [number, string] => [s.t0, s.k];
      const [ct, ck] = key(cur);
      for (const s of layout.spans) {
        const [t, k] = key(s);
        const after = t > ct || (t === ct && k > ck);
        const before = t < ct || (t === ct && k < ck);
        if (dir === 1 && after && (!best || t < best.t0 || (t === best.t0 && k < best.k))) best = s;
        if (dir === -1 && before && (!best || t > best.t0 || (t === best.t0 && k > best.k))) best = s;
      }
    }
    if (!best) return;
    this.select(best.k);
    const end = best.t1 ?? Date.now();
    if (best.t0 < this.t0 || end > this.t1) {
      this.setFollow(false);
      const w = this.t1 - this.t0;
      this.setWindow(best.t0 - w * 0.2, best.t0 + w * 0.8);
    }
    this.scrollToKey(best.k);
  }

  private scrollToKey(key: string): void {
    const layout = this.layout();
    const span = this.model.spans.get(key);
    const i = span ? layout.spans.indexOf(span) : -1;
    if (i < 0) return;
    const top = rowTop(layout, layout.row[i]!);
    const h = this.stage?.clientHeight ?? 0;
    if (top - this.scrollY < AXIS_H || top - this.scrollY > h - 24) this.scrollRows(top - this.scrollY - h / 2);
  }

  private onKeyDown = (e: KeyboardEvent): void => {
    const w = this.t1 - this.t0;
    const mid = (this.t0 + this.t1) / 2;
    let handled = true;
    switch (e.key) {
      case 'ArrowLeft': this.setFollow(false); this.pan(-w * (e.shiftKey ? 0.5 : 0.1)); break;
      case 'ArrowRight': this.setFollow(false); this.pan(w * (e.shiftKey ? 0.5 : 0.1)); break;
      case 'ArrowUp': this.scrollRows(-36); break;
      case 'ArrowDown': this.scrollRows(36); break;
      case 'PageUp': this.scrollRows(-(this.stage?.clientHeight ?? 300) * 0.8); break;
      case 'PageDown': this.scrollRows((this.stage?.clientHeight ?? 300) * 0.8); break;
      case '+': case '=': this.zoomAt(1 / 1.5, this.selectedSpanMid() ?? mid); break;
      case '-': case '_': this.setFollow(false); this.zoomAt(1.5, this.selectedSpanMid() ?? mid); break;
      case '0': case 'Home': this.setFollow(false); this.fitAll(); break;
      case 'f': case 'F': this.setFollow(!this.follow); break;
      case ']': case 'n': this.stepSelection(1); break;
      case '[': case 'p': this.stepSelection(-1); break;
      case 'Enter': case ' ': if (this.selectedKey) this.open(this.selectedKey); else this.stepSelection(1); break;
      case 'Escape': this.selectedKey = undefined; this.tooltip = undefined; this.scheduleDraw(); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  };

  private selectedSpanMid(): number | undefined {
    const s = this.selectedKey ? this.model.spans.get(this.selectedKey) : undefined;
    return s ? (s.t0 + (s.t1 ?? Date.now())) / 2 : undefined;
  }

  private onBrushDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    const el = e.currentTarget as HTMLElement;
    el.setPointerCapture(e.pointerId);
    const rect = el.getBoundingClientRect();
    const range = this.brushRange(this.layout());
    const toX = (t: number): number => ((t - range.min) / (range.max - range.min)) * rect.width;
    const x = e.clientX - rect.left;
    const x0 = toX(this.t0);
    const x1 = toX(this.t1);
    const mode = Math.abs(x - x0) < 6 ? 'start' : Math.abs(x - x1) < 6 ? 'end' : x > x0 && x < x1 ? 'move' : 'new';
    this.setFollow(false);
    this.brushDrag = { mode, x, t0: this.t0, t1: this.t1 };
    if (mode === 'new') {
      const t = range.min + (x / rect.width) * (range.max - range.min);
      const w = this.t1 - this.t0;
      this.setWindow(t - w / 2, t + w / 2);
      this.brushDrag = { mode: 'move', x, t0: this.t0, t1: this.t1 };
    }
  };

  private onBrushMove = (e: PointerEvent): void => {
    const d = this.brushDrag;
    if (!d) return;
    const el = e.currentTarget as HTMLElement;
    const rect = el.getBoundingClientRect();
    const range = this.brushRange(this.layout());
    const dt = ((e.clientX - rect.left - d.x) / rect.width) * (range.max - range.min);
    if (d.mode === 'move') this.setWindow(d.t0 + dt, d.t1 + dt, false);
    else if (d.mode === 'start') this.setWindow(Math.min(d.t0 + dt, d.t1 - MIN_WINDOW), d.t1, false);
    else this.setWindow(d.t0, Math.max(d.t1 + dt, d.t0 + MIN_WINDOW), false);
  };

  private onBrushUp = (): void => {
    if (this.brushDrag) this.saveUiState();
    this.brushDrag = undefined;
  };

  private onGroupBy = (e: Event): void => {
    const value = (e.target as HTMLSelectElement).value as GroupBy;
    if (!GROUP_BY.includes(value)) return;
    this.groupBy = value;
    this.scrollY = 0;
    this.saveUiState();
  };

  // ---- template ---------------------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const m = this.model;
    if (!m.loaded) {
      return html`<div class="placeholder muted" role="status">Waiting for data…</div>`;
    }
    const counts = new Map<StatusCategory, number>();
    for (const s of m.spans.values()) { const c = statusCategory(s.s); counts.set(c, (counts.get(c) ?? 0) + 1); }
    const lanes = this.layout().lanes.length;
    return html`
      <div class="toolbar" role="toolbar" aria-label="Timeline controls">
        ${m.scope ? html`<span class="scope pill outline" title="Only tasks of this ${m.scope.label}">${m.scope.label}
          <button class="link-button clear-scope" aria-label="Show all tasks" title="Show all tasks" @click=${() => this.client?.send(TimelineClearScopeCommand, {})}>✕</button></span>` : nothing}
        <label>Lanes
          <vscode-single-select class="group-by" aria-label="Group lanes by" .value=${this.groupBy} @change=${this.onGroupBy}>
            ${GROUP_BY.map((g) => html`<vscode-option value=${g} ?selected=${g === this.groupBy}>${g === 'worker' ? 'Worker / runner' : g === 'queue' ? 'Queue / pool' : 'Connection'}</vscode-option>`)}
          </vscode-single-select></label>
        <vscode-checkbox class="follow" .checked=${this.follow} @change=${(e: Event) => this.setFollow((e.target as HTMLInputElement).checked)}>Follow live</vscode-checkbox>
        <vscode-button class="fit" secondary @click=${() => { this.setFollow(false); this.fitAll(); }}>Fit all</vscode-button>
        <ul class="legend" aria-label="Status colours">
          ${STATUS_CATEGORIES.filter((c) => counts.get(c)).map((c) => html`<li data-status=${c}><span class="swatch ${c}" aria-hidden="true"></span>${STATUS_LABEL[c]} <span class="muted num">${(counts.get(c) ?? 0).toLocaleString()}</span></li>`)}
        </ul>
        <span class="spacer"></span>
        <span class="count muted">${m.spans.size.toLocaleString()} ${m.spans.size === 1 ? 'span' : 'spans'} · ${lanes.toLocaleString()} ${lanes === 1 ? 'lane' : 'lanes'}${m.tasksEvicted ? html` · <span title="Older tasks were dropped by the retention limit">${m.tasksEvicted.toLocaleString()} evicted</span>` : nothing}</span>
      </div>
      <div class="stage" tabindex="0" role="application" aria-roledescription="timeline"
        aria-label="Task timeline: ${m.spans.size} spans in ${lanes} lanes. Arrow keys pan and scroll, plus and minus zoom, n and p select the next or previous task, Enter opens it, f follows live, 0 fits all."
        @wheel=${this.onWheel} @pointerdown=${this.onPointerDown} @pointermove=${this.onPointerMove} @pointerup=${this.onPointerUp}
        @pointerleave=${this.onPointerLeave} @keydown=${this.onKeyDown}>
        <canvas class="main" aria-hidden="true"></canvas>
        ${this.tooltip ? this.renderTooltip(this.tooltip.span) : nothing}
      </div>
      <div class="brush" role="slider" aria-label="Time brush: the visible window within the whole range" aria-valuemin="0" aria-valuemax="100"
        aria-valuenow=${Math.round(this.brushPercent())} tabindex="-1"
        @pointerdown=${this.onBrushDown} @pointermove=${this.onBrushMove} @pointerup=${this.onBrushUp}>
        <canvas class="brush-canvas" aria-hidden="true"></canvas>
      </div>
      ${m.spans.size === 0 ? html`<p class="hint muted">No started tasks${m.scope ? ' in this scope' : ''} yet. Spans appear as workers pick tasks up.</p>` : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  private brushPercent(): number {
    if (!this.model.loaded) return 0;
    const r = this.brushRange(this.layout());
    return ((this.t0 - r.min) / Math.max(1, r.max - r.min)) * 100;
  }

  private renderTooltip(s: TimelineSpan): TemplateResult {
    const end = s.t1 ?? Date.now();
    return html`<div class="tooltip" role="tooltip">
      <div class="title">${s.n ?? s.id}</div>
      <div>${statusText(s)} · ${formatDuration(end - s.t0)}${s.t1 === undefined ? ' so far' : ''}</div>
      <div class="muted">#${s.id}${s.q ? html` · queue ${s.q}` : nothing}${s.w ? html` · ${s.w}` : nothing}</div>
      <div class="muted">${new Date(s.t0).toLocaleTimeString()} → ${s.t1 === undefined ? 'running' : new Date(s.t1).toLocaleTimeString()}</div>
      ${s.e ? html`<div class="error">${s.e}</div>` : nothing}
    </div>`;
  }
}

function statusText(s: TimelineSpan): string {
  return `${s.s}${s.a && s.a > 1 ? ` after ${s.a} attempts` : ''}`;
}

function describe(s: TimelineSpan, lane: string): string {
  return `${s.n ?? s.id}, ${statusText(s)}, ${formatDuration((s.t1 ?? Date.now()) - s.t0)}, on ${lane}, started ${new Date(s.t0).toLocaleTimeString()}`;
}

customElements.define('taskscope-timeline', TimelineApp);
