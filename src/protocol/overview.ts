// The Overview panel's messages: a snapshot after `ready`, then coalesced deltas with a sequence number.
import type { ConnectionSummary, OverviewDelta as BaseOverviewDelta, OverviewSnapshot as BaseOverviewSnapshot, OverviewTotals, QueueSummary } from '../core/views/overview-view';
import type { EventRow } from '../core/views/event-stream';
import { command, notification } from './ipc';

export type { ConnectionSummary, EventRow, OverviewTotals, QueueSummary };

/** The Overview's snapshot: health, queues and totals, plus the newest rows of the event stream. */
export interface OverviewSnapshot extends BaseOverviewSnapshot {
  readonly events?: readonly EventRow[];
}

/** A delta: changed health and queues, plus event rows newer than the last ones sent (oldest first). */
export interface OverviewDelta extends BaseOverviewDelta {
  readonly events?: readonly EventRow[];
}

export const DidSnapshotNotification = notification<OverviewSnapshot>('overview/didSnapshot');
export const DidChangeNotification = notification<OverviewDelta>('overview/didChange');

/** The user asked to open a queue in the Queues view (host reveals it). */
export const RevealQueueCommand = command<{ readonly key: string }>('overview/revealQueue');
/** The user asked to reconnect a connection now. */
export const ReconnectCommand = command<{ readonly connectionId: string }>('overview/reconnect');

/** Inbound methods this panel accepts; anything else is dropped by the host and logged. */
export const OVERVIEW_INBOUND_METHODS = ['ready', RevealQueueCommand.method, ReconnectCommand.method] as const;
