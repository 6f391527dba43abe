// Task states of every system folded into a few categories the timeline can colour and shape consistently.

export const STATUS_CATEGORIES = ['completed', 'failed', 'running', 'waiting', 'cancelled', 'other'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

const BY_STATUS: Readonly<Record<string, StatusCategory>> = {
  completed: 'completed', complete: 'completed', succeeded: 'completed', success: 'completed', successful: 'completed', done: 'completed', ok: 'completed', finished: 'completed',
  failed: 'failed', failure: 'failed', error: 'failed', errored: 'failed', timeout: 'failed', 'timed-out': 'failed', timed_out: 'failed', crashed: 'failed', dead: 'failed', killed: 'failed',
  active: 'running', running: 'running', started: 'running', processing: 'running', busy: 'running', in_progress: 'running', 'in-progress': 'running',
  waiting: 'waiting', delayed: 'waiting', pending: 'waiting', queued: 'waiting', retrying: 'waiting', retry: 'waiting', scheduled: 'waiting', prioritized: 'waiting', 'waiting-children': 'waiting', paused: 'waiting',
  cancelled: 'cancelled', canceled: 'cancelled', aborted: 'cancelled', skipped: 'cancelled', stopped: 'cancelled', revoked: 'cancelled',
};

export function statusCategory(status: string): StatusCategory {
  return BY_STATUS[status.toLowerCase()] ?? 'other';
}
