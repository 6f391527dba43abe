// <taskscope-metrics>: pick any series in the store, chart it live (≤ 10 updates/s from the host, one draw per
// frame), with rates for counters, units on the axes, a text legend, preset and drag-selected ranges.
// UI state (selection, filter, range) survives reloads through setState.
import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { formatValue } from '../../src/core/series/units';
import { DidChangeNotification, DidSnapshotNotification, MAX_SELECTED_SERIES, SelectSeriesCommand } from '../../src/protocol/metrics';
import { getIpcClient, type IpcClient } from '../shared/ipc-client';
import { baseStyles } from '../shared/styles';
import { CHART_COLOR_VARS, MetricChart, uPlotCss, type ChartSeries } from './chart';
import { MetricsModel, seriesLabel } from './metrics-model';

export type RangePreset = '5m' | '15m' | '1h' | 'all';
const PRESETS: readonly { id: RangePreset; label: string; ms: number }[] = [
  { id: '5m', label: '5 min', ms: 5 * 60_000 }, { id: '15m', label: '15 min', ms: 15 * 60_000 }, { id: '1h', label: '1 hour', ms: 3_600_000 }, { id: 'all', label: 'All', ms: Infinity },
];
/** The shortest window "follow live" shows while less data than the preset has arrived. */
const MIN_WINDOW_MS = 60_000;
/** Catalogue rows rendered at once; the filter narrows the rest. */
const MAX_LIST = 300;

export interface MetricsUiState {
  readonly selected: readonly string[];
  readonly filter: string;
  readonly preset: RangePreset;
  /** A range dragged on the chart (ms); overrides the preset until reset. */
  readonly range?: { readonly from: number; readonly to: number };
}

export class MetricsApp extends LitElement {
  static override properties = {
    filter: { state: true }, preset: { state: true }, range: { state: true }, cursor: { state: true }, rev: { state: true },
  };
  declare filter: string;
  declare preset: RangePreset;
  declare range: { from: number; to: number } | undefined;
  declare cursor: number | undefined;
  declare rev: number;

  private readonly model = new MetricsModel();
  private client: IpcClient<MetricsUiState> | undefined;
  private chart: MetricChart | undefined;
  private drawn: ChartSeries[] = [];
  private frame = 0;
  private resizeObserver: ResizeObserver | undefined;
  private themeObserver: MutationObserver | undefined;
  private wanted: string[] | undefined;

  constructor() {
    super();
    this.filter = '';
    this.preset = '15m';
    this.range = undefined;
    this.cursor = undefined;
    this.rev = 0;
  }

  static override styles = [baseStyles, unsafeCSS(uPlotCss), css`
    :host { height: 100vh; display: grid; grid-template-columns: minmax(220px, 300px) 1fr; gap: 16px; padding: 12px 0; }
    aside { display: flex; flex-direction: column; gap: 8px; min-height: 0; }
    aside ul { list-style: none; margin: 0; padding: 0; overflow: auto; flex: 1; border-top: 1px solid var(--vscode-widget-border, transparent); }
    aside li label { display: flex; gap: 6px; align-items: flex-start; padding: 3px 2px; cursor: pointer; overflow-wrap: anywhere; font-size: 12px; }
    aside li label:hover { background: var(--vscode-list-hoverBackground); }
    main { display: flex; flex-direction: column; gap: 8px; min-width: 0; min-height: 0; }
    .toolbar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    .toolbar .spacer { flex: 1; }
    .chart { flex: 1; min-height: 200px; position: relative; }
    .chart .u-select { background: var(--vscode-editor-selectionBackground, rgba(0, 120, 212, 0.25)); }
    .empty { padding: 32px; text-align: center; }
    .legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12px; }
    .legend li { display: inline-flex; align-items: center; gap: 6px; max-width: 100%; }
    .legend .swatch { width: 10px; height: 3px; flex: none; }
    .swatch.c0 { background: var(--vscode-charts-blue, #3794ff); }
    .swatch.c1 { background: var(--vscode-charts-red, #f14c4c); }
    .swatch.c2 { background: var(--vscode-charts-green, #89d185); }
    .swatch.c3 { background: var(--vscode-charts-yellow, #cca700); }
    .swatch.c4 { background: var(--vscode-charts-purple, #b180d7); }
    .swatch.c5 { background: var(--vscode-charts-orange, #d18616); }
    .legend .name { overflow-wrap: anywhere; }
    .legend .value { font-variant-numeric: tabular-nums; font-weight: 600; }
    vscode-button[aria-pressed='true'] { outline: 1px solid var(--vscode-focusBorder); }
    /* A narrow editor column (side by side with another panel): the series list above, the chart full width. */
    @media (max-width: 720px) {
      :host { grid-template-columns: minmax(0, 1fr); grid-template-rows: minmax(120px, 32vh) minmax(240px, 1fr); gap: 10px; }
    }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) return;
    this.client = getIpcClient<MetricsUiState>();
    const saved = this.client.getState();
    if (typeof saved?.filter === 'string') this.filter = saved.filter;
    if (PRESETS.some((p) => p.id === saved?.preset)) this.preset = saved!.preset!;
    if (saved?.range && Number.isFinite(saved.range.from) && Number.isFinite(saved.range.to)) this.range = { from: saved.range.from, to: saved.range.to };
    if (Array.isArray(saved?.selected)) this.wanted = saved.selected.filter((k): k is string => typeof k === 'string').slice(0, MAX_SELECTED_SERIES);
    this.client.onSnapshot(DidSnapshotNotification, (s) => {
      this.model.applySnapshot(s);
      // After a reload the host does not know our selection yet: ask once, the next snapshot carries its data.
      if (this.wanted && this.wanted.join('\n') !== this.model.selected.join('\n')) {
        const keys = this.wanted.filter((k) => this.model.catalog.has(k));
        this.wanted = undefined;
        if (keys.length > 0) { this.sendSelection(keys); }
      } else if (this.wanted === undefined && this.model.selected.length === 0 && !this.defaulted) {
        this.defaulted = true;
        const defaults = this.model.filtered('taskscope_tasks_').slice(0, 4).map((s) => s.key);
        if (defaults.length > 0) this.sendSelection(defaults);
      }
      this.wanted = undefined;
      this.dataChanged();
    });
    this.client.onNotification(DidChangeNotification, (d) => {
      if (!this.model.loaded) return;
      this.model.applyDelta(d);
      this.dataChanged();
    });
  }

  private defaulted = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.themeObserver?.disconnect();
    this.chart?.destroy();
    cancelAnimationFrame(this.frame);
  }

  protected override firstUpdated(): void { this.client?.ready(); }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('preset') || changed.has('range')) this.scheduleDraw();
    const host = this.renderRoot.querySelector<HTMLElement>('.chart');
    if (host && !this.chart) {
      this.chart = new MetricChart(host, {
        onSelectRange: (r) => { this.range = r; this.saveUi(); },
        onCursor: (i) => { this.cursor = i; },
      });
      this.resizeObserver = new ResizeObserver(() => { const r = host.getBoundingClientRect(); this.chart?.resize(Math.floor(r.width), Math.floor(r.height)); });
      this.resizeObserver.observe(host);
      // VS Code swaps the --vscode-* variables and the body's theme class on a theme change; the canvas keeps the
      // colours it was drawn with, so read them again.
      this.themeObserver = new MutationObserver(() => { this.chart?.retheme(this.drawn); });
      this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
      this.scheduleDraw();
    } else if (!host && this.chart) {
      this.chart.destroy();
      this.chart = undefined;
      this.resizeObserver?.disconnect();
      this.themeObserver?.disconnect();
    }
  }

  private dataChanged(): void {
    this.rev = this.model.revision;
    this.scheduleDraw();
  }

  /** At most one draw per frame, however many deltas arrived. */
  private scheduleDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (!this.chart) return;
      this.drawn = this.model.chartSeries(this.visibleRange());
      this.chart.setSeries(this.drawn, this.range ?? this.presetRange());
      this.requestUpdate();
    });
  }

  /** The window of the preset, ending at the newest sample ("follow live"). */
  private presetRange(): { from: number; to: number } | undefined {
    const ms = PRESETS.find((p) => p.id === this.preset)?.ms ?? Infinity;
    if (!Number.isFinite(ms)) return undefined;
    let newest = -Infinity;
    let oldest = Infinity;
    for (const key of this.model.selected) {
      const pts = this.model.points.get(key);
      newest = Math.max(newest, pts?.at(-1)?.[0] ?? -Infinity);
      oldest = Math.min(oldest, pts?.[0]?.[0] ?? Infinity);
    }
    if (!Number.isFinite(newest)) return undefined;
    // Until the data fills the preset, show what there is (at least a minute) instead of a few pixels at the edge.
    return { from: Math.max(newest - ms, Math.min(oldest, newest - MIN_WINDOW_MS)), to: newest };
  }

  private visibleRange(): { from: number; to: number } | undefined { return this.range ?? this.presetRange(); }

  private sendSelection(keys: string[]): void {
    this.model.selected = keys;
    this.client?.send(SelectSeriesCommand, { keys });
    this.saveUi();
  }

  private saveUi(): void {
    this.client?.setState({ selected: this.model.selected, filter: this.filter, preset: this.preset, range: this.range });
  }

  private toggle(key: string, on: boolean): void {
    const next = on ? [...this.model.selected, key].slice(0, MAX_SELECTED_SERIES) : this.model.selected.filter((k) => k !== key);
    this.sendSelection(next);
    this.requestUpdate();
  }

  protected override render(): TemplateResult {
    if (!this.model.loaded) {
      return html`<div class="empty" role="status"><vscode-progress-ring aria-label="Loading"></vscode-progress-ring><span class="muted">Waiting for data…</span></div>`;
    }
    const list = this.model.filtered(this.filter);
    const selected = new Set(this.model.selected);
    return html`
      <aside aria-label="Series">
        <h1>Metrics</h1>
        <vscode-textfield placeholder="Filter series" aria-label="Filter series" .value=${this.filter}
          @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; this.saveUi(); }}></vscode-textfield>
        <span class="muted">${this.model.catalog.size} series · ${selected.size} charted (max ${MAX_SELECTED_SERIES})</span>
        <ul role="list" aria-label="Series in the store">
          ${list.slice(0, MAX_LIST).map((s) => html`<li>
            <label title=${`${seriesLabel(s)} — ${s.connectionId} · ${s.samples} samples`}>
              <input type="checkbox" data-key=${s.key} .checked=${selected.has(s.key)} ?disabled=${!selected.has(s.key) && selected.size >= MAX_SELECTED_SERIES}
                @change=${(e: Event) => this.toggle(s.key, (e.target as HTMLInputElement).checked)}>
              <span><span class="series-name">${seriesLabel(s)}</span> <span class="muted">${s.connectionId}${s.kind === 'counter' ? ' · rate' : ''}</span></span>
            </label></li>`)}
          ${list.length > MAX_LIST ? html`<li class="muted">${list.length - MAX_LIST} more — refine the filter</li>` : nothing}
          ${this.model.catalog.size === 0 ? html`<li class="muted">No series yet. Sources report metrics once connected; Taskscope derives throughput, latency, queue depth and worker counts from task and queue events.</li>` : nothing}
        </ul>
      </aside>
      <main>
        <div class="toolbar" role="toolbar" aria-label="Time range">
          ${PRESETS.map((p) => html`<vscode-button secondary aria-pressed=${String(!this.range && this.preset === p.id)} data-preset=${p.id}
            @click=${() => { this.preset = p.id; this.range = undefined; this.saveUi(); }}>${p.label}</vscode-button>`)}
          ${this.range ? html`<vscode-button data-action="reset-range" @click=${() => { this.range = undefined; this.saveUi(); }}>Reset zoom</vscode-button>
            <span class="muted range">${new Date(this.range.from).toLocaleTimeString()} – ${new Date(this.range.to).toLocaleTimeString()}</span>` : html`<span class="muted">Following live · drag on the chart to zoom</span>`}
        </div>
        ${this.renderLegend()}
        ${this.model.selected.length === 0 ? html`<div class="empty muted">Pick series on the left to chart them.</div>` : html`<div class="chart" role="img" aria-label=${`Chart of ${this.drawn.map((s) => s.label).join(', ')}`}></div>`}
      </main>`;
  }

  private renderLegend(): TemplateResult | typeof nothing {
    if (this.drawn.length === 0) return nothing;
    const aligned = this.chart?.aligned;
    return html`<ul class="legend" aria-label="Legend">${this.drawn.map((s, i) => {
      const atCursor = this.cursor !== undefined && aligned ? (aligned[i + 1]?.[this.cursor] ?? null) : undefined;
      const value = atCursor !== undefined ? atCursor : (s.points.at(-1)?.[1] ?? null);
      return html`<li data-key=${s.key}><span class="swatch c${i % CHART_COLOR_VARS.length}" aria-hidden="true"></span>
        <span class="name">${s.label}</span><span class="value">${formatValue(value, s.unit, s.perSecond)}</span></li>`;
    })}</ul>`;
  }
}

customElements.define('taskscope-metrics', MetricsApp);
