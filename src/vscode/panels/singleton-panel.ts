// A dashboard that exists at most once (Timeline, Log search): a DashboardPanel (the one HTML builder and
// messenger) created on demand, brought to the front when asked again, and adopted when VS Code restores it.
import type * as vscode from 'vscode';
import type { ChangeSet } from '../../core/store/change-set';
import type { SourceLogger } from '../../core/source/source';
import { createDashboardWebview, DashboardPanel, type DashboardSpec } from './dashboard-panel';
import type { PanelMessenger, PanelMessengerOptions } from './panel-messenger';

export interface SingletonPanelSpec extends DashboardSpec {
  readonly title: string;
}

export abstract class SingletonPanel implements vscode.Disposable {
  private dashboard: DashboardPanel<unknown, unknown> | undefined;

  constructor(
    protected readonly extensionUri: vscode.Uri,
    private readonly spec: SingletonPanelSpec,
    protected readonly logger: SourceLogger,
    /** Called when the panel opens: a visible panel counts as a view, so sources may connect. */
    private readonly onShown: () => void,
  ) {}

  get isOpen(): boolean { return this.dashboard !== undefined; }
  get visible(): boolean { return this.dashboard?.visible ?? false; }
  get messagesPosted(): number { return this.dashboard?.messenger.posted ?? 0; }
  protected get messenger(): PanelMessenger<unknown, unknown> | undefined { return this.dashboard?.messenger; }

  /** Opens the panel, or brings it to the front. Returns true when it was newly created. */
  protected open(): boolean {
    if (this.dashboard) {
      this.dashboard.reveal();
      return false;
    }
    this.attach(createDashboardWebview(this.extensionUri, this.spec, this.spec.title));
    return true;
  }

  /** Adopts a panel VS Code restored after a reload. */
  restore(panel: vscode.WebviewPanel, _state?: unknown): void {
    if (this.dashboard) {
      panel.dispose();
      return;
    }
    this.attach(panel);
  }

  onStoreChange(change: ChangeSet): void { this.dashboard?.onStoreChange(change); }

  protected abstract messengerOptions(): Omit<PanelMessengerOptions<unknown, unknown>, 'log'>;

  /** Called when the panel goes away (closed by the user or disposed). */
  protected onClosed(): void {}

  private attach(panel: vscode.WebviewPanel): void {
    this.dashboard = new DashboardPanel(panel, this.extensionUri, this.spec, this.spec.title, this.messengerOptions(), this.logger, () => {
      this.dashboard = undefined;
      this.onClosed();
    });
    this.onShown();
  }

  dispose(): void { this.dashboard?.dispose(); }
}
