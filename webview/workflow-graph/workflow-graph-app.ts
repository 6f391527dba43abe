// <taskscope-workflow-graph>: the graph of a workflow's stages and tasks, laid out by ELK, status-coloured
// (with the status also written on each node), edges drawn on a canvas, nodes as buttons: click or Enter opens
// the task's detail; arrow keys move between nodes in layout order.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { DidChangeNotification, DidSnapshotNotification, OpenTaskCommand, type GraphNode, type GraphTarget, type WorkflowGraphSnapshot } from '../../src/protocol/workflow-graph';
import { getIpcClient, type IpcClient } from '../shared/ipc-client';
import { baseStyles, stateClass } from '../shared/styles';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, type GraphLayout } from './layout';

export interface WorkflowGraphUiState {
  /** Which graph: read back by the host's serializer to restore the panel. */
  readonly target: GraphTarget;
}

const PAD = 16;

export class WorkflowGraphApp extends LitElement {
  static override properties = { snapshot: { state: true }, layout: { state: true }, layoutError: { state: true } };
  declare snapshot: WorkflowGraphSnapshot | undefined;
  declare layout: GraphLayout | undefined;
  declare layoutError: string | undefined;
  private client: IpcClient<WorkflowGraphUiState> | undefined;
  private layoutKey = '';
  private layoutRun = 0;

  constructor() {
    super();
    this.snapshot = undefined;
    this.layout = undefined;
    this.layoutError = undefined;
  }

  static override styles = [baseStyles, css`
    :host { padding: 12px 0; }
    header { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; margin-bottom: 10px; }
    header h1 { overflow-wrap: anywhere; }
    .canvas-wrap { position: relative; overflow: auto; max-height: calc(100vh - 90px); border: 1px solid var(--vscode-widget-border, transparent); }
    .stage { position: relative; }
    canvas { position: absolute; left: 0; top: 0; }
    .node {
      position: absolute; left: 0; top: 0; width: ${NODE_WIDTH}px; height: ${NODE_HEIGHT}px; box-sizing: border-box;
      display: flex; flex-direction: column; justify-content: center; gap: 1px; padding: 4px 8px 4px 12px; text-align: left;
      font: inherit; font-size: 12px; color: var(--vscode-foreground); cursor: default; overflow: hidden;
      background: var(--vscode-editorWidget-background, var(--vscode-editor-background));
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, #80808080)); border-left: 4px solid var(--state-color, var(--vscode-descriptionForeground));
      border-radius: 3px;
    }
    .node.task { cursor: pointer; }
    .node.task:hover { background: var(--vscode-list-hoverBackground); }
    .node.workflow { font-weight: 600; }
    .node.stage { border-style: dashed; border-left-style: solid; }
    .node .label, .node .sub { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .node .sub { color: var(--vscode-descriptionForeground); font-size: 11px; }
    .empty { padding: 32px; text-align: center; }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) return;
    this.client = getIpcClient<WorkflowGraphUiState>();
    const apply = (s: WorkflowGraphSnapshot): void => {
      this.snapshot = s;
      this.client?.setState({ target: s.target });
      void this.relayout();
    };
    this.client.onSnapshot(DidSnapshotNotification, apply);
    this.client.onNotification(DidChangeNotification, (d) => { if (this.snapshot) apply(d); });
  }

  protected override firstUpdated(): void { this.client?.ready(); }

  /** Runs ELK only when nodes or edges changed; a status change just recolours. */
  private async relayout(): Promise<void> {
    const g = this.snapshot?.graph;
    if (!g) { this.layout = undefined; this.layoutKey = ''; return; }
    if (g.structureKey === this.layoutKey && this.layout) return;
    const run = ++this.layoutRun;
    try {
      const layout = await layoutGraph(g);
      if (run !== this.layoutRun) return;
      this.layoutKey = g.structureKey;
      this.layout = layout;
      this.layoutError = undefined;
    } catch (e) {
      if (run === this.layoutRun) this.layoutError = e instanceof Error ? e.message : String(e);
    }
  }

  protected override updated(): void {
    const layout = this.layout;
    if (!layout) return;
    // Positions through CSSOM (not style attributes), so the panel needs no inline styles.
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.node')) {
      const p = layout.nodes.get(el.dataset.id ?? '');
      if (p) el.style.transform = `translate(${p.x + PAD}px, ${p.y + PAD}px)`;
    }
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas');
    if (!stage || !canvas) return;
    const w = layout.width + PAD * 2, h = layout.height + PAD * 2;
    stage.style.width = `${w}px`;
    stage.style.height = `${h}px`;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.ceil(w * dpr);
    canvas.height = Math.ceil(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = getComputedStyle(this).getPropertyValue('--vscode-charts-lines').trim() || '#888888';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 1.2;
    for (const e of layout.edges) {
      if (e.points.length < 2) continue;
      ctx.beginPath();
      ctx.moveTo(e.points[0]!.x + PAD, e.points[0]!.y + PAD);
      for (const p of e.points.slice(1)) ctx.lineTo(p.x + PAD, p.y + PAD);
      ctx.stroke();
      const end = e.points.at(-1)!, before = e.points.at(-2)!;
      const angle = Math.atan2(end.y - before.y, end.x - before.x);
      ctx.beginPath();
      ctx.moveTo(end.x + PAD, end.y + PAD);
      ctx.lineTo(end.x + PAD - 7 * Math.cos(angle - 0.4), end.y + PAD - 7 * Math.sin(angle - 0.4));
      ctx.lineTo(end.x + PAD - 7 * Math.cos(angle + 0.4), end.y + PAD - 7 * Math.sin(angle + 0.4));
      ctx.fill();
    }
  }

  private open(n: GraphNode): void {
    if (n.task) this.client?.send(OpenTaskCommand, n.task);
  }

  /** Arrow keys move focus to the nearest node in that direction. */
  private onKey(e: KeyboardEvent): void {
    const dirs: Record<string, [number, number]> = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    const dir = dirs[e.key];
    const from = (e.target as HTMLElement).dataset?.id;
    if (!dir || !from || !this.layout) return;
    const p = this.layout.nodes.get(from);
    if (!p) return;
    let best: string | undefined, bestScore = Infinity;
    for (const [id, q] of this.layout.nodes) {
      const dx = q.x - p.x, dy = q.y - p.y;
      const along = dx * dir[0] + dy * dir[1];
      if (id === from || along <= 0) continue;
      const score = along + 2 * Math.abs(dx * dir[1] - dy * dir[0]);
      if (score < bestScore) { bestScore = score; best = id; }
    }
    if (best) {
      e.preventDefault();
      this.renderRoot.querySelector<HTMLElement>(`.node[data-id="${CSS.escape(best)}"]`)?.focus();
    }
  }

  protected override render(): TemplateResult {
    const s = this.snapshot;
    if (!s) return html`<div class="empty" role="status"><vscode-progress-ring aria-label="Loading"></vscode-progress-ring></div>`;
    const g = s.graph;
    if (!g) return html`<div class="empty" role="status">Workflow <span class="mono">${s.target.rootId}</span> is not in the store (yet). It appears here as soon as its source reports it.</div>`;
    return html`
      <header>
        <h1>${g.title}</h1>
        ${g.status ? html`<span class=${stateClass(g.status)}>${g.status}</span>` : nothing}
        ${g.total !== undefined ? html`<span class="muted">${g.done ?? 0}/${g.total} done</span>` : nothing}
        <span class="muted">${g.nodes.length} nodes${g.omitted ? ` · ${g.omitted} tasks not shown (cap)` : ''}</span>
        ${g.blockedReason ? html`<span class="pill warning" role="note">Blocked: ${g.blockedReason}</span>` : nothing}
      </header>
      ${this.layoutError ? html`<div class="notice" role="alert">Layout failed: ${this.layoutError}</div>` : nothing}
      ${!this.layout ? html`<div class="empty muted" role="status">Laying out ${g.nodes.length} nodes…</div>` : nothing}
      <div class="canvas-wrap" ?hidden=${!this.layout}>
        <div class="stage" role="group" aria-label=${`Graph of ${g.title}`} @keydown=${this.onKey}>
          <canvas aria-hidden="true"></canvas>
          ${g.nodes.map((n) => html`<button class="node ${n.kind} ${stateClass(n.status)}" data-id=${n.id} data-status=${n.status}
              tabindex="0" aria-label=${`${n.kind} ${n.label}: ${n.status}${n.task ? ', press Enter to open' : ''}`}
              ?disabled=${false} @click=${() => this.open(n)}>
            <span class="label">${n.label}</span>
            <span class="sub">${n.status}${n.detail ? ` · ${n.detail}` : ''}</span>
          </button>`)}
        </div>
      </div>`;
  }
}

customElements.define('taskscope-workflow-graph', WorkflowGraphApp);
