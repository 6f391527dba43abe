// Stable ids for entities: used as store keys, tree item ids and webview keys, so they survive refreshes.

export const queueKey = (connectionId: string, name: string): string => `queue:${connectionId}:${name}`;
export const workerKey = (connectionId: string, id: string): string => `worker:${connectionId}:${id}`;
export const workflowKey = (connectionId: string, id: string): string => `workflow:${connectionId}:${id}`;
export const taskKey = (connectionId: string, queue: string | undefined, id: string): string =>
  `task:${connectionId}:${queue ?? ''}:${id}`;
