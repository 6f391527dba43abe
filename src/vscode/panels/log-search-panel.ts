// The Log search webview. Searches run here, in the host, over the compact log store: sliced so no slice
// blocks the extension host for more than a few milliseconds, streamed back in chunks (≤ 30 per second),
// and a new query (or closing the panel) cancels the running one.
import type * as vscode from 'vscode';
import { z } from 'zod';
import type { LogRecord, Task } from '../../core/model/entities';
import { taskKey } from '../../core/model/keys';
import { SearchRunner } from '../../core/search/search-runner';
import type { MonitorStore } from '../../core/store/monitor-store';
import type { SourceLogger } from '../../core/source/source';
import {
  LOG_SEARCH_RESULT_LIMIT, LogOpenTaskCommand, LogSearchCancelCommand, LogSearchCommand, LogSearchDidChangeNotification,
  LogSearchDidSnapshotNotification, LogSearchResultsNotification, LogSearchSetQueryNotification, LogShowOnTimelineCommand,
  type LogRow, type LogSearchParams, type LogStoreStats,
} from '../../protocol/log-search';
import type { PanelMessengerOptions } from './panel-messenger';
import { SingletonPanel } from './singleton-panel';

export const LOG_SEARCH_VIEW_TYPE = 'taskscope.logSearch';

export interface LogSearchActions {
  openTask(key: string): void;
  showOnTimeline(at: number, key?: string): void;
}

export class LogSearchPanel extends SingletonPanel {
  private readonly runner: SearchRunner<LogRow>;
  /** `<connection>\0<task id>` → task, rebuilt per search. */
  private taskIndex = new Map<string, Task>();
  private pendingQuery: string | undefined;

  constructor(extensionUri: vscode.Uri, private readonly store: MonitorStore, private readonly actions: LogSearchActions, log: SourceLogger, onShown: () => void) {
    super(extensionUri, { viewType: LOG_SEARCH_VIEW_TYPE, title: 'Taskscope Log Search', bundle: 'log-search', rootElement: 'taskscope-log-search' }, log, onShown);
    this.runner = new SearchRunner<LogRow>({
      store: () => this.store.logStore(),
      toRow: (record, seq) => this.toRow(record, seq),
      taskName: () => {
        const names = new Map<string, string>();
        for (const t of this.taskIndex.values()) if (t.name !== undefined) names.set(t.id, t.name);
        return (id) => names.get(id);
      },
      send: (chunk) => { this.messenger?.notify(LogSearchResultsNotification, chunk); },
      schedule: (fn, delayMs) => { if (delayMs <= 0) setImmediate(fn); else setTimeout(fn, delayMs); },
      now: () => performance.now(),
      limit: LOG_SEARCH_RESULT_LIMIT,
    });
  }

  /** Opens the panel; `query` (e.g. `worker:w-3`) replaces the one in the search box. */
  show(query?: string): void {
    this.pendingQuery = query;
    if (!this.open() && this.messenger?.isReady) this.flushQuery();
  }

  private flushQuery(): void {
    if (this.pendingQuery !== undefined && this.messenger?.notify(LogSearchSetQueryNotification, { query: this.pendingQuery })) this.pendingQuery = undefined;
  }

  private stats(): LogStoreStats {
    const logs = this.store.logStore();
    return { generatedAt: Date.now(), retained: logs.size, endSeq: logs.endSeq, overwritten: logs.overwritten, capacity: logs.capacity };
  }

  private search(params: LogSearchParams): void {
    this.taskIndex = new Map();
    for (const t of this.store.tasks()) this.taskIndex.set(`${t.connectionId}\0${t.id}`, t);
    this.runner.start(params);
  }

  private toRow(r: LogRecord, seq: number): LogRow {
    const row: { -readonly [K in keyof LogRow]: LogRow[K] } = { seq, t: r.timestamp, level: r.level, msg: r.message, conn: r.connectionId };
    if (r.runner !== undefined) row.runner = r.runner;
    if (r.worker !== undefined) row.worker = r.worker;
    if (r.invocation !== undefined) row.inv = r.invocation;
    if (r.task !== undefined) {
      row.task = r.task;
      const task = this.taskIndex.get(`${r.connectionId}\0${r.task}`);
      if (task) {
        row.taskKey = taskKey(task.connectionId, task.queue, task.id);
        if (task.name !== undefined) row.taskName = task.name;
      }
    }
    return row;
  }

  protected messengerOptions(): Omit<PanelMessengerOptions<unknown, unknown>, 'log'> {
    const time = z.number().finite().optional();
    return {
      snapshot: LogSearchDidSnapshotNotification,
      delta: LogSearchDidChangeNotification,
      buildSnapshot: () => this.stats(),
      buildDelta: (change) => (change.logs > 0 ? this.stats() : undefined),
      afterSnapshot: () => this.flushQuery(),
      commands: {
        [LogSearchCommand.method]: {
          schema: z.object({ searchId: z.number().int().nonnegative(), query: z.string().max(4000), from: time, to: time }).strict(),
          handle: (p) => this.search(p as LogSearchParams),
        },
        [LogSearchCancelCommand.method]: { schema: z.object({ searchId: z.number().int() }).strict(), handle: (p) => this.runner.cancel((p as { searchId: number }).searchId) },
        [LogOpenTaskCommand.method]: { schema: z.object({ taskKey: z.string().max(3000) }).strict(), handle: (p) => this.actions.openTask((p as { taskKey: string }).taskKey) },
        [LogShowOnTimelineCommand.method]: {
          schema: z.object({ at: z.number().finite(), taskKey: z.string().max(3000).optional() }).strict(),
          handle: (p) => { const { at, taskKey: key } = p as { at: number; taskKey?: string }; this.actions.showOnTimeline(at, key); },
        },
      },
    };
  }

  protected override onClosed(): void { this.runner.cancel(); }

  override dispose(): void {
    this.runner.dispose();
    super.dispose();
  }
}
