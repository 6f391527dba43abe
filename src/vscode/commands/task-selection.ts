// A multi-selection of rows that may span queues (and connections): grouped by queue so an action runs once
// per queue, described once for the confirmation, and run queue after queue with one overall progress.
// No vscode import: unit and integration tests use it directly.
import type { ActionProgress, ActionResult } from '../../core/source/source';

export interface SelectedRow {
  readonly connectionId?: string;
  readonly queue?: string;
  readonly id?: string;
}

export interface SelectionGroup {
  readonly connectionId: string;
  readonly queue: string;
  readonly ids: readonly string[];
}

/** Rows grouped by connection and queue, in the order first selected; rows without all three parts and repeats are dropped. */
export function groupByQueue(rows: readonly SelectedRow[]): SelectionGroup[] {
  const groups = new Map<string, { connectionId: string; queue: string; ids: string[]; seen: Set<string> }>();
  for (const r of rows) {
    if (r.connectionId === undefined || r.queue === undefined || r.id === undefined) continue;
    const key = `${r.connectionId}\u0000${r.queue}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { connectionId: r.connectionId, queue: r.queue, ids: [], seen: new Set() }));
    if (g.seen.has(r.id)) continue;
    g.seen.add(r.id);
    g.ids.push(r.id);
  }
  return [...groups.values()].map(({ connectionId, queue, ids }) => ({ connectionId, queue, ids }));
}

/**
 * What a confirmation names: `5 job(s) in 2 queues: "a" (3), "b" on Prod (2)`. The connection is named only
 * when the selection spans several; at most `maxListed` queues are listed, then "and N more".
 */
export function describeGroups(groups: readonly SelectionGroup[], noun: string, connectionName: (id: string) => string = (id) => id, maxListed = 8): string {
  const total = groups.reduce((n, g) => n + g.ids.length, 0);
  if (groups.length === 1) return `${total} ${noun}(s) of "${groups[0]!.queue}"`;
  const manyConnections = new Set(groups.map((g) => g.connectionId)).size > 1;
  const listed = groups.slice(0, maxListed).map((g) => `"${g.queue}"${manyConnections ? ` on ${connectionName(g.connectionId)}` : ''} (${g.ids.length})`);
  const rest = groups.length > maxListed ? ` and ${groups.length - maxListed} more` : '';
  return `${total} ${noun}(s) in ${groups.length} queues: ${listed.join(', ')}${rest}`;
}

/**
 * Runs `runOne` for each group in turn, reporting progress over the whole selection; stops between groups
 * when cancelled. The result sums what was affected and names each queue's outcome.
 */
export async function runGroups(groups: readonly SelectionGroup[], runOne: (group: SelectionGroup, progress: ActionProgress) => Promise<ActionResult>, progress: ActionProgress): Promise<ActionResult & { readonly perQueue: readonly { queue: string; result: ActionResult }[] }> {
  const total = groups.reduce((n, g) => n + g.ids.length, 0);
  const perQueue: { queue: string; result: ActionResult }[] = [];
  let before = 0;
  for (const g of groups) {
    if (progress.signal.aborted) break;
    const offset = before;
    let result: ActionResult;
    try {
      result = await runOne(g, {
        signal: progress.signal,
        report: (done, _total, message) => progress.report(offset + done, total, message ?? `${g.queue}: ${done} of ${g.ids.length}`),
      });
    } catch (error) {
      result = { ok: false, affected: 0, message: error instanceof Error ? error.message : String(error) };
    }
    perQueue.push({ queue: g.queue, result });
    before += g.ids.length;
    progress.report(before, total);
  }
  const affected = perQueue.reduce((n, p) => n + p.result.affected, 0);
  const cancelled = perQueue.length < groups.length;
  const ok = !cancelled && perQueue.every((p) => p.result.ok);
  const details = perQueue.map((p) => `"${p.queue}": ${p.result.message}`).join('; ');
  return { ok, affected, perQueue, message: `${affected} of ${total} done across ${groups.length} queues${cancelled ? ' (cancelled)' : ''} — ${details}` };
}
