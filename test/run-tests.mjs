// Runs the test pyramid with one runner (node --test): `node test/run-tests.mjs <tier>` where tier is
// unit | integration | webview | e2e | all. `all` first lints, type-checks and builds, then runs every tier
// in one node --test invocation so the run ends with a single summary.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const TIERS = ['unit', 'integration', 'webview', 'e2e'];
const tier = process.argv[2] ?? 'all';
const extra = process.argv.slice(3);
if (tier !== 'all' && !TIERS.includes(tier)) {
  console.error(`unknown tier "${tier}"; use one of: all, ${TIERS.join(', ')}`);
  process.exit(2);
}

function filesUnder(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(filesUnder(path));
    else if (/\.test\.ts$/.test(name)) out.push(path);
  }
  return out.sort();
}

function run(label, cmd, args) {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  console.log(`◀ ${label}: ${result.status === 0 ? 'ok' : `failed (${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const tiers = tier === 'all' ? TIERS : [tier];
if (tier === 'all') {
  run('lint', 'npx', ['eslint', '.']);
  run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('typecheck webviews', 'npx', ['tsc', '-p', 'webview/tsconfig.json', '--noEmit']);
}
if (tiers.some((t) => t === 'webview' || t === 'e2e' || t === 'integration')) run('build', 'node', ['esbuild.mjs']);

// Unit, integration and webview files run two at a time; e2e files each drive a whole code-server + Chromium,
// so they run one at a time in a second invocation.
const groups = [
  { label: tiers.filter((t) => t !== 'e2e').join(', '), files: tiers.filter((t) => t !== 'e2e').flatMap((t) => filesUnder(join('test', t))), concurrency: 2 },
  { label: 'e2e', files: tiers.includes('e2e') ? filesUnder(join('test', 'e2e')) : [], concurrency: 1 },
].filter((g) => g.files.length > 0);
if (groups.length === 0) {
  console.error(`no test files found for tier "${tier}"`);
  process.exit(1);
}
for (const g of groups) {
  run(`tests (${g.label}: ${g.files.length} files)`, process.execPath, [
    // --test-force-exit: once a file's tests and hooks are done, a client someone forgot to close cannot keep CI hanging.
    '--import', 'tsx', '--test', '--test-reporter=spec', '--test-force-exit', `--test-concurrency=${g.concurrency}`, ...extra, ...g.files,
  ]);
}
