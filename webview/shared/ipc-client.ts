// The webview end of the typed host⇄webview protocol: posts commands and requests, dispatches notifications,
// and watches sequence numbers so a lost delta turns into a fresh snapshot instead of a silently wrong view.
//
// Sequence contract with the host (see src/protocol/ipc.ts):
//   webview → `ready {}`                       once, when the panel is mounted
//   host    → snapshot, seq = n               any time (after `ready`, on show); resets tracking to n
//   host    → delta,    seq = n+1, n+2, …     applied only when seq is exactly last+1
//   a delta with any other seq  → dropped, and `ready {lastSeq}` is sent to ask for a new snapshot;
//   deltas are dropped until that snapshot arrives (a delta cannot be applied to an unknown base).
import { ReadyCommand } from '../../src/protocol/ipc';
import type { CommandType, InboundMessage, NotificationType, OutboundMessage, ParamsOf, RequestType, ResponseOf } from '../../src/protocol/ipc';

/** What VS Code injects as `acquireVsCodeApi()`; it may be called only once per page. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): unknown;
}

type AnyCommand = CommandType<string, unknown>;
type AnyRequest = RequestType<string, unknown, unknown>;
type AnyNotification = NotificationType<string, unknown>;
type Handler = (params: unknown, message: OutboundMessage) => void;

export interface IpcClientOptions {
  /** If no snapshot answers a `ready`, the next delta re-asks after this long (the host may have been busy). */
  readonly resyncRetryMs?: number;
  /** Requests without a reply reject after this long. */
  readonly requestTimeoutMs?: number;
  /** Time source; injectable so tests can control it. */
  readonly now?: () => number;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Typed client over `acquireVsCodeApi()`. `S` is the panel's UI state (query, filters, sort) — never data. */
export class IpcClient<S extends object> {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly snapshotMethods = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private readonly resyncRetryMs: number;
  private readonly requestTimeoutMs: number;
  private readonly now: () => number;
  private nextRequestId = 1;
  private last: number | undefined;
  /** Set while a snapshot is owed to us: since when, or undefined when in sync. */
  private awaitingSince: number | undefined;
  private readonly onMessage = (event: MessageEvent): void => this.receive(event.data);

  constructor(private readonly api: VsCodeApi, options: IpcClientOptions = {}) {
    this.resyncRetryMs = options.resyncRetryMs ?? 2_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.now = options.now ?? (() => Date.now());
    window.addEventListener('message', this.onMessage);
  }

  /** Sequence number of the last notification applied, if any. */
  get lastSeq(): number | undefined { return this.last; }

  /** Tells the host the panel is listening; it answers with a snapshot. */
  ready(): void {
    this.awaitingSince = this.now();
    this.post({ method: ReadyCommand.method, params: {} });
  }

  send<C extends AnyCommand>(command: C, params: ParamsOf<C>): void {
    this.post({ method: command.method, params });
  }

  /** Sends a request and resolves with the host's single reply (matched by `id`). */
  request<R extends AnyRequest>(request: R, params: ParamsOf<R>): Promise<ResponseOf<R>> {
    const id = this.nextRequestId++;
    return new Promise<ResponseOf<R>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${request.method}: no reply within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.post({ method: request.method, params, id });
    });
  }

  /** Handles a full snapshot: accepted whatever its `seq`, and the new base for sequence tracking. */
  onSnapshot<N extends AnyNotification>(notification: N, handler: (params: ParamsOf<N>, message: OutboundMessage) => void): () => void {
    this.snapshotMethods.add(notification.method);
    return this.addHandler(notification.method, handler as Handler);
  }

  /** Handles an incremental notification: delivered only in sequence, after a snapshot. */
  onNotification<N extends AnyNotification>(notification: N, handler: (params: ParamsOf<N>, message: OutboundMessage) => void): () => void {
    return this.addHandler(notification.method, handler as Handler);
  }

  getState(): Partial<S> | undefined {
    const state = this.api.getState();
    return state !== null && typeof state === 'object' ? (state as Partial<S>) : undefined;
  }

  setState(state: S): void { this.api.setState(state); }

  dispose(): void {
    window.removeEventListener('message', this.onMessage);
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(new Error('disposed')); }
    this.pending.clear();
    this.handlers.clear();
  }

  private addHandler(method: string, handler: Handler): () => void {
    let set = this.handlers.get(method);
    if (!set) this.handlers.set(method, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  private post(message: InboundMessage): void { this.api.postMessage(message); }

  private receive(data: unknown): void {
    if (!isOutbound(data)) return; // not ours (e.g. a message from an extension of the page) — ignore quietly
    if (data.id !== undefined && this.pending.has(data.id)) {
      const p = this.pending.get(data.id)!;
      this.pending.delete(data.id);
      clearTimeout(p.timer);
      p.resolve(data.params);
      return;
    }
    if (!this.inSequence(data)) return;
    for (const handler of this.handlers.get(data.method) ?? []) {
      try {
        handler(data.params, data);
      } catch (error) {
        // One broken handler must not stop the others or the message loop.
        console.error(`[taskscope] handler for ${data.method} failed`, error);
      }
    }
  }

  /** Decides whether a notification may be applied, asking for a snapshot when one was lost. */
  private inSequence(message: OutboundMessage): boolean {
    if (this.snapshotMethods.has(message.method)) {
      this.last = message.seq;
      this.awaitingSince = undefined;
      return true;
    }
    // Unsequenced notifications carry no ordering promise, so there is nothing to check.
    if (message.seq === undefined) return true;
    if (this.awaitingSince !== undefined) {
      if (this.now() - this.awaitingSince >= this.resyncRetryMs) this.resync();
      return false;
    }
    if (this.last !== undefined && message.seq !== this.last + 1) {
      this.resync();
      return false;
    }
    this.last = message.seq;
    return true;
  }

  private resync(): void {
    this.awaitingSince = this.now();
    this.post({ method: ReadyCommand.method, params: this.last === undefined ? {} : { lastSeq: this.last } });
  }
}

function isOutbound(data: unknown): data is OutboundMessage {
  if (data === null || typeof data !== 'object') return false;
  const m = data as Record<string, unknown>;
  return typeof m.method === 'string'
    && (m.seq === undefined || (typeof m.seq === 'number' && Number.isInteger(m.seq)))
    && (m.id === undefined || typeof m.id === 'number');
}

let shared: IpcClient<object> | undefined;

/**
 * The page's one client. `acquireVsCodeApi()` throws when called twice, so every component shares this.
 * Fails loudly outside a webview rather than pretending to work.
 */
export function getIpcClient<S extends object>(options?: IpcClientOptions): IpcClient<S> {
  if (!shared) {
    const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
    if (typeof acquire !== 'function') throw new Error('acquireVsCodeApi() is not available: this script must run inside a VS Code webview');
    shared = new IpcClient<object>(acquire(), options);
  }
  return shared as IpcClient<S>;
}
