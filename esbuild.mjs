// Builds the extension host bundle (Node, CJS), the `taskscope` CLI bundle, and one browser bundle per webview.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Optional native add-ons of `ws` and others that must stay out of the bundle (they are optional at run time). */
const nodeExternals = ['vscode', 'bufferutil', 'utf-8-validate', 'msgpackr-extract', 'cpu-features'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/**
 * The sources (and ioredis, bullmq, ws, mqtt) are a bundle of their own, dist/sources.js, required by
 * src/sources/create-source.ts when the first profile connects: activation never parses or evaluates them.
 */
const sourcesAsSeparateBundle = {
  name: 'sources-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\/source-catalog$/ }, () => ({ path: './sources.js', external: true }));
  },
};

const webviewEntries = readdirSync('webview', { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join('webview', d.name, 'main.ts')))
  .map((d) => ({ in: join('webview', d.name, 'main.ts'), out: d.name }));

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    plugins: [sourcesAsSeparateBundle],
  },
  {
    ...common,
    entryPoints: ['src/sources/source-catalog.ts'],
    outfile: 'dist/sources.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  {
    // The Redis pub/sub reader thread (src/sources/redis/pubsub-thread.ts starts it from dist/).
    ...common,
    entryPoints: ['src/sources/redis/pubsub-worker.ts'],
    outfile: 'dist/pubsub-worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  {
    // The MQTT reader thread (src/sources/mqtt/mqtt-thread.ts starts it from dist/).
    ...common,
    entryPoints: ['src/sources/mqtt/mqtt-worker.ts'],
    outfile: 'dist/mqtt-worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    plugins: [sourcesAsSeparateBundle],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The demo simulators behind "Taskscope: Start Demo", loaded by the extension only on demand.
    ...common,
    entryPoints: ['demo/in-editor.ts'],
    outfile: 'dist/demo-simulator.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  {
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
];

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
