// `npm run bench`: builds once, then runs every benchmark in bench/ (one process each, one after another so
// they do not disturb each other) and prints their ratio lines. Benchmarks are not tests: this exits 0
// unless a benchmark crashes, and every README performance claim comes from one of these lines. host-memory.ts
// needs code-server and Chromium (as the e2e tests do) and runs ~4 min; `npm run bench -- discovery tree` picks some,
// and flags after the names go to each one picked (`npm run bench -- nexus-pubsub --rounds 5`).
//
// Benchmarks that race our code against a library's own client run on an esbuild bundle of themselves (SHIPPED), as
// the extension runs: under tsx every call across our modules goes through an export getter, which the library's
// plain CommonJS does not pay (~0.4 µs a Nexus event, a tenth of its budget). The bundle is written to dist/, next to
// the reader threads' bundles it starts.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const dir = __dirname;
const root = join(dir, '..');
const SHIPPED = new Set(['nexus-pubsub-ingest.ts']);

const { only, flags } = splitArgs(process.argv.slice(2));
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

let crashed = 0;
for (const file of benches) {
  console.log(`\n== ${file} ==`);
  const r = SHIPPED.has(file) ? runBundled(file) : spawnSync(process.execPath, ['--import', 'tsx', join(dir, file), ...flags], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    crashed++;
    console.log(`!! ${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(crashed > 0 ? 1 : 0);

function runBundled(file: string): ReturnType<typeof spawnSync> {
  const out = join(root, 'dist', `bench-${file.replace(/\.ts$/, '.cjs')}`);
  buildSync({ entryPoints: [join(dir, file)], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'warning' });
  return spawnSync(process.execPath, [out, ...flags], { stdio: 'inherit', cwd: root });
}

/** Names pick benchmarks; a `--flag` (and the value after it, if any) goes to each one. */
function splitArgs(args: readonly string[]): { only: string[]; flags: string[] } {
  const only: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) only.push(arg);
    else {
      flags.push(arg);
      const value = args[i + 1];
      if (value !== undefined && !value.startsWith('--') && !/^[a-z-]+$/.test(value)) flags.push(args[++i] as string);
    }
  }
  return { only, flags };
}
