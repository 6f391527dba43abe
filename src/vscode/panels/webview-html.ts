// The one HTML builder for every webview: a crypto nonce, `default-src 'none'`, scripts only with the nonce,
// styles and fonts only from the extension's own origin. No vscode import, so it is unit-tested directly.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin VS Code serves the extension's local resources from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly title: string;
  /** The `<body>` element's only child: the panel's root custom element. */
  readonly rootElement: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Lit and vscode-elements set element styles (`style=` attributes, constructed sheets); inline styles cannot run code.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function buildWebviewHtml(o: WebviewHtmlOptions): string {
  if (!/^[a-z][a-z0-9-]*-[a-z0-9-]+$/.test(o.rootElement)) throw new Error(`invalid custom element name: ${o.rootElement}`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(buildCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeText(o.title)}</title>
</head>
<body>
<${o.rootElement}></${o.rootElement}>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
