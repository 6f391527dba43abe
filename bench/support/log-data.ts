// Generated log lines for the log-search benchmark and tests: realistic shapes (levels skewed to info, a few
// hundred workers and runners, tens of thousands of tasks, messages of 40–140 characters), deterministic.
import type { LogLevel, LogRecord } from '../../src/core/model/entities';

const TASK_NAMES = ['send_email', 'resize_image', 'charge_card', 'sync_inventory', 'render_pdf', 'index_document', 'notify_webhook', 'transcode_video'];
const MESSAGES = [
  'processing job payload of {n} bytes',
  'completed in {n}ms',
  'retrying after Timeout: upstream did not answer within {n}ms',
  'connection reset by peer (ECONNRESET) on attempt {n}',
  'cache miss for key user:{n}:profile, loading from database',
  'acquired lock order-{n} after {n}ms wait',
  'request timeout after {n}ms talking to smtp.example.com:587',
  'validation failed: field "email" must be a valid address, got value #{n}',
  'heartbeat ok, {n} jobs in flight, memory {n} MB',
  'wrote {n} rows to warehouse.events_{n}',
];
const LEVELS: LogLevel[] = ['info', 'info', 'info', 'info', 'debug', 'debug', 'warn', 'error', 'info', 'trace'];

/** mulberry32: small, fast, and without the short low-bit cycles of a power-of-two LCG. */
export function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export function generateLogs(count: number, t0 = Date.parse('2026-03-01T00:00:00Z')): LogRecord[] {
  return [...logLines(count, t0)];
}

/** The same records one at a time, so a consumer can store them without an array of all of them existing. */
export function* logLines(count: number, t0 = Date.parse('2026-03-01T00:00:00Z')): Generator<LogRecord> {
  const rnd = random(12345);
  for (let i = 0; i < count; i++) {
    const taskNo = rnd(50_000);
    const template = MESSAGES[rnd(MESSAGES.length)]!;
    const message = `${TASK_NAMES[taskNo % TASK_NAMES.length]} ${template.replace(/\{n\}/g, () => String(rnd(100_000)))}`;
    yield {
      connectionId: `conn-${i % 3}`, system: 'bullmq', timestamp: t0 + i * 3, level: LEVELS[rnd(LEVELS.length)]!, message,
      worker: `worker-${rnd(300)}`, runner: `runner-${rnd(20)}`, invocation: `inv-${rnd(200_000)}`, task: `task-${taskNo}`,
    };
  }
}

/** Task id → name as the generator assigns them (the name is also the message's first word). */
export function generatedTaskName(taskId: string): string | undefined {
  const n = Number(taskId.slice(5));
  return Number.isInteger(n) ? TASK_NAMES[n % TASK_NAMES.length] : undefined;
}

/** The same record as one line of a text log file, for grep. */
export function formatLine(r: LogRecord): string {
  return `${new Date(r.timestamp).toISOString()} ${r.level.toUpperCase()} runner=${r.runner} worker=${r.worker} inv=${r.invocation} task=${r.task} name=${generatedTaskName(r.task ?? '')} ${r.message}`;
}
