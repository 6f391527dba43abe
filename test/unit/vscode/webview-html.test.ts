// The webview HTML builder: strict CSP with a fresh crypto nonce, and nothing from outside escapes into markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp, buildWebviewHtml, createNonce } from '../../../src/vscode/panels/webview-html';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

test('CSP denies by default and allows scripts only with the nonce', () => {
  const csp = buildCsp(cspSource, 'abc123');
  const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d]));
  assert.equal(directives.get('default-src'), "default-src 'none'");
  assert.equal(directives.get('script-src'), "script-src 'nonce-abc123'");
  assert.ok(!csp.includes("'unsafe-eval'"));
  assert.ok(!/script-src[^;]*'unsafe-inline'/.test(csp));
  assert.equal(directives.get('connect-src'), "connect-src 'none'");
  assert.equal(directives.get('style-src'), `style-src ${cspSource} 'unsafe-inline'`);
});

test('nonces are random, long and base64', () => {
  const a = createNonce();
  const b = createNonce();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9+/]{24}$/);
});

test('the page carries the CSP, the nonce on its only script, and the root element', () => {
  const html = buildWebviewHtml({ cspSource, nonce: 'N0nce', scriptUri: `${cspSource}/dist/webview/overview.js`, title: 'Overview <x>', rootElement: 'taskscope-overview' });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-N0nce';/);
  assert.equal([...html.matchAll(/<script/g)].length, 1);
  assert.match(html, /<script nonce="N0nce" src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/dist\/webview\/overview\.js"><\/script>/);
  assert.match(html, /<taskscope-overview><\/taskscope-overview>/);
  assert.match(html, /<title>Overview &lt;x&gt;<\/title>/);
});

test('attribute values are escaped and bad element names refused', () => {
  const html = buildWebviewHtml({ cspSource, nonce: 'n"><script>alert(1)</script>', scriptUri: 'x"onload="alert(1)', title: 't', rootElement: 'taskscope-overview' });
  assert.equal([...html.matchAll(/<script/g)].length, 1);
  assert.ok(!html.includes('"onload="'));
  assert.throws(() => buildWebviewHtml({ cspSource, nonce: 'n', scriptUri: 'x', title: 't', rootElement: 'img src=x onerror=alert(1)' }));
});
