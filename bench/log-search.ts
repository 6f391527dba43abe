// Log search over 1M retained lines: substring (exact and smart-case), regex and field filters through the
// compact LogStore + LogSearch, against GNU grep over the same lines in a file; and the retained memory
// against the same lines as a plain JS array of records. Run: node --expose-gc --import tsx bench/log-search.ts
// (without --expose-gc the memory figures are noisier). Prints: name, ours, baseline, ratio, target.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileQuery, LogSearch } from '../src/core/search/evaluate';
import { parseQuery } from '../src/core/search/query';
import { LogStore } from '../src/core/store/log-store';
import type { LogRecord } from '../src/core/model/entities';
import { formatLine, generatedTaskName, logLines } from './support/log-data';

const N = Number(process.env.LINES ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => { gc?.(); gc?.(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`;

function row(name: string, ours: string, baseline: string, ratio: number, target: string, pass: boolean): void {
  console.log(`${name.padEnd(34)} ours ${ours.padStart(10)}  baseline ${baseline.padStart(10)}  ratio ${ratio.toFixed(2).padStart(5)}  target ${target.padEnd(22)} ${pass ? 'PASS' : 'FAIL'}`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeGrep(args: string[], file: string): { ms: number; count: number } {
  const runs: number[] = [];
  let count = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let out = '';
    try { out = execFileSync('grep', [...args, file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } }); } catch (e) { out = (e as { stdout?: string }).stdout ?? '0'; }
    runs.push(performance.now() - t0);
    count = Number(out.trim());
  }
  return { ms: median(runs), count };
}

function timeOurs(store: LogStore, query: string): { ms: number; count: number; longestStepMs: number } {
  const runs: number[] = [];
  let count = 0;
  let longest = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const search = new LogSearch(store, compileQuery(parseQuery(query), { now: Date.now() }), Number.MAX_SAFE_INTEGER, generatedTaskName);
    count = 0;
    while (!search.done) {
      const s0 = performance.now();
      count += search.step(1).seqs.length;
      longest = Math.max(longest, performance.now() - s0);
    }
    runs.push(performance.now() - t0);
  }
  return { ms: median(runs), count, longestStepMs: longest };
}

// Memory: the records held by the compact store vs as a plain array of record objects (what a
// RingBuffer<LogRecord> retains). Records are generated one at a time, so only what is kept is measured.
const base = heap();
const keep = new LogStore(N);
for (const r of logLines(N)) keep.push(r);
const compact = heap() - base;
const naiveStart = heap();
let naive: LogRecord[] | undefined = [];
for (const r of logLines(N)) naive.push(r);
const naiveBytes = heap() - naiveStart;
const naiveCount = naive.length;
naive = undefined;

const dir = mkdtempSync(join(tmpdir(), 'taskscope-bench-'));
const file = join(dir, 'lines.log');
writeFileSync(file, keep.toArray().map(formatLine).join('\n') + '\n');
row(`memory, ${N.toLocaleString()} lines`, mb(compact), mb(naiveBytes), compact / naiveBytes, '≤ 0.33×, ≤ 200 MB', compact / naiveBytes <= 0.34 && compact <= 200 * 1048576);
if (naiveCount !== N) throw new Error('naive baseline incomplete');

const cases: [string, string, string[]][] = [
  ['substring, exact case', 'ECONNRESET', ['-c', '-F', 'ECONNRESET']],
  ['substring, smart case (any case)', 'timeout', ['-c', '-i', '-F', 'timeout']],
  ['regex', '/timeout after \\d{4}ms/', ['-c', '-E', 'timeout after [0-9]{4}ms']],
  ['field filter', 'level:error task:send_email', ['-c', '-E', ' ERROR .* name=send_email ']],
  ['fields + text', 'worker:worker-17 level:>=warn reset', ['-c', '-i', '-E', ' (WARN|ERROR) .*worker=worker-17[^ ]* .*reset']],
];
for (const [name, query, grepArgs] of cases) {
  const g = timeGrep(grepArgs, file);
  const o = timeOurs(keep, query);
  if (g.count !== o.count) console.log(`  (match counts differ: ours ${o.count}, grep ${g.count})`);
  const ratio = o.ms / g.ms;
  row(`${name} (${o.count.toLocaleString()} hits)`, `${o.ms.toFixed(0)} ms`, `${g.ms.toFixed(0)} ms`, ratio, '≤ 2×, ≤ 200 ms', ratio <= 2 && o.ms <= 200);
  row(`  longest slice (one chunk)`, `${o.longestStepMs.toFixed(1)} ms`, '-', 0, '≤ 16 ms', o.longestStepMs <= 16);
}
rmSync(dir, { recursive: true, force: true });
