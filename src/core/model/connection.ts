// Connection profiles (what the user configures) and connection health (what the model tracks).

export const CONNECTION_KINDS = ['redis', 'websocket', 'mqtt', 'prometheus', 'logfile'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export const SYSTEMS = ['bullmq', 'rhailib', 'nexus', 'pynenc', 'rustvello', 'mahavishnu', 'propeller', 'generic'] as const;
export type SystemId = (typeof SYSTEMS)[number];

/** Lifecycle of one connection as the user sees it (status bar, connection node). */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'stopped';

export interface ConnectionHealth {
  readonly id: string;
  readonly name: string;
  readonly kind: ConnectionKind;
  readonly system: SystemId;
  readonly state: ConnectionState;
  readonly readOnly: boolean;
  /** Last error message, kept while reconnecting so the user sees why. */
  readonly error?: string;
  /** Milliseconds until the next reconnect attempt, when `state` is `reconnecting`. */
  readonly retryInMs?: number;
  readonly attempt?: number;
  readonly since: number;
  /** Frames rejected by validation since the connection started. */
  readonly rejectedFrames: number;
  /** Lasting limitations of what it shows, by the view they concern (see the `connection.notice` event). */
  readonly notices?: Readonly<Partial<Record<ConnectionNoticeTopic, string>>>;
}

/** What a connection notice is about: the view that shows it under the connection. */
export type ConnectionNoticeTopic = 'queues' | 'workers' | 'workflows';
