// Host side of the webview protocol for one panel: validates inbound messages against an allow-list, answers
// `ready` with a full snapshot, then sends coalesced deltas with a sequence number (at most 10 per second,
// none while hidden, a full snapshot when shown again).
import type * as vscode from 'vscode';
import type { z } from 'zod';
import type { ChangeSet } from '../../core/store/change-set';
import { ChangeCoalescer } from '../../core/util/coalescer';
import type { SourceLogger } from '../../core/source/source';
import { ReadyCommand, type NotificationType, type OutboundMessage } from '../../protocol/ipc';

export const PANEL_MESSAGE_INTERVAL_MS = 100;

export interface PanelMessengerOptions<S, D> {
  readonly snapshot: NotificationType<string, S>;
  readonly delta: NotificationType<string, D>;
  buildSnapshot(): S;
  /** `undefined` when the change does not concern this panel. */
  buildDelta(change: ChangeSet): D | undefined;
  /** Inbound command handlers by method, each with the schema its params must satisfy. */
  readonly commands: Readonly<Record<string, { schema: z.ZodType; handle(params: unknown): void }>>;
  readonly log: SourceLogger;
  /** Called after each snapshot went out (e.g. to send a queued reveal). */
  afterSnapshot?(): void;
}

export class PanelMessenger<S, D> implements vscode.Disposable {
  private seq = 0;
  private ready = false;
  private readonly coalescer: ChangeCoalescer;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Messages posted to the webview (read by the benchmark). */
  posted = 0;
  private resendTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSnapshotAt = -Infinity;

  constructor(private readonly panel: vscode.WebviewPanel, private readonly options: PanelMessengerOptions<S, D>) {
    this.coalescer = new ChangeCoalescer(PANEL_MESSAGE_INTERVAL_MS, (c) => this.sendDelta(c));
    this.coalescer.setPaused(!panel.visible);
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidChangeViewState(() => {
        const visible = this.panel.visible;
        if (visible && this.ready) this.sendSnapshot();
        this.coalescer.setPaused(!visible);
      }),
    );
  }

  onStoreChange(change: ChangeSet): void {
    if (this.ready) this.coalescer.add(change);
  }

  /**
   * Sends a fresh snapshot soon (e.g. the webview changed what it asks for, or data loaded asynchronously).
   * Throttled like deltas, so a chatty webview cannot make the host flood it; nothing while hidden (the
   * snapshot on show covers it).
   */
  resendSnapshot(): void {
    if (!this.ready || this.resendTimer !== undefined) return;
    const wait = Math.max(0, this.lastSnapshotAt + PANEL_MESSAGE_INTERVAL_MS - Date.now());
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      if (this.panel.visible) this.sendSnapshot();
    }, wait);
  }

  private receive(message: unknown): void {
    if (typeof message !== 'object' || message === null || typeof (message as { method?: unknown }).method !== 'string') {
      this.options.log.warn(`webview ${this.panel.viewType}: dropped a message without a method`);
      return;
    }
    const { method, params } = message as { method: string; params?: unknown };
    if (method === ReadyCommand.method) {
      this.ready = true;
      this.sendSnapshot();
      return;
    }
    const command = this.options.commands[method];
    if (!command) {
      this.options.log.warn(`webview ${this.panel.viewType}: dropped unknown method "${method.slice(0, 80)}"`);
      return;
    }
    const parsed = command.schema.safeParse(params);
    if (!parsed.success) {
      this.options.log.warn(`webview ${this.panel.viewType}: dropped "${method}" with invalid params: ${parsed.error.issues[0]?.message ?? ''}`);
      return;
    }
    command.handle(parsed.data);
  }

  private sendSnapshot(): void {
    this.lastSnapshotAt = Date.now();
    this.coalescer.discardPending();
    this.post({ method: this.options.snapshot.method, params: this.options.buildSnapshot(), seq: ++this.seq });
    this.options.afterSnapshot?.();
  }

  /** Whether the webview said `ready` (so it has handlers for what we send). */
  get isReady(): boolean { return this.ready; }

  /**
   * An unsequenced notification outside the snapshot/delta stream (search results, a reveal). Dropped when
   * the panel is hidden or not ready; callers pace themselves (≤ 30 per second).
   */
  notify<P>(notification: NotificationType<string, P>, params: P): boolean {
    if (!this.ready || !this.panel.visible) return false;
    this.post({ method: notification.method, params });
    return true;
  }

  private sendDelta(change: ChangeSet): void {
    if (!this.panel.visible) return;
    const delta = this.options.buildDelta(change);
    if (delta === undefined) return;
    this.post({ method: this.options.delta.method, params: delta, seq: ++this.seq });
  }

  private post(message: OutboundMessage): void {
    this.posted++;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.resendTimer !== undefined) clearTimeout(this.resendTimer);
    this.coalescer.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
