// BullMQ actions, always through the `bullmq` package of the queue's major version (v5 → bullmq5, v6 →
// bullmq6), with `skipMetasUpdate: true` so Taskscope never rewrites `meta`, on one ioredis connection of its
// own without auto-pipelining. Never hand-rolled writes: the Lua scripts keep markers, events and parents right.
import type Redis from 'ioredis';
import { Queue as Queue5 } from 'bullmq5';
import { Queue as Queue6 } from 'bullmq6';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget } from '../../core/source/source';
import type { BullmqVersion } from './bullmq-layout';

export const BULLMQ_ACTIONS: readonly ActionDeclaration[] = [
  { id: 'refresh', title: 'Refresh', targets: ['connection', 'queue'], destructive: false, allowedReadOnly: true },
  { id: 'retry', title: 'Retry', targets: ['task'], destructive: false, allowedReadOnly: false },
  { id: 'retryAllFailed', title: 'Retry All Failed', targets: ['queue'], destructive: true, allowedReadOnly: false },
  { id: 'promote', title: 'Promote', targets: ['task'], destructive: false, allowedReadOnly: false },
  { id: 'promoteAllDelayed', title: 'Promote All Delayed', targets: ['queue'], destructive: true, allowedReadOnly: false },
  { id: 'remove', title: 'Remove', targets: ['task'], destructive: true, allowedReadOnly: false },
  { id: 'clean', title: 'Clean', targets: ['queue'], destructive: true, allowedReadOnly: false },
  { id: 'pause', title: 'Pause', targets: ['queue'], destructive: false, allowedReadOnly: false },
  { id: 'resume', title: 'Resume', targets: ['queue'], destructive: false, allowedReadOnly: false },
  { id: 'drain', title: 'Drain', targets: ['queue'], destructive: true, allowedReadOnly: false },
  { id: 'removeScheduler', title: 'Remove Scheduler', targets: ['scheduler'], destructive: true, allowedReadOnly: false },
  { id: 'obliterate', title: 'Obliterate', targets: ['queue'], destructive: true, allowedReadOnly: false, confirmTwice: true },
];

/** States `Queue.clean` accepts, in Taskscope's state names. */
export const CLEANABLE_STATES = ['completed', 'failed', 'delayed', 'waiting', 'paused', 'prioritized', 'active'] as const;
const RETRY_BATCH = 500;
const CLEAN_BATCH = 1_000;

/** The part of Queue both majors share that Taskscope calls. */
type AnyQueue = Queue5 | Queue6;

/** Why actions cannot run on a queue written by this version, or undefined when they can. */
export function actionsDisabledReason(version: BullmqVersion | undefined): string | undefined {
  if (!version) return 'the queue has no meta.version (no bullmq Queue has opened it yet, only workers or a FlowProducer), so its BullMQ major is unknown; actions are disabled rather than run with the scripts of another major';
  if (version.flavour !== 'bullmq') return `the queue was written by ${version.raw}; Taskscope runs actions only with BullMQ 5 or 6`;
  if (version.major !== 5 && version.major !== 6) return `the queue was written by ${version.raw}; Taskscope runs actions only with BullMQ 5 or 6`;
  return undefined;
}

export class BullmqActionRunner {
  private readonly queues = new Map<string, AnyQueue>();

  constructor(private readonly connection: Redis, private readonly prefix: string) {}

  async run(actionId: string, target: ActionTarget, version: BullmqVersion | undefined, progress: ActionProgress): Promise<ActionResult> {
    const reason = actionsDisabledReason(version);
    if (reason) return fail(`Not run: ${reason}.`);
    if (!target.queue) return fail('No queue given.');
    const queue = this.queue(target.queue, version!.major as 5 | 6);
    const ids = target.ids ?? [];
    switch (actionId) {
      case 'retry': return this.perJob(ids, progress, 'Retried', async (id) => {
        const job = await queue.getJob(id);
        if (!job) return `job ${id} no longer exists`;
        const state = await job.getState();
        if (state !== 'failed' && state !== 'completed') return `job ${id} is ${state}, not failed or completed`;
        await job.retry(state);
        return undefined;
      });
      case 'promote': return this.perJob(ids, progress, 'Promoted', async (id) => {
        const job = await queue.getJob(id);
        if (!job) return `job ${id} no longer exists`;
        if (!(await job.isDelayed())) return `job ${id} is not delayed`;
        await job.promote();
        return undefined;
      });
      case 'remove': return this.perJob(ids, progress, 'Removed', async (id) => {
        const removed = await queue.remove(id);
        return removed === 1 ? undefined : `job ${id} is locked by a worker (or already gone) and was not removed`;
      });
      case 'removeScheduler': return this.perJob(ids, progress, 'Removed scheduler', async (id) => {
        // Job schedulers through removeJobScheduler (v5 and v6); a v5 legacy repeatable job has no scheduler
        // hash with `ic` and is removed by its repeat key, the way bullmq 5 itself does.
        const isScheduler = (await this.connection.hexists(`${this.prefix}:${target.queue}:repeat:${id}`, 'ic')) === 1;
        if (isScheduler || version!.major === 6) {
          return (await queue.removeJobScheduler(id)) ? undefined : `scheduler ${id} no longer exists`;
        }
        return (await (queue as Queue5).removeRepeatableByKey(id)) ? undefined : `repeatable job ${id} no longer exists`;
      });
      case 'retryAllFailed': return this.retryAllFailed(queue, progress);
      case 'promoteAllDelayed': {
        const before = await this.connection.zcard(`${this.prefix}:${target.queue}:delayed`);
        progress.report(0, before, 'promoting');
        await queue.promoteJobs({ count: 1_000 });
        const after = await this.connection.zcard(`${this.prefix}:${target.queue}:delayed`);
        return { ok: true, affected: before - after, message: `Promoted ${before - after} delayed job(s) in ${target.queue}` };
      }
      case 'clean': return this.clean(queue, target, progress);
      case 'pause':
        await queue.pause();
        return { ok: true, affected: 1, message: `Paused ${target.queue}` };
      case 'resume':
        await queue.resume();
        return { ok: true, affected: 1, message: `Resumed ${target.queue}` };
      case 'drain': {
        const delayed = target.params?.['delayed'] === true;
        await queue.drain(delayed);
        return { ok: true, affected: 1, message: `Drained ${target.queue}${delayed ? ' (delayed jobs too)' : ''}` };
      }
      case 'obliterate':
        await queue.obliterate({ force: target.params?.['force'] === true });
        this.queues.delete(`${version!.major}:${target.queue}`);
        return { ok: true, affected: 1, message: `Obliterated ${target.queue}` };
      default:
        return fail(`BullMQ has no action "${actionId}"`);
    }
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    // The connection is shared (ours), so close() leaves it open; we disconnect it ourselves.
    await Promise.allSettled(queues.map((q) => q.close()));
  }

  private queue(name: string, major: 5 | 6): AnyQueue {
    const key = `${major}:${name}`;
    let q = this.queues.get(key);
    if (!q) {
      const opts = { connection: this.connection, prefix: this.prefix, skipMetasUpdate: true };
      q = major === 5 ? new Queue5(name, opts) : new Queue6(name, opts);
      q.on('error', () => undefined); // errors surface through the awaited calls
      this.queues.set(key, q);
    }
    return q;
  }

  private async perJob(ids: readonly string[], progress: ActionProgress, verb: string, one: (id: string) => Promise<string | undefined>): Promise<ActionResult> {
    if (ids.length === 0) return fail('No job selected.');
    const problems: string[] = [];
    let done = 0;
    for (const id of ids) {
      if (progress.signal.aborted) break;
      try {
        const problem = await one(id);
        if (problem) problems.push(problem);
        else done++;
      } catch (error) {
        problems.push(`job ${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      progress.report(done + problems.length, ids.length);
    }
    const cancelled = progress.signal.aborted && done + problems.length < ids.length ? ' (cancelled)' : '';
    const message = `${verb} ${done} of ${ids.length} job(s)${cancelled}${problems.length ? `; ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}` : ''}`;
    return { ok: problems.length === 0 && !cancelled, affected: done, message };
  }

  /**
   * Retries every job failed before now, in batches: cut points are read from the failed set's scores, and each
   * `retryJobs({timestamp})` call moves only the jobs at or below one cut, so progress shows and cancel works.
   */
  private async retryAllFailed(queue: AnyQueue, progress: ActionProgress): Promise<ActionResult> {
    const failedKey = `${this.prefix}:${queue.name}:failed`;
    const until = Date.now();
    const total = await this.connection.zcount(failedKey, '-inf', until);
    let done = 0;
    progress.report(0, total);
    while (done < total && !progress.signal.aborted) {
      const cut = await this.connection.zrangebyscore(failedKey, '-inf', until, 'WITHSCORES', 'LIMIT', RETRY_BATCH - 1, 1);
      const score = cut.length === 2 ? Number(cut[1]) : until;
      const before = await this.connection.zcount(failedKey, '-inf', until);
      await queue.retryJobs({ state: 'failed', count: RETRY_BATCH, timestamp: score });
      const after = await this.connection.zcount(failedKey, '-inf', until);
      if (after >= before) break; // nothing moved: stop rather than spin
      done += before - after;
      progress.report(done, total);
    }
    const cancelled = progress.signal.aborted && done < total;
    return { ok: !cancelled, affected: done, message: `Retried ${done} of ${total} failed job(s) in ${queue.name}${cancelled ? ' (cancelled)' : ''}` };
  }

  private async clean(queue: AnyQueue, target: ActionTarget, progress: ActionProgress): Promise<ActionResult> {
    const state = String(target.params?.['state'] ?? '');
    if (!(CLEANABLE_STATES as readonly string[]).includes(state)) return fail(`Cannot clean state "${state}"; choose one of ${CLEANABLE_STATES.join(', ')}`);
    const grace = Number(target.params?.['graceMs'] ?? 0);
    if (!Number.isFinite(grace) || grace < 0) return fail('The grace period must be a number of milliseconds ≥ 0.');
    const type = state === 'waiting' ? 'wait' : (state as Exclude<(typeof CLEANABLE_STATES)[number], 'waiting'>);
    let removed = 0;
    for (;;) {
      if (progress.signal.aborted) break;
      const ids = await queue.clean(grace, CLEAN_BATCH, type);
      removed += ids.length;
      progress.report(removed, undefined, `${removed} removed`);
      if (ids.length < CLEAN_BATCH) break;
    }
    return { ok: true, affected: removed, message: `Cleaned ${removed} ${state} job(s) older than ${Math.round(grace / 1000)} s from ${queue.name}${progress.signal.aborted ? ' (cancelled)' : ''}` };
  }
}

function fail(message: string): ActionResult { return { ok: false, affected: 0, message }; }
