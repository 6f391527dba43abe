// Tree items shared by the three views: the connection node and the one-line message node.
import * as vscode from 'vscode';
import type { ConnectionHealth } from '../../core/model/connection';
import { CONTEXT_VALUES } from './context-values';

export function connectionItem(c: ConnectionHealth, summary: string, hasChildren: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(c.name, hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.description = `${stateLabel(c)}${summary ? ` · ${summary}` : ''}`;
  item.iconPath = connectionIcon(c);
  item.contextValue = c.readOnly ? CONTEXT_VALUES.connectionReadOnly : CONTEXT_VALUES.connection;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.supportHtml = false;
  tooltip.isTrusted = false;
  tooltip.appendMarkdown(`**${escapeMd(c.name)}** — ${c.system} over ${c.kind}\n\n`);
  tooltip.appendMarkdown(`State: ${stateLabel(c)}${c.attempt && c.state !== 'connected' ? ` (attempt ${c.attempt})` : ''}\n\n`);
  if (c.error && c.state !== 'connected') tooltip.appendMarkdown(`Last error: ${escapeMd(c.error)}\n\n`);
  if (c.readOnly) tooltip.appendMarkdown('Read-only: actions that change the system are refused.\n\n');
  if (c.rejectedFrames > 0) tooltip.appendMarkdown(`Rejected ${c.rejectedFrames} invalid frame(s); see the Taskscope log.\n\n`);
  item.tooltip = tooltip;
  return item;
}

export function stateLabel(c: ConnectionHealth): string {
  if (c.state === 'reconnecting' && c.retryInMs !== undefined) return `reconnecting in ${Math.max(1, Math.round(c.retryInMs / 1000))}s`;
  if (c.state === 'idle') return 'not connected';
  return c.state;
}

function connectionIcon(c: ConnectionHealth): vscode.ThemeIcon {
  switch (c.state) {
    case 'connected': return new vscode.ThemeIcon('plug', new vscode.ThemeColor('testing.iconPassed'));
    case 'connecting': return new vscode.ThemeIcon('sync~spin');
    case 'reconnecting': return new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground'));
    case 'disconnected': return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    default: return new vscode.ThemeIcon('circle-outline');
  }
}

export function messageItem(text: string, icon = 'info'): vscode.TreeItem {
  const item = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(icon);
  item.contextValue = CONTEXT_VALUES.message;
  return item;
}

/** Source data goes into Markdown tooltips; escape it so it renders as text, never as links or markup. */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}
