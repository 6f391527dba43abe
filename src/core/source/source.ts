// The contract every system implements: connect, emit normalized events, declare and run actions.
// Types only; implementations live in src/sources/ (they do Node I/O) and never import vscode.
import type { ConnectionProfile } from '../config/connection-profile';
import type { MonitorEvent } from '../model/events';
import type { TaskDetail } from '../model/task-detail';
import type { TopicBrowser } from '../topics/topic-browser';
import type { SchedulerList, TaskLogPage, TaskLogRequest, TaskPage, TaskPageRequest, TaskSearchHit, TaskSearchRequest, TaskSearchSummary } from './task-query';

export interface SourceLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SourceContext {
  /**
   * Hands an event to the store. `entityKey`, when given, must be `eventEntityKey(event)` (the key of what it upserts
   * or removes, or a metric's series key): a source that already built it (aggregation does) saves the store doing it again.
   */
  emit(event: MonitorEvent, entityKey?: string): void;
  /** A frame or record from outside failed validation: counted and logged (rate-limited), then dropped. */
  reject(kind: string, detail: string): void;
  readonly log: SourceLogger;
  now(): number;
}

/** What an action applies to; the UI offers an action only on nodes of these kinds. */
export type ActionTargetKind = 'connection' | 'queue' | 'task' | 'worker' | 'workflow' | 'scheduler';

export interface ActionDeclaration {
  readonly id: string;
  readonly title: string;
  readonly targets: readonly ActionTargetKind[];
  /** Destructive actions confirm with a modal naming the count and the target. */
  readonly destructive: boolean;
  /** Whether read-only profiles may run it (reads such as "refresh" are allowed). */
  readonly allowedReadOnly: boolean;
  /** Set when the action is known but cannot run here, with the reason shown to the user. */
  readonly disabledReason?: string;
  /** Irreversible on a whole queue (obliterate): the host asks a second time. */
  readonly confirmTwice?: boolean;
}

export interface ActionTarget {
  readonly kind: ActionTargetKind;
  readonly queue?: string;
  readonly ids?: readonly string[];
  /** Per-action parameters, e.g. a grace period for "clean". */
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface ActionProgress {
  report(done: number, total: number | undefined, message?: string): void;
  readonly signal: AbortSignal;
}

export interface ActionResult {
  readonly ok: boolean;
  readonly affected: number;
  readonly message: string;
}

export interface Source {
  readonly profile: ConnectionProfile;
  /** Opens the connection and completes the initial sync; rejects when that fails. */
  connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void>;
  /** Closes everything `connect` opened; safe to call at any time, more than once. */
  disconnect(): Promise<void>;
  /** Whether anything showing this source's data is visible; polling stops while nothing is. */
  setVisible(visible: boolean): void;
  /** Re-reads what the views show now. */
  refresh(): Promise<void>;
  actions(): readonly ActionDeclaration[];
  runAction(actionId: string, target: ActionTarget, progress: ActionProgress): Promise<ActionResult>;
  /**
   * Loads one task's full record on demand (payload, result, error, logs…), values cut to `maxValueBytes`.
   * Sources that cannot read single tasks leave it out; `undefined` means the task no longer exists.
   */
  taskDetail?(ref: { readonly queue?: string; readonly id: string }, maxValueBytes: number): Promise<TaskDetail | undefined>;
  /** One page of a state's tasks, read with the few fields a row shows. */
  taskPage?(request: TaskPageRequest): Promise<TaskPage>;
  /** One page of a task's own log lines, oldest first, each cut to a bounded length; undefined when unsupported. */
  taskLogs?(request: TaskLogRequest): Promise<TaskLogPage>;
  /** The job schedulers / repeatable jobs of a queue (read-only listing; removal is an action). */
  schedulers?(queue: string): Promise<SchedulerList>;
  /** Bounded search; hits stream through `onHits` as they are found. */
  /** MQTT sources: the topic browser (last value, rate, byte-capped history per topic). */
  topics?(): TopicBrowser;
  searchTasks?(request: TaskSearchRequest, onHits: (hits: readonly TaskSearchHit[]) => void, signal: AbortSignal): Promise<TaskSearchSummary>;
}

/** A failure that retrying cannot fix (unsupported system, bad credentials): the connection stays down with the reason shown. */
export class PermanentSourceError extends Error {
  override readonly name: string = 'PermanentSourceError';
}

/**
 * Whether retrying cannot fix this error. Sources run from their own bundle (dist/sources.js), whose copy of
 * PermanentSourceError is another class than the host's, so the name counts as well as the class.
 */
export function isPermanentSourceError(error: unknown): boolean {
  return error instanceof PermanentSourceError || (error instanceof Error && error.name === 'PermanentSourceError');
}
