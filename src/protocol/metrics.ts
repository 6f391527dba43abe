// The Metric charts panel: a catalogue of every series in the store, the samples of the selected ones, then
// deltas that append new samples (≤ 10 per second) and add or drop catalogue entries.
import type { SeriesKind, SeriesUnit } from '../core/series/units';
import { command, notification } from './ipc';

export interface SeriesInfo {
  readonly key: string;
  readonly connectionId: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kind: SeriesKind;
  readonly unit: SeriesUnit;
  /** Samples retained in the store. */
  readonly samples: number;
}

/** Samples of one series: [timestamp ms, value] pairs flattened ([t0, v0, t1, v1, …]) to keep messages small. */
export interface SeriesData {
  readonly key: string;
  readonly flat: readonly number[];
}

export interface MetricsSnapshot {
  readonly catalog: readonly SeriesInfo[];
  /** Keys the host is streaming, in the order the webview asked for. */
  readonly selected: readonly string[];
  readonly data: readonly SeriesData[];
  readonly generatedAt: number;
}

export interface MetricsDelta {
  readonly added?: readonly SeriesInfo[];
  readonly removed?: readonly string[];
  /** Samples newer than the last ones sent, per selected series. */
  readonly appended?: readonly SeriesData[];
  readonly generatedAt: number;
}

export const DidSnapshotNotification = notification<MetricsSnapshot>('metrics/didSnapshot');
export const DidChangeNotification = notification<MetricsDelta>('metrics/didChange');
/** The user picked the series to chart; the host answers with a snapshot holding their samples. */
export const SelectSeriesCommand = command<{ readonly keys: readonly string[] }>('metrics/select');

/** Most series charted at once. */
export const MAX_SELECTED_SERIES = 24;

export const METRICS_INBOUND_METHODS = ['ready', SelectSeriesCommand.method] as const;
