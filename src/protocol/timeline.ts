// The Timeline panel's messages: task spans (one per started task) in a snapshot after `ready`, then
// sequenced deltas of changed and removed spans; the webview packs them into lanes and draws on a canvas.
import { command, notification } from './ipc';

/** Which tasks the panel shows; set when it is opened from a tree item, cleared from the panel. */
export interface TimelineScope {
  readonly connectionId?: string;
  readonly queue?: string;
  readonly worker?: string;
  readonly workflowId?: string;
  /** Human label, e.g. "worker w-3 on Production". */
  readonly label: string;
}

/** One task as a span. Short keys: a snapshot can hold 100k of these. Everything is text from a source. */
export interface TimelineSpan {
  /** Task key (`task:<conn>:<queue>:<id>`), stable across updates. */
  readonly k: string;
  readonly id: string;
  readonly c: string;
  readonly n?: string;
  readonly q?: string;
  readonly w?: string;
  readonly s: string;
  readonly t0: number;
  /** End; absent while the task runs. */
  readonly t1?: number;
  readonly a?: number;
  /** Error message, cut to a few hundred characters. */
  readonly e?: string;
}

export interface TimelineSnapshot {
  readonly generatedAt: number;
  readonly scope?: TimelineScope;
  readonly spans: readonly TimelineSpan[];
  /** Connection id → display name, for lane labels. */
  readonly connections: Readonly<Record<string, string>>;
  /** Started tasks that the store no longer holds (retention) are not shown; counted here. */
  readonly tasksEvicted: number;
}

export interface TimelineDelta {
  readonly generatedAt: number;
  readonly upserts: readonly TimelineSpan[];
  readonly removed: readonly string[];
  readonly tasksEvicted: number;
}

export const TimelineDidSnapshotNotification = notification<TimelineSnapshot>('timeline/didSnapshot');
export const TimelineDidChangeNotification = notification<TimelineDelta>('timeline/didChange');
/** Host asks the panel to show a task (e.g. from a log line): centre on `at`, select the span if present. */
export const TimelineRevealNotification = notification<{ readonly key?: string; readonly at: number }>('timeline/reveal');

/** The user clicked a span (or pressed Enter on it): the host opens the task's detail. */
export const TimelineOpenTaskCommand = command<{ readonly key: string }>('timeline/openTask');
/** The user removed the scope: show every task. */
export const TimelineClearScopeCommand = command<Record<string, never>>('timeline/clearScope');

export const TIMELINE_INBOUND_METHODS = ['ready', TimelineOpenTaskCommand.method, TimelineClearScopeCommand.method] as const;
