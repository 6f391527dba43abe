// The manifest and the code agree: every contributed command has a handler, every menu `viewItem` clause
// matches a context value the trees produce, every setting is read, every view has a provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_IDS } from '../../src/vscode/commands/command-ids';
import { ALL_CONTEXT_VALUES } from '../../src/vscode/views/context-values';

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
  };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const sources = sourceFiles('src').map((f) => readFileSync(f, 'utf8')).join('\n');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every contributed command has a handler and vice versa', () => {
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, [...COMMAND_IDS].sort());
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'Taskscope', `${c.command} is under the Taskscope category`);
  // The container registers through a Record<CommandId, handler>: check each id appears as a key there.
  const container = readFileSync('src/vscode/container.ts', 'utf8');
  for (const id of COMMAND_IDS) assert.ok(container.includes(`'${id}':`), `container registers a handler for ${id}`);
});

test('every menu item refers to a contributed command', () => {
  const ids = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items) assert.ok(ids.has(item.command), `${menu} refers to unknown command ${item.command}`);
  }
});

test('every viewItem clause matches a context value the trees produce', () => {
  const clauses: string[] = [];
  for (const items of Object.values(manifest.contributes.menus)) {
    for (const item of items) {
      for (const m of (item.when ?? '').matchAll(/viewItem\s*(==|=~)\s*(\/(?:[^/\\]|\\.)+\/|'[^']*'|[^\s&|)]+)/g)) clauses.push(`${m[1]} ${m[2]}`);
    }
  }
  assert.ok(clauses.length > 0, 'the manifest has viewItem clauses to check');
  for (const clause of clauses) {
    const [op, value] = clause.split(' ', 2) as [string, string];
    const matches = op === '=='
      ? ALL_CONTEXT_VALUES.filter((v) => v === value.replace(/^'|'$/g, ''))
      : ALL_CONTEXT_VALUES.filter((v) => new RegExp(value.slice(1, value.lastIndexOf('/')).replace(/\\\\/g, '\\')).test(v));
    assert.ok(matches.length > 0, `viewItem ${clause} matches none of ${ALL_CONTEXT_VALUES.join(', ')}`);
  }
});

test('every context value the trees produce is declared in context-values.ts and used', () => {
  for (const value of ALL_CONTEXT_VALUES) assert.match(value, /^taskscope:[a-z-]+(:[a-z-]+)?$/);
  const used = [...sources.matchAll(/CONTEXT_VALUES\.(\w+)/g)].map((m) => m[1]);
  assert.ok(used.length >= ALL_CONTEXT_VALUES.length - 1, 'the trees use the declared context values');
});

test('every setting has a description and is read somewhere', () => {
  for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties)) {
    assert.ok(schema.description || schema.markdownDescription, `${key} has a description`);
    const short = key.replace(/^taskscope\./, '');
    assert.ok(sources.includes(`'${short}'`) || sources.includes(`'${key}'`), `${key} is read in src/`);
  }
});

test('views: Queues, Workers and Workflows in the Taskscope container, each with welcome content', () => {
  const views = manifest.contributes.views['taskscope'] ?? [];
  assert.deepEqual(views.map((v) => v.name), ['Queues', 'Workers', 'Workflows']);
  for (const v of views) {
    assert.ok(sources.includes(`'${v.id}'`), `${v.id} has a tree provider`);
    const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === v.id);
    assert.ok(welcome?.contents.includes('command:taskscope.addConnection'), `${v.id} welcome offers Add Connection`);
    assert.ok(welcome?.contents.includes('command:taskscope.startDemo'), `${v.id} welcome offers Start Demo`);
  }
});

test('activation is lazy: no "*" or onStartupFinished', () => {
  assert.ok(!manifest.activationEvents.includes('*'));
  assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
  assert.equal(manifest.main, './dist/extension.js');
});
