// `npm run bench`: builds once, then runs every benchmark in bench/ (one process each, one after another so
// they do not disturb each other) and prints their ratio lines. Benchmarks are not tests: this exits 0
// unless a benchmark crashes, and every README performance claim comes from one of these lines. host-memory.ts
// needs code-server and Chromium (as the e2e tests do) and runs ~4 min; `npm run bench -- discovery tree` picks some.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = __dirname;
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: join(dir, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

let crashed = 0;
for (const file of benches) {
  console.log(`\n== ${file} ==`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], { stdio: 'inherit', cwd: join(dir, '..') });
  if (r.status !== 0) {
    crashed++;
    console.log(`!! ${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(crashed > 0 ? 1 : 0);
