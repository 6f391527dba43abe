// Every `contextValue` the trees produce. Menus in package.json match these with `viewItem =~ /…/`; a unit
// test checks each menu clause against this list, so keep it complete. No vscode import: tests read it.

export const CONTEXT_VALUES = {
  connection: 'taskscope:connection',
  connectionReadOnly: 'taskscope:connection:readonly',
  queue: 'taskscope:queue',
  queuePaused: 'taskscope:queue:paused',
  /** A queue of a read-only connection (or one where actions are refused): only reads in its menu. */
  queueReadOnly: 'taskscope:queue:readonly',
  state: 'taskscope:state',
  /** State groups offering bulk actions (writable connections only). */
  stateFailed: 'taskscope:state:failed',
  stateDelayed: 'taskscope:state:delayed',
  stateCleanable: 'taskscope:state:cleanable',
  /** A task row; the suffixed ones are writable and name what can be done to them. */
  task: 'taskscope:task',
  taskRetryable: 'taskscope:task:retryable',
  taskDelayed: 'taskscope:task:delayed',
  taskOther: 'taskscope:task:other',
  /** A task that can still be stopped, on a connection where "Stop Task" may publish (Propeller). */
  taskStoppable: 'taskscope:task:stoppable',
  more: 'taskscope:more',
  /** "Logs (N)" under a task row, and one log line. */
  logs: 'taskscope:logs',
  logLine: 'taskscope:log-line',
  /** "Schedulers" under a queue, and one job scheduler (removable when actions may run here). */
  schedulers: 'taskscope:schedulers',
  scheduler: 'taskscope:scheduler',
  schedulerRemovable: 'taskscope:scheduler:removable',
  worker: 'taskscope:worker',
  workflow: 'taskscope:workflow',
  message: 'taskscope:message',
  topics: 'taskscope:topics',
  topic: 'taskscope:topic',
} as const;

export type ContextValue = (typeof CONTEXT_VALUES)[keyof typeof CONTEXT_VALUES];

export const ALL_CONTEXT_VALUES: readonly ContextValue[] = Object.values(CONTEXT_VALUES);
