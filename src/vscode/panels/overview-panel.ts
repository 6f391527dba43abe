// The Overview webview: connection health and queue counts, fed through the typed protocol. One panel at a
// time; restored after a reload by the serializer registered in the container.
import * as vscode from 'vscode';
import { z } from 'zod';
import type { ChangeSet } from '../../core/store/change-set';
import type { MonitorStore } from '../../core/store/monitor-store';
import type { SourceLogger } from '../../core/source/source';
import { OverviewFeed } from '../../core/views/overview-feed';
import { DidChangeNotification, DidSnapshotNotification, ReconnectCommand, RevealQueueCommand } from '../../protocol/overview';
import { PanelMessenger } from './panel-messenger';
import { buildWebviewHtml, createNonce } from './webview-html';

export const OVERVIEW_VIEW_TYPE = 'taskscope.overview';

export interface OverviewActions {
  revealQueue(key: string): void;
  reconnect(connectionId: string): void;
}

export class OverviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private messenger: PanelMessenger<unknown, unknown> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: MonitorStore,
    private readonly actions: OverviewActions,
    private readonly log: SourceLogger,
    /** Called when the panel opens: a visible panel counts as a view, so sources may connect. */
    private readonly onShown: () => void,
  ) {}

  get isOpen(): boolean { return this.panel !== undefined; }
  get visible(): boolean { return this.panel?.visible ?? false; }
  get messagesPosted(): number { return this.messenger?.posted ?? 0; }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(OVERVIEW_VIEW_TYPE, 'Taskscope Overview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, this.webviewOptions());
    this.attach(panel);
  }

  /** Adopts a panel VS Code restored after a reload. */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
  }

  onStoreChange(change: ChangeSet): void { this.messenger?.onStoreChange(change); }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'taskscope.svg');
    const feed = new OverviewFeed(this.store);
    const messenger = new PanelMessenger(panel, {
      snapshot: DidSnapshotNotification,
      delta: DidChangeNotification,
      buildSnapshot: () => feed.snapshot(Date.now()),
      buildDelta: (change) => feed.delta(change, Date.now()),
      commands: {
        [RevealQueueCommand.method]: { schema: z.object({ key: z.string().max(1000) }), handle: (p) => this.actions.revealQueue((p as { key: string }).key) },
        [ReconnectCommand.method]: { schema: z.object({ connectionId: z.string().max(200) }), handle: (p) => this.actions.reconnect((p as { connectionId: string }).connectionId) },
      },
      log: this.log,
    });
    this.messenger = messenger as PanelMessenger<unknown, unknown>;
    const scriptUri = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'overview.js'));
    panel.webview.html = buildWebviewHtml({
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: scriptUri.toString(),
      title: 'Taskscope Overview',
      rootElement: 'taskscope-overview',
    });
    this.disposables.push(messenger, panel.onDidDispose(() => {
      messenger.dispose();
      this.panel = undefined;
      this.messenger = undefined;
    }));
    this.onShown();
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
