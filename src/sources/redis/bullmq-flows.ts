// BullMQ flows as workflows: each parent in `waiting-children` with its children counted from `:dependencies`
// (pending), `:processed` (completed), `:failed` (failed but ignored) and `:unsuccessful` (failed with
// failParentOnFailure). A pending child that sits in its queue's `failed` set blocks the parent forever;
// the workflow says which child and why. Reads only, bounded per queue.
import type Redis from 'ioredis';
import type { Workflow, WorkflowStage } from '../../core/model/entities';
import type { BullmqJobReader } from './bullmq-jobs';

/** Parents read per queue per round (newest first). */
export const FLOW_PARENTS_MAX = 200;
/** Pending children whose state is checked per parent. */
const FLOW_CHILDREN_CHECKED = 100;
const REASON_MAX = 200;

export interface FlowReaderOptions {
  readonly connectionId: string;
  readonly prefix: string;
  readonly now: () => number;
}

export class BullmqFlowReader {
  /** Workflows emitted as waiting, so their end (completed, failed, removed) is emitted once too. */
  private readonly open = new Map<string, { queue: string; parentId: string; last: Workflow }>();

  constructor(private readonly client: () => Redis, private readonly jobs: BullmqJobReader, private readonly opts: FlowReaderOptions) {}

  /** Reads the flows of these queues and returns workflow upserts (including flows that just ended). */
  async read(queues: readonly string[]): Promise<Workflow[]> {
    const client = this.client();
    const head = client.pipeline();
    for (const q of queues) head.zrevrange(`${this.opts.prefix}:${q}:waiting-children`, 0, FLOW_PARENTS_MAX - 1);
    const heads = (await head.exec()) ?? [];
    const parents: { queue: string; id: string }[] = [];
    queues.forEach((q, i) => {
      const [err, ids] = heads[i] ?? [];
      if (!err) for (const id of ids as string[]) parents.push({ queue: q, id });
    });
    const out: Workflow[] = [];
    const seen = new Set<string>();
    if (parents.length > 0) {
      const pipe = client.pipeline();
      for (const p of parents) {
        const k = `${this.opts.prefix}:${p.queue}:${p.id}`;
        pipe.hmget(k, 'name', 'defa').scard(`${k}:dependencies`).hlen(`${k}:processed`).hlen(`${k}:failed`).zcard(`${k}:unsuccessful`)
          .sscan(`${k}:dependencies`, '0', 'COUNT', FLOW_CHILDREN_CHECKED).zrange(`${k}:unsuccessful`, 0, 0);
      }
      const r = (await pipe.exec()) ?? [];
      const per = 7;
      const pendingChecks: { parent: number; key: string; queue?: string; id: string }[] = [];
      const rows = parents.map((p, i) => {
        const v = (j: number): unknown => (r[i * per + j]?.[0] ? undefined : r[i * per + j]?.[1]);
        const [name, defa] = (v(0) as (string | null)[] | undefined) ?? [null, null];
        const pending = Number(v(1)) || 0;
        const processed = Number(v(2)) || 0;
        const ignored = Number(v(3)) || 0;
        const unsuccessful = Number(v(4)) || 0;
        const scan = v(5);
        const pendingKeys = Array.isArray(scan) && Array.isArray(scan[1]) ? (scan[1] as string[]) : [];
        for (const key of pendingKeys) pendingChecks.push({ parent: i, key, ...this.jobs.refFromKey(key) });
        const firstUnsuccessful = ((v(6) as string[] | undefined) ?? [])[0];
        return { ...p, name: name ?? undefined, defa: defa ?? undefined, pending, processed, ignored, unsuccessful, firstUnsuccessful };
      });
      // Which pending children are failed (the parent then waits forever) or still running.
      const failedChild = new Map<number, { ref: string; reason: string }>();
      const stages = new Map<number, WorkflowStage[]>();
      if (pendingChecks.length > 0) {
        const check = client.pipeline();
        for (const c of pendingChecks) {
          check.zscore(`${this.opts.prefix}:${c.queue ?? ''}:failed`, c.id);
          check.hmget(c.key, 'name', 'failedReason');
        }
        const cr = (await check.exec()) ?? [];
        pendingChecks.forEach((c, j) => {
          const failed = !cr[j * 2]?.[0] && cr[j * 2]?.[1] !== null && cr[j * 2]?.[1] !== undefined;
          const [childName, reason] = (cr[j * 2 + 1]?.[1] as (string | null)[] | undefined) ?? [null, null];
          const list = stages.get(c.parent) ?? [];
          if (list.length < 20) list.push({ name: `${childName ?? 'job'} #${c.id}${c.queue ? ` (${c.queue})` : ''}`, status: failed ? 'failed' : 'pending' });
          stages.set(c.parent, list);
          if (failed && !failedChild.has(c.parent)) failedChild.set(c.parent, { ref: `${c.queue ?? '?'}/${c.id}`, reason: cut(reason ?? 'no reason recorded') });
        });
      }
      const at = this.opts.now();
      rows.forEach((p, i) => {
        const id = `${p.queue}:${p.id}`;
        seen.add(id);
        const done = p.processed + p.ignored;
        const total = done + p.pending + p.unsuccessful;
        let blockedReason: string | undefined;
        const fc = failedChild.get(i);
        if (fc) blockedReason = `child ${fc.ref} failed (${fc.reason}); the parent waits for it until the child is retried or removed`;
        else if (p.unsuccessful > 0) blockedReason = `child ${p.firstUnsuccessful ? this.describeKey(p.firstUnsuccessful) : '?'} failed with failParentOnFailure`;
        else if (p.defa) blockedReason = cut(p.defa);
        const wf: Workflow = {
          connectionId: this.opts.connectionId, system: 'bullmq', id,
          name: `${p.name ?? 'flow'} #${p.id} (${p.queue})`, status: 'waiting-children', done, total,
          stages: stages.get(i), blockedReason, updatedAt: at,
        };
        this.open.set(id, { queue: p.queue, parentId: p.id, last: wf });
        out.push(wf);
      });
    }
    // Flows seen waiting before and no longer waiting: emit how they ended, once.
    for (const [id, f] of this.open) {
      if (seen.has(id) || !queues.includes(f.queue)) continue;
      this.open.delete(id);
      const state = await this.jobs.state(f.queue, f.parentId);
      const status = state === 'unknown' ? 'removed' : state;
      out.push({ ...f.last, status, done: status === 'completed' ? f.last.total : f.last.done, blockedReason: undefined, stages: undefined, updatedAt: this.opts.now() });
    }
    while (this.open.size > FLOW_PARENTS_MAX * 20) this.open.delete(this.open.keys().next().value as string);
    return out;
  }

  private describeKey(key: string): string {
    const ref = this.jobs.refFromKey(key);
    return `${ref.queue ?? '?'}/${ref.id}`;
  }
}

function cut(text: string): string { return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX)}…` : text; }
