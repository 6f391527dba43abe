// Renders the `taskscope watch` screen: connection health, queues with counts by state, workers.
import type { MonitorStore } from '../core/store/monitor-store';

/** States shown as columns, in the order people read a queue; other states are summed into "other". */
const STATE_COLUMNS = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'] as const;
const STATE_HEADERS: Record<string, string> = { 'waiting-children': 'wait-child', prioritized: 'prio' };

export interface RenderOptions {
  readonly now: number;
  readonly width: number;
  readonly color: boolean;
}

export function renderWatchTable(store: MonitorStore, options: RenderOptions): string {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines: string[] = [];
  lines.push(paint('1', `Taskscope watch — ${new Date(options.now).toISOString()}`) + '   (q or Ctrl+C to quit)');
  lines.push('');
  for (const c of store.connections()) {
    const stateColor = c.state === 'connected' ? '32' : c.state === 'connecting' ? '33' : '31';
    const retry = c.state === 'reconnecting' && c.retryInMs !== undefined ? ` retry in ${Math.ceil(c.retryInMs / 1000)}s` : '';
    const error = c.error && c.state !== 'connected' ? ` — ${c.error}` : '';
    lines.push(`${paint(stateColor, '●')} ${c.name} (${c.system}/${c.kind}) ${paint(stateColor, c.state)}${retry}${error}${c.readOnly ? ' [read-only]' : ''}`);
  }
  const queues = store.queues().sort((a, b) => a.connectionId.localeCompare(b.connectionId) || a.name.localeCompare(b.name));
  lines.push('');
  if (queues.length === 0) {
    lines.push('No queues found yet.');
  } else {
    const headers = ['connection', 'queue', ...STATE_COLUMNS.map((s) => STATE_HEADERS[s] ?? s)];
    const rows = queues.map((q) => [
      q.connectionId,
      q.name + (q.paused ? ' ⏸' : ''),
      ...STATE_COLUMNS.map((s) => (q.counts[s] === undefined ? '-' : String(q.counts[s]))),
    ]);
    lines.push(...formatTable(headers, rows, new Set([0, 1]), options.width).map((l, i) => (i === 0 ? paint('1', l) : l)));
  }
  const workers = store.workers().sort((a, b) => a.connectionId.localeCompare(b.connectionId) || a.id.localeCompare(b.id));
  lines.push('');
  if (workers.length > 0) {
    const rows = workers.map((w) => [w.connectionId, w.id, w.status, w.queue ?? '', w.lastSeen ? `${Math.max(0, Math.round((options.now - w.lastSeen) / 1000))}s ago` : '']);
    lines.push(...formatTable(['connection', 'worker', 'status', 'queue', 'seen'], rows, new Set([0, 1, 2, 3]), options.width).map((l, i) => (i === 0 ? paint('1', l) : l)));
  } else {
    lines.push('No workers seen.');
  }
  return lines.join('\n');
}

/** Fixed-width columns; text columns left-aligned, numbers right-aligned; lines cut to the terminal width. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], leftAligned: ReadonlySet<number>, width: number): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells
    .map((cell, i) => (leftAligned.has(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
    .join('  ')
    .slice(0, Math.max(20, width));
  return [line(headers), ...rows.map(line)];
}
