// The status-bar item: how many connections are up, and a warning colour when one is down.
import * as vscode from 'vscode';
import type { MonitorStore } from '../core/store/monitor-store';
import { stateLabel } from './views/tree-items';

export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly store: MonitorStore) {
    this.item = vscode.window.createStatusBarItem('taskscope.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Taskscope Connections';
    this.item.command = 'taskscope.openOverview';
  }

  update(): void {
    const connections = this.store.connections();
    if (connections.length === 0) {
      this.item.hide();
      return;
    }
    const up = connections.filter((c) => c.state === 'connected').length;
    const started = connections.filter((c) => c.state !== 'idle');
    const down = started.filter((c) => c.state === 'reconnecting' || c.state === 'disconnected');
    const busy = started.some((c) => c.state === 'connecting');
    const icon = down.length > 0 ? '$(debug-disconnect)' : busy ? '$(sync~spin)' : '$(pulse)';
    this.item.text = `${icon} Taskscope ${up}/${connections.length}`;
    this.item.backgroundColor = down.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText('Taskscope connections\n\n');
    for (const c of connections) {
      tooltip.appendText(`${c.name} (${c.system}): ${stateLabel(c)}${c.error && c.state !== 'connected' ? ` — ${c.error}` : ''}\n\n`);
    }
    tooltip.appendMarkdown('Click to open the Overview.');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Taskscope: ${up} of ${connections.length} connections up${down.length ? `, ${down.length} down` : ''}` };
    this.item.show();
  }

  dispose(): void { this.item.dispose(); }
}
