// A stand-in for the `vscode` module, for benchmarks that load dist/extension.js outside VS Code (activation
// time). Every API is a recording no-op: functions return disposables/proxies, events return disposables,
// settings return their defaults. It exists to time our own code, not to test behaviour (e2e tests do that).
// The few value classes a tree provider builds (TreeItem, ThemeIcon, ThemeColor, MarkdownString) and a working
// EventEmitter are small real classes, so the tree-refresh bench can count onDidChangeTreeData and time
// getChildren/getTreeItem without the recording proxies growing with every call.
'use strict';
const calls = [];
function disposable() { return { dispose() {} }; }
function anything(path) {
  const fn = function () {};
  return new Proxy(fn, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // never look like a promise
      if (prop === 'dispose') return () => {};
      if (prop === Symbol.toPrimitive) return () => path;
      if (typeof prop === 'string' && prop.startsWith('onDid')) return () => disposable();
      return anything(`${path}.${String(prop)}`);
    },
    set() { return true; }, // assignments (item.text = …) are accepted and forgotten
    apply(_t, _this, args) { calls.push(path); return anything(`${path}()`, args); },
    construct() { calls.push(`new ${path}`); return anything(`new ${path}`); },
  });
}
class EventEmitter {
  constructor() {
    const listeners = new Set();
    this.listeners = listeners;
    this.event = (listener, thisArg) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      listeners.add(bound);
      return { dispose() { listeners.delete(bound); } };
    };
  }
  fire(value) { for (const l of [...this.listeners]) l(value); }
  dispose() { this.listeners.clear(); }
}
const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
class TreeItem { constructor(label, collapsibleState = TreeItemCollapsibleState.None) { this.label = label; this.collapsibleState = collapsibleState; } }
class ThemeColor { constructor(id) { this.id = id; } }
class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } }
class MarkdownString {
  constructor(value = '', supportThemeIcons = false) { this.value = value; this.supportThemeIcons = supportThemeIcons; }
  appendMarkdown(text) { this.value += text; return this; }
  appendText(text) { this.value += text.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&'); return this; }
  appendCodeblock(code, language = '') { this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`; return this; }
}
const configuration = { get: (_key, fallback) => fallback, inspect: () => undefined, has: () => false, update: async () => undefined };
const base = anything('vscode');
const api = {
  EventEmitter, TreeItem, TreeItemCollapsibleState, ThemeColor, ThemeIcon, MarkdownString,
  Disposable: class { constructor(fn) { this.fn = fn; } dispose() { this.fn?.(); } static from() { return disposable(); } },
  workspace: new Proxy({ getConfiguration: () => configuration, isTrusted: true, workspaceFolders: undefined }, {
    get(target, prop) { return prop in target ? target[prop] : base.workspace[prop]; },
  }),
  commands: { registerCommand: () => disposable(), executeCommand: async () => undefined },
  __calls: calls,
};
// esbuild's interop copies the module's own keys, so every namespace the extension touches is a real key.
for (const name of ['window', 'env', 'languages', 'extensions', 'l10n', 'Uri',
  'StatusBarAlignment', 'ViewColumn', 'ProgressLocation', 'LogLevel',
  'ConfigurationTarget', 'QuickPickItemKind', 'Range', 'Position', 'CancellationTokenSource', 'TreeItemCheckboxState',
  'FileType', 'RelativePattern', 'QuickInputButtons', 'ColorThemeKind']) {
  api[name] = base[name];
}
module.exports = api;
