// Rustvello simulator: invocations run on a few runners/workers; each step appends unified log lines
// (`{ts} {LEVEL} [R|P] {app} [{ctx}] {target} {msg}`, plus some NDJSON lines of both shapes to a second file)
// and updates the Prometheus series Rustvello's sink exports, served at `/metrics`. The text log rotates
// every `rotateEveryLines` lines (rename to `.1`, new file), as logrotate would. Used by `npm run demo` and tests.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface RustvelloSimulatorOptions {
  readonly logDir: string;
  readonly appId?: string;
  readonly intervalMs?: number;
  /** 0 = never rotate. */
  readonly rotateEveryLines?: number;
  readonly port?: number;
  readonly log?: (msg: string) => void;
}

export interface RustvelloSimulator {
  readonly metricsUrl: string;
  readonly textLog: string;
  readonly jsonLog: string;
  /** Lines written so far to the text log (all generations). */
  readonly linesWritten: () => number;
  /** Runs one step now (tests drive it without timers). */
  step(): void;
  rotate(): void;
  stop(): Promise<void>;
}

const TASKS = ['my_app.add', 'my_app.resize', 'core_tasks.recover'] as const;
const RUNNERS = ['a86ab1f8-1111-4aaa-8bbb-000000000001', '5c0ffee0-2222-4aaa-8bbb-000000000002'] as const;
const BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] as const;

export async function startRustvelloSimulator(opts: RustvelloSimulatorOptions): Promise<RustvelloSimulator> {
  const app = opts.appId ?? 'my_app';
  mkdirSync(opts.logDir, { recursive: true });
  const textLog = join(opts.logDir, 'rustvello.log');
  const jsonLog = join(opts.logDir, 'rustvello.ndjson');
  rmSync(textLog, { force: true });
  rmSync(jsonLog, { force: true });
  appendFileSync(textLog, '');
  appendFileSync(jsonLog, '');
  let lines = 0;
  let sinceRotate = 0;
  let tick = 0;
  const counters: Record<string, Record<string, number>> = { submitted: {}, started: {}, succeeded: {}, failed: {}, retried: {} };
  const hist = new Map<string, { buckets: number[]; sum: number; count: number }>();
  const queueDepth: Record<string, number> = { global: 0, 'task:my_app.resize': 0 };
  const active: Record<string, number> = Object.fromEntries(RUNNERS.map((r) => [r, 0]));

  const write = (level: string, origin: 'R' | 'P', context: string, target: string, msg: string): void => {
    const line = `${new Date().toISOString()} ${level.padEnd(5)} [${origin}] ${app} [${context}] ${target} ${msg}\n`;
    appendFileSync(textLog, line);
    lines++;
    sinceRotate++;
    if (opts.rotateEveryLines && sinceRotate >= opts.rotateEveryLines) rotate();
  };
  const rotate = (): void => {
    renameSync(textLog, `${textLog}.1`);
    appendFileSync(textLog, '');
    sinceRotate = 0;
  };

  const step = (): void => {
    tick++;
    const task = TASKS[tick % TASKS.length]!;
    const runner = RUNNERS[tick % RUNNERS.length]!;
    const worker = randomUUID();
    const inv = randomUUID();
    const ctx = `PTR(${runner.slice(0, 8)}).W(${worker.slice(0, 8)})${inv}:${task}`;
    const inc = (kind: string): void => { counters[kind]![task] = (counters[kind]![task] ?? 0) + 1; };
    inc('submitted');
    inc('started');
    active[runner] = 1 + (tick % 3);
    queueDepth['global'] = (tick * 7) % 13;
    queueDepth['task:my_app.resize'] = (tick * 3) % 5;
    write('INFO', 'R', ctx, 'rustvello::runner', `Invocation started invocation:${inv}`);
    const seconds = ((tick * 37) % 100) / 100;
    const h = hist.get(task) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((b, i) => { if (seconds <= b) h.buckets[i]!++; });
    h.sum += seconds;
    h.count++;
    hist.set(task, h);
    if (tick % 5 === 0) {
      inc('failed');
      write('ERROR', 'R', ctx, 'rustvello::runner', `Invocation failed: ValueError('bad input') task:${task}`);
      if (tick % 10 === 0) { inc('retried'); write('WARN', 'P', ctx, 'pynenc.runner', 'retrying after failure'); }
    } else {
      inc('succeeded');
      write('INFO', 'R', ctx, 'rustvello::runner', 'Invocation completed');
    }
    const ts = new Date().toISOString();
    appendFileSync(jsonLog, `${JSON.stringify({ timestamp: ts, severity: tick % 5 === 0 ? 'ERROR' : 'INFO', system: 'rust', logger: 'rustvello::runner', message: `step ${tick}`, runner_class: 'PTR', runner_id: runner, worker_id: worker, invocation_id: inv, task_id: task, text: `${ts} INFO  [R] ${app} [${ctx}] rustvello::runner step ${tick}` })}\n`);
    appendFileSync(jsonLog, `${JSON.stringify({ timestamp: ts.replace('T', ' ').replace('Z', '+00:00'), severity: 'DEBUG', logger: 'pynenc.orchestrator', message: `pynenc step ${tick}`, runner_class: 'ThreadRunner', runner_id: runner, parent_runner_class: null, parent_runner_id: null, invocation_id: inv, task_id: task, text: '' })}\n`);
  };

  const exposition = (): string => {
    const out: string[] = [];
    out.push('# HELP rustvello_workers_active Active workers per runner.', '# TYPE rustvello_workers_active gauge');
    for (const [r, v] of Object.entries(active)) out.push(`rustvello_workers_active{runner_id="${r}"} ${v}`);
    for (const kind of Object.keys(counters)) {
      out.push(`# HELP rustvello_tasks_${kind}_total Tasks ${kind}.`, `# TYPE rustvello_tasks_${kind}_total counter`);
      for (const [t, v] of Object.entries(counters[kind]!)) out.push(`rustvello_tasks_${kind}_total{task_id="rust::${t}"} ${v}`);
    }
    out.push('# HELP rustvello_task_duration_seconds Task duration.', '# TYPE rustvello_task_duration_seconds histogram');
    for (const [t, h] of hist) {
      BUCKETS.forEach((b, i) => out.push(`rustvello_task_duration_seconds_bucket{task_id="rust::${t}",le="${b}"} ${h.buckets[i]}`));
      out.push(`rustvello_task_duration_seconds_bucket{task_id="rust::${t}",le="+Inf"} ${h.count}`);
      out.push(`rustvello_task_duration_seconds_sum{task_id="rust::${t}"} ${h.sum}`, `rustvello_task_duration_seconds_count{task_id="rust::${t}"} ${h.count}`);
    }
    out.push('# TYPE rustvello_queue_depth gauge');
    for (const [q, v] of Object.entries(queueDepth)) out.push(`rustvello_queue_depth{queue="${q}"} ${v}`);
    out.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${50_000_000 + tick * 1000}`);
    return `${out.join('\n')}\n`;
  };

  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(exposition());
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()); });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const timer = opts.intervalMs ? setInterval(step, opts.intervalMs) : undefined;
  opts.log?.(`rustvello: /metrics at http://127.0.0.1:${port}/metrics, logs in ${opts.logDir}`);
  return {
    metricsUrl: `http://127.0.0.1:${port}/metrics`, textLog, jsonLog, linesWritten: () => lines, step, rotate,
    async stop() {
      if (timer) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
