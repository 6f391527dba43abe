// <taskscope-json-tree>: a collapsible JSON viewer that renders lazily — a node's children are built only
// when it is expanded, and long arrays/objects show 100 entries at a time. Every key and value is text.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { baseStyles } from '../shared/styles';

const PAGE = 100;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class JsonTree extends LitElement {
  static override properties = { value: { attribute: false }, label: { type: String } };
  declare value: Json;
  declare label: string;
  /** Paths expanded by the user; the root starts open. */
  private readonly open = new Set<string>(['$']);
  /** How many children are shown per expanded path. */
  private readonly shown = new Map<string, number>();

  constructor() {
    super();
    this.value = null;
    this.label = 'value';
  }

  static override styles = [baseStyles, css`
    :host { font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 13px); }
    ul { list-style: none; margin: 0; padding-left: 16px; }
    ul.root { padding-left: 0; }
    .row { display: flex; gap: 6px; align-items: baseline; padding: 1px 0; }
    .toggle { width: 14px; flex: none; text-align: center; }
    .key { color: var(--vscode-symbolIcon-propertyForeground, var(--vscode-textLink-foreground)); }
    .string { color: var(--vscode-debugTokenExpression-string, #ce9178); white-space: pre-wrap; overflow-wrap: anywhere; }
    .number { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
    .boolean, .null { color: var(--vscode-debugTokenExpression-boolean, #569cd6); }
    .summary { color: var(--vscode-descriptionForeground); }
  `];

  private toggle(path: string): void {
    if (this.open.has(path)) this.open.delete(path); else this.open.add(path);
    this.requestUpdate();
  }

  private more(path: string): void {
    this.shown.set(path, (this.shown.get(path) ?? PAGE) + PAGE);
    this.requestUpdate();
  }

  protected override render(): TemplateResult {
    return html`<ul class="root" role="tree" aria-label=${this.label}>${this.node('$', this.label, this.value, 1)}</ul>`;
  }

  private node(path: string, key: string, value: Json, level: number): TemplateResult {
    const isContainer = value !== null && typeof value === 'object';
    if (!isContainer) {
      return html`<li role="treeitem" aria-level=${level}><div class="row"><span class="toggle"></span><span class="key">${key}:</span>${this.scalar(value)}</div></li>`;
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const expanded = this.open.has(path);
    const summary = Array.isArray(value) ? `Array(${entries.length})` : `{${entries.length} ${entries.length === 1 ? 'key' : 'keys'}}`;
    const limit = this.shown.get(path) ?? PAGE;
    return html`<li role="treeitem" aria-level=${level} aria-expanded=${String(expanded)}>
      <div class="row"><button class="link-button toggle" data-path=${path} aria-label=${`${expanded ? 'Collapse' : 'Expand'} ${key}`} @click=${() => this.toggle(path)}>${expanded ? '▾' : '▸'}</button>
        <span class="key">${key}:</span><span class="summary">${summary}</span></div>
      ${expanded ? html`<ul role="group">
        ${entries.slice(0, limit).map(([k, v]) => this.node(`${path}.${k}`, k, v, level + 1))}
        ${entries.length > limit ? html`<li><button class="link-button summary" data-more=${path} @click=${() => this.more(path)}>Show ${Math.min(PAGE, entries.length - limit)} more of ${entries.length - limit} remaining</button></li>` : nothing}
      </ul>` : nothing}
    </li>`;
  }

  private scalar(v: Json): TemplateResult {
    if (v === null) return html`<span class="null">null</span>`;
    if (typeof v === 'string') return html`<span class="string">"${v}"</span>`;
    if (typeof v === 'number') return html`<span class="number">${String(v)}</span>`;
    return html`<span class="boolean">${String(v)}</span>`;
  }
}

customElements.define('taskscope-json-tree', JsonTree);
