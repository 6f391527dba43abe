// The entities every source is normalized into: queues, workers, workflows, tasks, logs and metrics.
import type { SystemId } from './connection';

/** Counts by state, in the system's own state names (BullMQ: the names of `Queue.getJobCounts()`). */
export type StateCounts = Readonly<Record<string, number>>;

export interface Queue {
  readonly connectionId: string;
  readonly system: SystemId;
  readonly name: string;
  readonly counts: StateCounts;
  readonly paused?: boolean;
  /** Library version that last wrote the queue, e.g. `bullmq:5.81.5`. */
  readonly version?: string;
  /** Job schedulers / repeatable jobs registered on the queue (BullMQ `repeat` zset), when the source reads them. */
  readonly schedulers?: number;
  readonly updatedAt: number;
}

export type WorkerStatus = 'online' | 'busy' | 'idle' | 'stale' | 'offline' | 'error' | 'unknown';

export interface Worker {
  readonly connectionId: string;
  readonly system: SystemId;
  readonly id: string;
  readonly status: WorkerStatus;
  readonly lastSeen?: number;
  readonly queue?: string;
  readonly currentTask?: string;
  readonly detail?: string;
  readonly updatedAt: number;
}

export interface WorkflowStage {
  readonly name: string;
  readonly status: string;
}

export interface Workflow {
  readonly connectionId: string;
  readonly system: SystemId;
  readonly id: string;
  readonly name?: string;
  readonly status: string;
  readonly done: number;
  readonly total: number;
  readonly stages?: readonly WorkflowStage[];
  /** Why the workflow cannot progress, e.g. a parent waiting on a failed child. */
  readonly blockedReason?: string;
  readonly updatedAt: number;
}

export interface Task {
  readonly connectionId: string;
  readonly system: SystemId;
  readonly id: string;
  readonly queue?: string;
  readonly name?: string;
  readonly status: string;
  readonly worker?: string;
  readonly workflowId?: string;
  readonly parentId?: string;
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly attempts?: number;
  readonly error?: string;
  /** Last resource use reported for a running task (Propeller `task_metrics`). */
  readonly usage?: TaskUsage;
  /** Lines in the task's own log (BullMQ `<job>:logs`), when the row read them; the lines load on demand. */
  readonly logCount?: number;
  readonly updatedAt: number;
}

export interface TaskUsage {
  readonly cpuPercent?: number;
  readonly memoryBytes?: number;
  readonly memoryPercent?: number;
  /** When the sample was taken (epoch ms). */
  readonly at: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  readonly connectionId: string;
  readonly system: SystemId;
  readonly timestamp: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly runner?: string;
  readonly worker?: string;
  readonly invocation?: string;
  readonly task?: string;
}

export interface MetricSample {
  readonly connectionId: string;
  readonly system: SystemId;
  /** Series name, e.g. `bullmq_completed_per_minute`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly timestamp: number;
  readonly value: number;
  /**
   * The task this series describes (e.g. Propeller's per-task process metrics). Such series have a budget of
   * their own in the store, evicted whole tasks at a time, so many short tasks never crowd out the others.
   */
  readonly task?: { readonly queue: string; readonly id: string };
}
