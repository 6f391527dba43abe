// The Timeline webview: task spans per worker / queue / connection on a canvas. One panel; opening it for a
// tree item scopes it to that connection, queue, worker or workflow. The scope survives a reload through the
// webview state VS Code hands to the serializer.
import type * as vscode from 'vscode';
import { z } from 'zod';
import type { MonitorStore } from '../../core/store/monitor-store';
import type { SourceLogger } from '../../core/source/source';
import { buildTimelineDelta, buildTimelineSnapshot } from '../../core/views/timeline-view';
import {
  TimelineClearScopeCommand, TimelineDidChangeNotification, TimelineDidSnapshotNotification, TimelineOpenTaskCommand,
  TimelineRevealNotification, type TimelineScope,
} from '../../protocol/timeline';
import type { PanelMessengerOptions } from './panel-messenger';
import { SingletonPanel } from './singleton-panel';

export const TIMELINE_VIEW_TYPE = 'taskscope.timeline';

const scopeSchema = z.object({
  connectionId: z.string().max(200).optional(),
  queue: z.string().max(1000).optional(),
  worker: z.string().max(1000).optional(),
  workflowId: z.string().max(1000).optional(),
  label: z.string().max(2000),
}).strict();

export class TimelinePanel extends SingletonPanel {
  private scope: TimelineScope | undefined;
  private pendingReveal: { key?: string; at: number } | undefined;

  constructor(extensionUri: vscode.Uri, private readonly store: MonitorStore, private readonly actions: { openTask(key: string): void }, log: SourceLogger, onShown: () => void) {
    super(extensionUri, { viewType: TIMELINE_VIEW_TYPE, title: 'Taskscope Timeline', bundle: 'timeline', rootElement: 'taskscope-timeline' }, log, onShown);
  }

  get currentScope(): TimelineScope | undefined { return this.scope; }

  /** Opens the panel for `scope` (undefined: everything). */
  show(scope?: TimelineScope): void {
    this.scope = scope;
    if (!this.open()) this.messenger?.resendSnapshot();
  }

  /** Opens the panel centred on a moment (and a task's span, if it is drawn). */
  reveal(at: number, key?: string): void {
    this.pendingReveal = key === undefined ? { at } : { key, at };
    if (!this.open() && this.messenger?.isReady) this.flushReveal();
  }

  override restore(panel: vscode.WebviewPanel, state?: unknown): void {
    const saved = scopeSchema.safeParse((state as { scope?: unknown } | undefined)?.scope);
    this.scope = saved.success ? saved.data : undefined;
    super.restore(panel, state);
  }

  private flushReveal(): void {
    if (this.pendingReveal && this.messenger?.notify(TimelineRevealNotification, this.pendingReveal)) this.pendingReveal = undefined;
  }

  protected messengerOptions(): Omit<PanelMessengerOptions<unknown, unknown>, 'log'> {
    return {
      snapshot: TimelineDidSnapshotNotification,
      delta: TimelineDidChangeNotification,
      buildSnapshot: () => buildTimelineSnapshot(this.store, this.scope, Date.now()),
      buildDelta: (change) => buildTimelineDelta(this.store, change, this.scope, Date.now()),
      afterSnapshot: () => this.flushReveal(),
      commands: {
        [TimelineOpenTaskCommand.method]: { schema: z.object({ key: z.string().max(3000) }).strict(), handle: (p) => this.actions.openTask((p as { key: string }).key) },
        [TimelineClearScopeCommand.method]: { schema: z.object({}).strict(), handle: () => { this.scope = undefined; this.messenger?.resendSnapshot(); } },
      },
    };
  }

  protected override onClosed(): void { this.pendingReveal = undefined; }
}
