// Loads a built webview bundle into headless Chromium the way VS Code would — same CSP, a fake
// `acquireVsCodeApi`, theme variables — and lets a test post host messages, read what the page posted back,
// collect CSP violations and page errors, and take screenshots.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { InboundMessage, OutboundMessage } from '../../src/protocol/ipc';
import { buildCsp, buildWebviewHtml, createNonce } from '../../src/vscode/panels/webview-html';
import { repoRoot } from './repo-root';

const ROOT = repoRoot();
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const RESULTS_DIR = join(ROOT, 'test-results');

export type Theme = 'dark' | 'light';

/** The policy the extension sets: the real builder's output. `origin` stands in for `webview.cspSource`. */
export function extensionCsp(origin: string, nonce: string): string {
  return buildCsp(origin, nonce);
}

/** The extension's policy without `'unsafe-inline'` for styles: proves a panel needs no inline styles at all. */
export function strictCsp(origin: string, nonce: string): string {
  const csp = buildCsp(origin, nonce);
  const strict = csp.replace(`style-src ${origin} 'unsafe-inline'`, `style-src ${origin}`);
  if (strict === csp) throw new Error(`strictCsp: the extension's style-src changed; update the harness (${csp})`);
  return strict;
}

export interface CspViolation {
  readonly directive: string;
  readonly blockedURI: string;
  readonly sample: string;
  readonly sourceFile: string;
  readonly line: number;
}

export interface OpenWebviewOptions {
  readonly theme?: Theme;
  /** Builds the CSP from the server origin and the page nonce; defaults to {@link extensionCsp}. */
  readonly csp?: (origin: string, nonce: string) => string;
  readonly viewport?: { readonly width: number; readonly height: number };
  /** What `getState()` returns at start, as after a reload with saved UI state. */
  readonly initialState?: unknown;
  /** The panel's root custom element, which the extension's HTML puts in `<body>`; `taskscope-<panel>` by default. */
  readonly rootElement?: string;
}

export interface WebviewHandle {
  readonly page: Page;
  /**
   * Runs JavaScript text in the page. Text, not a function: the test tsconfig has no DOM types, and tsx would
   * wrap named inner functions in a `__name()` helper the page does not have.
   */
  evaluate<T>(script: string): Promise<T>;
  /** `dataset` of the focused element, looking through shadow roots; undefined when nothing is focused. */
  focusedDataset(): Promise<Record<string, string> | undefined>;
  /** Everything the page posted to the host, oldest first. */
  posted(): Promise<InboundMessage[]>;
  clearPosted(): Promise<void>;
  /** Resolves once the page has posted a message with `method` (and matching `predicate`, if given). */
  waitForPosted(method: string, predicate?: (params: unknown) => boolean, timeoutMs?: number): Promise<InboundMessage>;
  /** Delivers a host → webview message and waits until the page has rendered it. */
  post(message: OutboundMessage): Promise<void>;
  /**
   * Like `post`, and returns the milliseconds the page spent from receiving the message to having rendered and
   * laid it out (measured in the page, so Playwright's transport is not counted).
   */
  postTimed(message: OutboundMessage): Promise<number>;
  /** Waits for pending Lit updates and two animation frames (virtualizer layout runs in a frame). */
  settle(): Promise<void>;
  /** The last value the page passed to `setState`. */
  state(): Promise<unknown>;
  cspViolations(): Promise<CspViolation[]>;
  /**
   * Markup that data could have smuggled in, searched through every shadow root: img/svg/iframe/object/embed,
   * inline scripts, `on*` handler attributes, and `javascript:` URLs in href/src/action attributes.
   */
  injectedMarkup(): Promise<string[]>;
  /** Reads `window[name]`, e.g. the flag an XSS payload would set. */
  global(name: string): Promise<unknown>;
  /** Uncaught exceptions and console errors seen so far. */
  errors(): readonly string[];
  setTheme(theme: Theme): Promise<void>;
  /** Saves `test-results/<name>.png` and returns its path. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

// ---- bundle ---------------------------------------------------------------------------------------------------

const bundles = new Map<string, string>();

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The panel's bundle: `dist/webview/<panel>.js` from `node esbuild.mjs` when it is newer than every source it
 * depends on; otherwise built here with the webview options of esbuild.mjs (so a stale dist, or a repo whose
 * host build does not compile yet, never hides a webview change). Keep the options in step with esbuild.mjs.
 */
export async function webviewBundle(panel: string): Promise<string> {
  const cached = bundles.get(panel);
  if (cached !== undefined) return cached;
  const entry = join(ROOT, 'webview', panel, 'main.ts');
  if (!existsSync(entry)) throw new Error(`No webview entry point ${entry}`);
  const dist = join(ROOT, 'dist', 'webview', `${panel}.js`);
  const sourcesChanged = Math.max(newestMtime(join(ROOT, 'webview')), newestMtime(join(ROOT, 'src', 'protocol')), newestMtime(join(ROOT, 'src', 'core')));
  let code: string;
  if (existsSync(dist) && statSync(dist).mtimeMs >= sourcesChanged) {
    code = readFileSync(dist, 'utf8');
  } else {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: dist, // not written; names the output
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      loader: { '.css': 'text' },
      legalComments: 'none',
      sourcemap: false,
      logLevel: 'silent',
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    if (!js) throw new Error(`esbuild produced no JavaScript for ${panel}`);
    code = js.text;
  }
  bundles.set(panel, code);
  return code;
}

// ---- browser --------------------------------------------------------------------------------------------------

let browser: Promise<Browser> | undefined;
let openPages = 0;

function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH); the webview tests never download a browser.`);
  }
  browser ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return browser;
}

// ---- themes ---------------------------------------------------------------------------------------------------

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", "Liberation Sans", sans-serif';
const MONO = '"Droid Sans Mono", "monospace", "Liberation Mono", monospace';

const COMMON_VARS: Record<string, string> = {
  'font-family': FONT, 'font-weight': 'normal', 'font-size': '13px',
  'editor-font-family': MONO, 'editor-font-weight': 'normal', 'editor-font-size': '14px',
};

/** A subset of VS Code's "Dark Modern" and "Light Modern" colours: the ones webviews and vscode-elements read. */
export const THEME_VARS: Readonly<Record<Theme, Readonly<Record<string, string>>>> = {
  dark: {
    ...COMMON_VARS,
    'foreground': '#cccccc', 'descriptionForeground': '#9d9d9d', 'disabledForeground': '#cccccc80', 'errorForeground': '#f85149',
    'focusBorder': '#0078d4', 'contrastBorder': 'transparent', 'widget-border': '#313131', 'panel-border': '#2b2b2b',
    'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'editorWidget-background': '#202020', 'sideBar-background': '#181818',
    'editorWarning-foreground': '#cca700', 'inputValidation-warningBackground': '#352a05', 'inputValidation-warningBorder': '#b89500',
    'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
    'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
    'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'input-placeholderForeground': '#989898',
    'settings-textInputBackground': '#313131', 'settings-textInputForeground': '#cccccc', 'settings-textInputBorder': '#3c3c3c',
    'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-focusOutline': '#0078d4',
    'testing-iconPassed': '#73c991', 'testing-iconFailed': '#f14c4c',
    'charts-foreground': '#cccccc', 'charts-lines': '#cccccc80', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff', 'charts-yellow': '#cca700',
    'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    'progressBar-background': '#0078d4', 'textLink-foreground': '#4daafc', 'textPreformat-foreground': '#d0d0d0',
    'keybindingLabel-background': '#8080802b', 'keybindingLabel-foreground': '#cccccc', 'keybindingLabel-border': '#33333399', 'keybindingLabel-bottomBorder': '#44444499',
    'scrollbarSlider-background': '#79797966', 'scrollbarSlider-hoverBackground': '#646464b3', 'scrollbarSlider-activeBackground': '#bfbfbf66',
    'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'checkbox-foreground': '#cccccc',
    'settings-checkboxBackground': '#313131', 'settings-checkboxBorder': '#3c3c3c', 'settings-checkboxForeground': '#cccccc',
    'settings-dropdownBackground': '#313131', 'settings-dropdownBorder': '#3c3c3c', 'settings-dropdownForeground': '#cccccc', 'settings-dropdownListBorder': '#454545',
    'editorHoverWidget-background': '#202020', 'editorHoverWidget-foreground': '#cccccc', 'editorHoverWidget-border': '#454545',
  },
  light: {
    ...COMMON_VARS,
    'foreground': '#3b3b3b', 'descriptionForeground': '#717171', 'disabledForeground': '#61616180', 'errorForeground': '#e51400',
    'focusBorder': '#005fb8', 'contrastBorder': 'transparent', 'widget-border': '#e5e5e5', 'panel-border': '#e5e5e5',
    'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'editorWidget-background': '#f8f8f8', 'sideBar-background': '#f8f8f8',
    'editorWarning-foreground': '#bf8803', 'inputValidation-warningBackground': '#f6f5d2', 'inputValidation-warningBorder': '#b89500',
    'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
    'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': '#0000001a',
    'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
    'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'input-placeholderForeground': '#767676',
    'settings-textInputBackground': '#ffffff', 'settings-textInputForeground': '#3b3b3b', 'settings-textInputBorder': '#cecece',
    'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'list-focusOutline': '#005fb8',
    'testing-iconPassed': '#388a34', 'testing-iconFailed': '#f14c4c',
    'charts-foreground': '#616161', 'charts-lines': '#61616180', 'charts-red': '#e51400', 'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803',
    'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
    'progressBar-background': '#005fb8', 'textLink-foreground': '#005fb8', 'textPreformat-foreground': '#3b3b3b',
    'keybindingLabel-background': '#dddddd66', 'keybindingLabel-foreground': '#555555', 'keybindingLabel-border': '#cccccc66', 'keybindingLabel-bottomBorder': '#bbbbbb66',
    'scrollbarSlider-background': '#64646466', 'scrollbarSlider-hoverBackground': '#646464b3', 'scrollbarSlider-activeBackground': '#00000099',
    'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'checkbox-foreground': '#3b3b3b',
    'settings-checkboxBackground': '#f8f8f8', 'settings-checkboxBorder': '#cecece', 'settings-checkboxForeground': '#3b3b3b',
    'settings-dropdownBackground': '#ffffff', 'settings-dropdownBorder': '#cecece', 'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownListBorder': '#c8c8c8',
    'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-foreground': '#3b3b3b', 'editorHoverWidget-border': '#c8c8c8',
  },
};

/** VS Code's own default webview styles (body padding, font, scrollbars), as its webview host injects them. */
const DEFAULT_WEBVIEW_CSS = `
  html { background: var(--vscode-editor-background); scrollbar-color: var(--vscode-scrollbarSlider-background) var(--vscode-editor-background); }
  body {
    background-color: transparent; color: var(--vscode-editor-foreground);
    font-family: var(--vscode-font-family); font-weight: var(--vscode-font-weight); font-size: var(--vscode-font-size);
    margin: 0; padding: 0 20px;
  }
  a, a code { color: var(--vscode-textLink-foreground); }
  code { font-family: var(--vscode-editor-font-family); color: var(--vscode-textPreformat-foreground); }
`;

function themeCss(theme: Theme): string {
  const vars = Object.entries(THEME_VARS[theme]).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  return `:root { ${vars} color-scheme: ${theme}; }\n${DEFAULT_WEBVIEW_CSS}`;
}

/**
 * Runs in the page before any of its scripts (a Playwright init script, which CSP does not govern — just as
 * VS Code injects `acquireVsCodeApi` from outside the page's policy). Theme styles go in as a constructable
 * stylesheet: VS Code sets the same variables through CSSOM, and neither is an inline style.
 * Kept as plain JavaScript text: tsx would otherwise wrap named functions in a `__name()` helper that does
 * not exist in the page.
 */
const FAKE_HOST_SCRIPT = `(init) => {
  const w = window;
  const posted = [];
  const violations = [];
  let state = init.state;
  let acquired = false;
  w.__posted = posted;
  w.__cspViolations = violations;
  w.__state = state;
  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push({ directive: e.effectiveDirective || e.violatedDirective, blockedURI: e.blockedURI, sample: e.sample, sourceFile: e.sourceFile, line: e.lineNumber });
  });
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      // VS Code structured-clones what is posted; a JSON round trip catches non-serializable payloads the same way.
      postMessage: (message) => { posted.push(JSON.parse(JSON.stringify(message))); },
      getState: () => state,
      setState: (next) => { state = next; w.__state = next; return next; },
    });
  };
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(init.css);
  w.__themeSheet = sheet;
  document.adoptedStyleSheets = [sheet];
  w.__theme = init.theme;
  w.__applyThemeClass = () => {
    document.body.classList.remove('vscode-dark', 'vscode-light');
    document.body.classList.add('vscode-' + w.__theme);
    document.body.dataset.vscodeThemeKind = 'vscode-' + w.__theme;
  };
  document.addEventListener('DOMContentLoaded', () => w.__applyThemeClass(), { once: true });
}`;

/** Waits for every Lit element's pending update (through shadow roots), then two frames for layout. */
const SETTLE_SCRIPT = `(async () => {
  const pending = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.updateComplete) pending.push(el.updateComplete);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  await Promise.all(pending);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
})()`;

// The shadow roots of @vscode-elements controls draw their own static icons as <svg> (a select's chevron, a
// checkbox's tick); data never reaches them (slotted content lives in the light DOM, which is checked), so an
// <svg> there is not counted; everything else is, everywhere.
const INJECTED_MARKUP_SCRIPT = `(() => {
  const found = [];
  const visit = (root, library) => {
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (['img', 'iframe', 'object', 'embed'].includes(tag) || (tag === 'svg' && !library) || (tag === 'script' && !el.src)) found.push(tag);
      for (const a of el.getAttributeNames()) {
        if (a.startsWith('on') || (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a) && /javascript:/i.test(el.getAttribute(a) || ''))) found.push(tag + '[' + a + ']');
      }
      if (el.shadowRoot) visit(el.shadowRoot, tag.startsWith('vscode-'));
    }
  };
  visit(document, false);
  return found;
})()`;

// ---- page -----------------------------------------------------------------------------------------------------

const escapeAttr = (v: string): string => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The extension's own HTML (same builder), with the CSP swapped when a test asks for another one. */
function html(panel: string, rootElement: string, origin: string, nonce: string, csp: string): string {
  const page = buildWebviewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview/${panel}.js`, title: `Taskscope ${panel}`, rootElement });
  const standard = `content="${escapeAttr(buildCsp(origin, nonce))}"`;
  if (!page.includes(standard)) throw new Error('webview-harness: could not find the CSP meta tag in the extension HTML');
  return page.replace(standard, `content="${escapeAttr(csp)}"`);
}

async function serve(panel: string, rootElement: string, bundle: string): Promise<{ server: Server; origin: string; nonce: string; setCsp(csp: string): void }> {
  const nonce = createNonce();
  let csp = '';
  let origin = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html(panel, rootElement, origin, nonce, csp));
    } else if (path === `/dist/webview/${panel}.js`) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(bundle);
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end(); // a top-level page asks for one; a webview iframe never does
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin, nonce, setCsp: (value) => { csp = value; } };
}

/** Opens `webview/<panel>` in a fresh Chromium page. Close the handle when done (the browser closes with the last one). */
export async function openWebview(panel: string, options: OpenWebviewOptions = {}): Promise<WebviewHandle> {
  const theme = options.theme ?? 'dark';
  const bundle = await webviewBundle(panel);
  const { server, origin, nonce, setCsp } = await serve(panel, options.rootElement ?? `taskscope-${panel}`, bundle);
  setCsp((options.csp ?? extensionCsp)(origin, nonce));
  openPages++;
  const b = await launch();
  const context = await b.newContext({
    viewport: options.viewport ?? { width: 1200, height: 800 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: theme,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.addInitScript(`(${FAKE_HOST_SCRIPT})(${JSON.stringify({ state: options.initialState, css: themeCss(theme), theme })});`);
  await page.goto(`${origin}/`, { waitUntil: 'load' });

  const settle = async (): Promise<void> => { await page.evaluate(SETTLE_SCRIPT); };

  let closed = false;
  const handle: WebviewHandle = {
    page,
    evaluate: <T>(script: string) => page.evaluate(script) as Promise<T>,
    posted: () => page.evaluate('window.__posted.slice()') as Promise<InboundMessage[]>,
    clearPosted: async () => { await page.evaluate('window.__posted.length = 0'); },
    async waitForPosted(method, predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await handle.posted()).find((m) => m.method === method && (!predicate || predicate(m.params)));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`The page did not post '${method}' within ${timeoutMs} ms; it posted ${JSON.stringify(await handle.posted())}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async post(message) {
      await handle.postTimed(message);
    },
    async postTimed(message) {
      // Sent as JSON text: VS Code structured-clones host messages, and a string crosses the CDP boundary far
      // faster than a large object graph.
      return (await page.evaluate(`(async (json) => {
        const started = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(json) }));
        await ${SETTLE_SCRIPT};
        return performance.now() - started;
      })(${JSON.stringify(JSON.stringify(message))})`)) as number;
    },
    settle,
    state: () => page.evaluate('window.__state'),
    cspViolations: () => page.evaluate('window.__cspViolations.slice()') as Promise<CspViolation[]>,
    injectedMarkup: () => page.evaluate(INJECTED_MARKUP_SCRIPT) as Promise<string[]>,
    global: (name) => page.evaluate(`window[${JSON.stringify(name)}]`),
    focusedDataset: () => page.evaluate(`(() => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      return el && el !== document.body ? { ...el.dataset } : undefined;
    })()`) as Promise<Record<string, string> | undefined>,
    errors: () => errors.slice(),
    async setTheme(next) {
      await page.emulateMedia({ colorScheme: next });
      await page.evaluate(`(() => {
        window.__themeSheet.replaceSync(${JSON.stringify(themeCss(next))});
        window.__theme = ${JSON.stringify(next)};
        window.__applyThemeClass();
      })()`);
      await settle();
    },
    async screenshot(name, shotOptions = {}) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const path = join(RESULTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: shotOptions.fullPage ?? false, animations: 'disabled' });
      return path;
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (--openPages === 0 && browser) {
        const b2 = browser;
        browser = undefined;
        await (await b2).close().catch(() => undefined);
      }
    },
  };
  return handle;
}
