// The Metric charts panel (one at a time): every series in the store, the selected ones streamed at ≤ 10 Hz.
import type * as vscode from 'vscode';
import { z } from 'zod';
import type { ChangeSet } from '../../core/store/change-set';
import type { MonitorStore } from '../../core/store/monitor-store';
import type { SourceLogger } from '../../core/source/source';
import { MetricsFeed } from '../../core/views/metrics-feed';
import { DidChangeNotification, DidSnapshotNotification, MAX_SELECTED_SERIES, SelectSeriesCommand, type MetricsDelta, type MetricsSnapshot } from '../../protocol/metrics';
import { createDashboardWebview, DashboardPanel, type DashboardSpec } from './dashboard-panel';

export const METRICS_SPEC: DashboardSpec = { viewType: 'taskscope.metrics', bundle: 'metrics', rootElement: 'taskscope-metrics' };

const selectSchema = z.object({ keys: z.array(z.string().max(2000)).max(MAX_SELECTED_SERIES * 4) });

export class MetricsPanel implements vscode.Disposable {
  private current: DashboardPanel<MetricsSnapshot, MetricsDelta> | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly store: MonitorStore, private readonly log: SourceLogger, private readonly onShown: () => void) {}

  get visible(): boolean { return this.current?.visible ?? false; }
  get messagesPosted(): number { return this.current?.messenger.posted ?? 0; }

  show(): void {
    if (this.current) return this.current.reveal();
    this.attach(createDashboardWebview(this.extensionUri, METRICS_SPEC, 'Taskscope Metrics'));
  }

  restore(panel: vscode.WebviewPanel): void {
    if (this.current) { panel.dispose(); return; }
    this.attach(panel);
  }

  onStoreChange(change: ChangeSet): void { this.current?.onStoreChange(change); }

  private attach(panel: vscode.WebviewPanel): void {
    const feed = new MetricsFeed(this.store, MAX_SELECTED_SERIES);
    const instance: DashboardPanel<MetricsSnapshot, MetricsDelta> = new DashboardPanel<MetricsSnapshot, MetricsDelta>(panel, this.extensionUri, METRICS_SPEC, 'Taskscope Metrics', {
      snapshot: DidSnapshotNotification,
      delta: DidChangeNotification,
      buildSnapshot: () => feed.snapshot(Date.now()),
      buildDelta: (change) => feed.delta(change, Date.now()),
      commands: {
        [SelectSeriesCommand.method]: {
          schema: selectSchema,
          handle: (p) => {
            feed.select((p as z.infer<typeof selectSchema>).keys);
            instance.messenger.resendSnapshot();
          },
        },
      },
    }, this.log, () => { if (this.current === instance) this.current = undefined; });
    this.current = instance;
    this.onShown();
  }

  dispose(): void { this.current?.dispose(); }
}
