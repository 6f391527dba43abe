// Draws the timeline on a canvas: time axis, lane labels and separators, and every visible span batched into
// one path per status (so 100k spans cost a few hundred thousand path ops, not 100k fillStyle changes),
// skipping spans that would land on pixels already covered in their row. Colours come from the theme.
import { STATUS_CATEGORIES, type StatusCategory } from '../../src/core/timeline/status-category';
import { formatTick, lowerBound, ticks, type Layout } from './timeline-model';

export const AXIS_H = 24;
export const ROW_H = 18;
export const LANE_GAP = 6;
export const GUTTER_W = 168;

export interface Palette {
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly border: string;
  /** Non-empty in high-contrast themes: every span gets this outline. */
  readonly contrastBorder: string;
  readonly selection: string;
  readonly status: Readonly<Record<StatusCategory, string>>;
  readonly font: string;
}

export interface Viewport {
  readonly t0: number;
  readonly t1: number;
  /** Vertical scroll in pixels. */
  readonly scrollY: number;
  readonly width: number;
  readonly height: number;
}

/** Pixel y of an absolute row's top, before scrolling: rows of later lanes are pushed down by the gaps. */
export function rowTop(layout: Layout, absRow: number): number {
  let laneIdx = 0;
  for (let i = 0; i < layout.lanes.length; i++) if (layout.lanes[i]!.firstRow <= absRow) laneIdx = i;
  return AXIS_H + absRow * ROW_H + laneIdx * LANE_GAP;
}

export function contentHeight(layout: Layout): number {
  return AXIS_H + layout.totalRows * ROW_H + Math.max(0, layout.lanes.length) * LANE_GAP;
}

/** The absolute row under pixel y (scrolled), or -1. */
export function rowAt(layout: Layout, y: number, scrollY: number): number {
  const cy = y + scrollY - AXIS_H;
  if (y < AXIS_H || cy < 0) return -1;
  for (let i = 0; i < layout.lanes.length; i++) {
    const lane = layout.lanes[i]!;
    const top = lane.firstRow * ROW_H + i * LANE_GAP;
    if (cy >= top && cy < top + lane.rows * ROW_H) return lane.firstRow + Math.floor((cy - top) / ROW_H);
  }
  return -1;
}

// Shape by status as well as colour: completed spans are thinner; failed spans full height with a marker
// stripe; running spans full height and open-ended. So states stay apart in any theme or for colour blindness.
const HEIGHT: Readonly<Record<StatusCategory, number>> = { completed: 10, failed: 14, running: 14, waiting: 8, cancelled: 6, other: 10 };

export function drawTimeline(ctx: CanvasRenderingContext2D, layout: Layout, vp: Viewport, p: Palette, now: number, selected: number | undefined, hovered: number | undefined): void {
  const { width, height, t0, t1, scrollY } = vp;
  const plotX = GUTTER_W;
  const plotW = Math.max(1, width - GUTTER_W);
  const scale = plotW / Math.max(1e-9, t1 - t0);
  const xOf = (t: number): number => plotX + (t - t0) * scale;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = p.font;
  ctx.textBaseline = 'middle';

  // Grid and axis labels.
  const tk = ticks(t0, t1, plotW);
  ctx.fillStyle = p.grid;
  for (const v of tk.values) ctx.fillRect(Math.round(xOf(v)), AXIS_H, 1, height - AXIS_H);
  ctx.fillStyle = p.muted;
  ctx.textAlign = 'left';
  for (const v of tk.values) {
    const label = formatTick(v, tk.step);
    const x = Math.round(xOf(v)) + 3;
    if (x + ctx.measureText(label).width <= width) ctx.fillText(label, x, AXIS_H / 2); // no label cut at the right edge
  }
  ctx.fillStyle = p.border;
  ctx.fillRect(0, AXIS_H - 1, width, 1);

  // Lanes: find the visible ones, draw their spans into one path per status.
  const paths = STATUS_CATEGORIES.map(() => new Path2D());
  const markers = new Path2D();
  const rowCover = new Float64Array(layout.totalRows * STATUS_CATEGORIES.length).fill(-Infinity);
  const labels: [string, number, number][] = [];
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_H, width, height - AXIS_H);
  ctx.clip();
  for (let li = 0; li < layout.lanes.length; li++) {
    const lane = layout.lanes[li]!;
    const top = AXIS_H + lane.firstRow * ROW_H + li * LANE_GAP - scrollY;
    const bottom = top + lane.rows * ROW_H;
    if (bottom < AXIS_H || top > height) continue;
    labels.push([lane.label, top, lane.rows]);
    ctx.fillStyle = p.border;
    ctx.fillRect(0, bottom + LANE_GAP / 2, width, 1);
    const first = lowerBound(lane.order, layout.start, t0 - lane.maxDuration);
    const last = lowerBound(lane.order, layout.start, t1 + 1e-9);
    for (let k = first; k < last; k++) {
      const i = lane.order[k]!;
      const s = layout.start[i]!;
      const eRaw = layout.end[i]!;
      const e = Number.isNaN(eRaw) ? now : eRaw;
      if (e < t0) continue;
      const r = layout.row[i]!;
      const y = top + (r - lane.firstRow) * ROW_H;
      if (y + ROW_H < AXIS_H || y > height) continue;
      const cat = layout.category[i]!;
      let x0 = Math.max(plotX - 2, xOf(s));
      const x1 = Math.min(width + 2, xOf(e));
      let w = x1 - x0;
      if (w < 1) { w = 1; x0 = Math.floor(x0); }
      const coverIdx = r * STATUS_CATEGORIES.length + cat;
      if (x0 + w <= rowCover[coverIdx]! + 0.5) continue; // this row's pixels for this status are already painted
      rowCover[coverIdx] = x0 + w;
      const h = HEIGHT[STATUS_CATEGORIES[cat]!];
      const yy = y + (ROW_H - h) / 2;
      paths[cat]!.rect(x0, yy, w, h);
      if (STATUS_CATEGORIES[cat] === 'failed' && w >= 3) markers.rect(x0, yy, Math.min(3, w), h);
    }
  }
  STATUS_CATEGORIES.forEach((cat, c) => { ctx.fillStyle = p.status[cat]; ctx.fill(paths[c]!); });
  ctx.fillStyle = p.foreground;
  ctx.fill(markers);
  if (p.contrastBorder) {
    ctx.strokeStyle = p.contrastBorder;
    ctx.lineWidth = 1;
    for (const path of paths) ctx.stroke(path);
  }

  // Selected and hovered spans: an outline in the focus colour.
  for (const [i, dash] of [[selected, false], [hovered, true]] as const) {
    if (i === undefined || i >= layout.spans.length) continue;
    const top = rowTop(layout, layout.row[i]!) - scrollY;
    const e = Number.isNaN(layout.end[i]!) ? now : layout.end[i]!;
    const x0 = Math.max(plotX - 2, xOf(layout.start[i]!));
    const w = Math.max(3, Math.min(width + 2, xOf(e)) - x0);
    ctx.strokeStyle = p.selection;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash ? [3, 2] : []);
    ctx.strokeRect(x0 - 1, top + 1, w + 2, ROW_H - 2);
    ctx.setLineDash([]);
  }

  // "Now" line.
  if (now >= t0 && now <= t1) {
    ctx.fillStyle = p.status.running;
    ctx.fillRect(Math.round(xOf(now)), AXIS_H, 1, height - AXIS_H);
  }
  ctx.restore();

  // Gutter with lane labels, drawn last so spans scroll under it. Labels are canvas text: never markup.
  ctx.fillStyle = p.background;
  ctx.fillRect(0, AXIS_H, GUTTER_W - 4, height - AXIS_H);
  ctx.fillStyle = p.border;
  ctx.fillRect(GUTTER_W - 4, AXIS_H, 1, height - AXIS_H);
  ctx.fillStyle = p.foreground;
  ctx.textAlign = 'left';
  for (const [label, top, rows] of labels) {
    const y = Math.max(AXIS_H + ROW_H / 2, top + ROW_H / 2);
    if (y > top + rows * ROW_H) continue;
    ctx.fillText(fit(ctx, label, GUTTER_W - 16), 8, y);
  }
}

const fitCache = new Map<string, string>();

/** Cuts `text` with an ellipsis to fit `maxWidth` (memoized per font and width). */
export function fit(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  const key = `${ctx.font}|${maxWidth}|${text}`;
  const hit = fitCache.get(key);
  if (hit !== undefined) return hit;
  let out = text;
  if (ctx.measureText(text).width > maxWidth) {
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
      else hi = mid - 1;
    }
    out = `${text.slice(0, lo)}…`;
  }
  if (fitCache.size > 5_000) fitCache.clear();
  fitCache.set(key, out);
  return out;
}

/** The brush strip: span-start density over the whole range, and the visible window as a handle. */
export function drawBrush(ctx: CanvasRenderingContext2D, layout: Layout, width: number, height: number, range: { min: number; max: number }, window: { t0: number; t1: number }, p: Palette): void {
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, height);
  const bins = new Uint32Array(Math.max(1, Math.floor(width)));
  const span = Math.max(1, range.max - range.min);
  for (let i = 0; i < layout.start.length; i++) {
    const b = Math.floor(((layout.start[i]! - range.min) / span) * (bins.length - 1));
    if (b >= 0 && b < bins.length) bins[b]!++;
  }
  let max = 1;
  for (const v of bins) max = Math.max(max, v);
  ctx.fillStyle = p.muted;
  for (let x = 0; x < bins.length; x++) {
    if (!bins[x]) continue;
    const h = Math.max(1, (Math.sqrt(bins[x]!) / Math.sqrt(max)) * (height - 4));
    ctx.fillRect(x, height - h, 1, h);
  }
  const x0 = ((window.t0 - range.min) / span) * width;
  const x1 = ((window.t1 - range.min) / span) * width;
  ctx.fillStyle = p.selection;
  ctx.globalAlpha = 0.25;
  ctx.fillRect(x0, 0, Math.max(2, x1 - x0), height);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = p.selection;
  ctx.lineWidth = 2;
  ctx.strokeRect(x0 + 1, 1, Math.max(2, x1 - x0 - 2), height - 2);
  ctx.fillStyle = p.border;
  ctx.fillRect(0, 0, width, 1);
}
