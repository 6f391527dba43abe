// Every command Taskscope contributes. The container registers a handler for each (a typed record makes a
// missing one a compile error) and a unit test checks this list against package.json. No vscode import.

export const COMMAND_IDS = [
  'taskscope.addConnection',
  'taskscope.removeConnection',
  'taskscope.editConnections',
  'taskscope.setConnectionSecret',
  'taskscope.reconnect',
  'taskscope.refresh',
  'taskscope.openOverview',
  'taskscope.openMetrics',
  'taskscope.openTaskDetail',
  'taskscope.openWorkflowGraph',
  'taskscope.showLog',
  'taskscope.startDemo',
  'taskscope.stopDemo',
  'taskscope.copyName',
  'taskscope.stopTask',
  'taskscope.openTimeline',
  'taskscope.openLogSearch',
  'taskscope.openTaskJson',
  'taskscope.loadMoreTasks',
  'taskscope.retryTask',
  'taskscope.retryAllFailed',
  'taskscope.promoteTask',
  'taskscope.promoteAllDelayed',
  'taskscope.removeTask',
  'taskscope.removeScheduler',
  'taskscope.cleanQueue',
  'taskscope.pauseQueue',
  'taskscope.resumeQueue',
  'taskscope.drainQueue',
  'taskscope.obliterateQueue',
  'taskscope.searchTasks',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
