// The "Topics" subtree of an MQTT connection in the Queues view: the topic browser's trie, each topic with
// its last value (truncated, flagged) and message rate as the description and recent history in the tooltip.
import * as vscode from 'vscode';
import type { TopicBrowser, TopicEntry } from '../../core/topics/topic-browser';
import { CONTEXT_VALUES } from './context-values';
import { escapeMd } from './tree-items';

/** Children shown per node; the rest is summarized in one message row. */
export const MAX_TOPIC_CHILDREN = 200;
const DESCRIPTION_CHARS = 80;

export function topicsGroupItem(browser: TopicBrowser): vscode.TreeItem {
  const item = new vscode.TreeItem('Topics', vscode.TreeItemCollapsibleState.Collapsed);
  const refused = browser.topicsRefused > 0 ? ` · ${browser.topicsRefused} not tracked (limit)` : '';
  item.description = `${browser.topicCount} topic${browser.topicCount === 1 ? '' : 's'} · ${browser.messageCount} messages${refused}`;
  item.iconPath = new vscode.ThemeIcon('list-tree');
  item.contextValue = CONTEXT_VALUES.topics;
  item.tooltip = `Topics seen on this connection (at most ${MAX_TOPIC_CHILDREN} per level shown). History is capped in bytes per topic.`;
  return item;
}

export function topicItem(entry: TopicEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(entry.name === '' ? '(empty)' : entry.name, entry.hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.contextValue = CONTEXT_VALUES.topic;
  const s = entry.stats;
  if (!s) {
    item.iconPath = new vscode.ThemeIcon('folder');
    item.description = `${entry.topicCount} topic${entry.topicCount === 1 ? '' : 's'}`;
    return item;
  }
  item.iconPath = new vscode.ThemeIcon('symbol-event');
  const last = s.last;
  const value = last ? last.text.replace(/\s+/g, ' ').trim() : '';
  const cut = value.length > DESCRIPTION_CHARS ? `${value.slice(0, DESCRIPTION_CHARS)}…` : value;
  item.description = `${cut}${last?.truncated ? ' [truncated]' : ''} · ${formatRate(s.ratePerSecond)}`;
  const tip = new vscode.MarkdownString(undefined, false);
  tip.isTrusted = false;
  tip.supportHtml = false;
  tip.appendMarkdown(`**${escapeMd(entry.path)}**\n\n`);
  tip.appendMarkdown(`${s.count} message(s) · ${formatRate(s.ratePerSecond)} · history ${s.historySize} (${s.historyBytes} bytes)\n\n`);
  if (last) {
    tip.appendMarkdown(`Last, ${new Date(last.at).toISOString()}${last.truncated ? ` — truncated, ${last.bytes} bytes in total` : ''}:\n\n`);
    tip.appendCodeblock(last.text.slice(0, 2_000), 'json');
  }
  item.tooltip = tip;
  item.accessibilityInformation = { label: `Topic ${entry.path}, ${s.count} messages, ${formatRate(s.ratePerSecond)}` };
  return item;
}

export function formatRate(perSecond: number): string {
  if (perSecond === 0) return 'idle';
  if (perSecond >= 10) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 0.1) return `${perSecond.toFixed(1)}/s`;
  return `${(perSecond * 60).toFixed(1)}/min`;
}
