// One open dashboard webview (metrics, task detail, workflow graph): the panel, its HTML from the one
// builder, and its messenger. Owners keep these in a map by target and forward store changes.
import * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import type { SourceLogger } from '../../core/source/source';
import { PanelMessenger, type PanelMessengerOptions } from './panel-messenger';
import { buildWebviewHtml, createNonce } from './webview-html';

export interface DashboardSpec {
  readonly viewType: string;
  /** `dist/webview/<bundle>.js` */
  readonly bundle: string;
  readonly rootElement: string;
}

export function dashboardWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class DashboardPanel<S, D> implements vscode.Disposable {
  readonly messenger: PanelMessenger<S, D>;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    spec: DashboardSpec,
    title: string,
    options: Omit<PanelMessengerOptions<S, D>, 'log'>,
    log: SourceLogger,
    onDisposed: () => void,
  ) {
    panel.webview.options = dashboardWebviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'taskscope.svg');
    panel.title = title;
    this.messenger = new PanelMessenger<S, D>(panel, { ...options, log });
    panel.webview.html = buildWebviewHtml({
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${spec.bundle}.js`)).toString(),
      title,
      rootElement: spec.rootElement,
    });
    this.subscriptions.push(panel.onDidDispose(() => {
      this.messenger.dispose();
      for (const s of this.subscriptions) s.dispose();
      onDisposed();
    }));
  }

  get visible(): boolean { return this.panel.visible; }

  onStoreChange(change: ChangeSet): void { this.messenger.onStoreChange(change); }

  reveal(): void { this.panel.reveal(undefined, false); }

  dispose(): void { this.panel.dispose(); }
}

export function createDashboardWebview(extensionUri: vscode.Uri, spec: DashboardSpec, title: string): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(spec.viewType, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, dashboardWebviewOptions(extensionUri));
}
