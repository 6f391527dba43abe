// What one or more applied events changed, by entity key; merged to coalesce UI refreshes.

export interface ChangeSet {
  readonly connections: ReadonlySet<string>;
  readonly queues: ReadonlySet<string>;
  readonly workers: ReadonlySet<string>;
  readonly workflows: ReadonlySet<string>;
  readonly tasks: ReadonlySet<string>;
  readonly logs: number;
  readonly metrics: number;
  readonly events: number;
}

/**
 * A change set filled in place. Its key sets are created on first use: `store.apply(event)` runs once per event
 * on push sources, and a change of one task should cost one Set, not five.
 */
export class MutableChangeSet implements ChangeSet {
  private connectionKeys: Set<string> | undefined;
  private queueKeys: Set<string> | undefined;
  private workerKeys: Set<string> | undefined;
  private workflowKeys: Set<string> | undefined;
  private taskKeys: Set<string> | undefined;
  logs = 0;
  metrics = 0;
  events = 0;

  get connections(): Set<string> { return (this.connectionKeys ??= new Set()); }
  get queues(): Set<string> { return (this.queueKeys ??= new Set()); }
  get workers(): Set<string> { return (this.workerKeys ??= new Set()); }
  get workflows(): Set<string> { return (this.workflowKeys ??= new Set()); }
  get tasks(): Set<string> { return (this.taskKeys ??= new Set()); }

  merge(other: ChangeSet): this {
    if (other instanceof MutableChangeSet) {
      // Reads the other's sets without creating the ones it never used.
      if (other.connectionKeys) addAll(this.connections, other.connectionKeys);
      if (other.queueKeys) addAll(this.queues, other.queueKeys);
      if (other.workerKeys) addAll(this.workers, other.workerKeys);
      if (other.workflowKeys) addAll(this.workflows, other.workflowKeys);
      if (other.taskKeys) addAll(this.tasks, other.taskKeys);
    } else {
      addAll(this.connections, other.connections);
      addAll(this.queues, other.queues);
      addAll(this.workers, other.workers);
      addAll(this.workflows, other.workflows);
      addAll(this.tasks, other.tasks);
    }
    this.logs += other.logs;
    this.metrics += other.metrics;
    this.events += other.events;
    return this;
  }
}

function addAll(target: Set<string>, source: ReadonlySet<string>): void {
  for (const k of source) target.add(k);
}

export function isEmptyChange(c: ChangeSet): boolean {
  return c.connections.size === 0 && c.queues.size === 0 && c.workers.size === 0 && c.workflows.size === 0 &&
    c.tasks.size === 0 && c.logs === 0 && c.metrics === 0;
}

/** Keys of one connection's entities touched by a change; used to target tree refreshes. */
export function touchedConnections(c: ChangeSet): Set<string> {
  const out = new Set<string>(c.connections);
  for (const set of [c.queues, c.workers, c.workflows, c.tasks]) {
    for (const key of set) out.add(key.split(':', 2)[1] ?? '');
  }
  return out;
}
