// What every WebSocket source shares: opening the socket (headers, TLS), reading frames with a size cap and
// a crash guard (a handler that throws counts as a rejected frame, the connection lives on), aggregating
// entity events (LatestEventBuffer), a keepalive that notices a silent peer, and turning a close into
// `onLost` so the supervisor reconnects. Subclasses speak the protocol: `handshake` and `onText`.
import type WebSocket from 'ws';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { websocketOptions, type WebsocketOptions } from '../../core/config/websocket-options';
import type { SystemId } from '../../core/model/connection';
import type { LogLevel } from '../../core/model/entities';
import type { MonitorEvent } from '../../core/model/events';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import { DEFAULT_PREVIEW_CHARS, previewLine } from '../../core/util/preview';
import { LatestEventBuffer, type EventSink } from '../latest-event-buffer';
import { openWebSocket } from './ws-transport';

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
const DEFAULT_PING_INTERVAL_MS = 15_000;

export abstract class WebSocketSource implements Source {
  protected readonly options: WebsocketOptions;
  protected ctx: SourceContext | undefined;
  protected socket: WebSocket | undefined;
  private buffer: LatestEventBuffer | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private lastActivity = 0;
  private closeListeners = new Set<(code: number, reason: string) => void>();
  /** Frames received since the source was created, over every connection. */
  framesReceived = 0;

  constructor(readonly profile: ConnectionProfile, protected readonly system: SystemId) {
    this.options = websocketOptions(profile.options);
  }

  /** The URL to open (sources add query parameters). */
  protected url(): string { return this.profile.url; }
  protected headers(): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.profile.token && this.sendsBearerToken()) headers['Authorization'] ??= `Bearer ${this.profile.token}`;
    return headers;
  }
  /** Whether the token goes into an `Authorization: Bearer` header (Mahavishnu sends it in a frame instead). */
  protected sendsBearerToken(): boolean { return true; }
  /** After the socket opened: authenticate, subscribe, read the initial state. Throwing fails the attempt. */
  protected abstract handshake(ctx: SourceContext): Promise<void>;
  /** One text frame from the server. Throwing counts as a rejected frame. */
  protected abstract onText(text: string, ctx: SourceContext): void;
  /** Sends the application keepalive, if the protocol has one (default: a WebSocket protocol ping). */
  protected sendKeepalive(socket: WebSocket): void { socket.ping(); }

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.ctx = ctx;
    this.buffer = new LatestEventBuffer((event, key) => ctx.emit(event, key));
    const maxFrame = this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    let established = false;
    const socket = await openWebSocket(this.profile, this.url(), {
      headers: this.headers(),
      maxPayload: Math.max(maxFrame * 2, 64 * 1024 * 1024),
      attach: (s) => {
        this.socket = s;
        s.on('message', (data, isBinary) => { if (this.socket === s) this.receive(data, isBinary, ctx, maxFrame); });
      },
    });
    this.lastActivity = ctx.now();
    socket.on('pong', () => { this.lastActivity = ctx.now(); });
    socket.on('error', (error) => ctx.log.debug(`[${this.profile.id}] websocket: ${error.message}`));
    socket.on('close', (code, reasonBuffer) => {
      const reason = reasonBuffer.toString();
      for (const l of this.closeListeners) l(code, reason);
      if (established && this.socket === socket) onLost(new Error(`server closed the WebSocket (code ${code}${reason ? `: ${reason}` : ''})`));
    });
    await this.handshake(ctx);
    if (this.socket !== socket || socket.readyState !== socket.OPEN) throw new Error('the WebSocket closed during the handshake');
    established = true;
    this.startKeepalive(socket, ctx, onLost);
  }

  async disconnect(): Promise<void> {
    this.stopKeepalive();
    this.buffer?.flush();
    this.buffer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.terminate();
    }
    this.onDisconnected();
  }

  /** Called after every disconnect: fail pending requests, clear per-connection state. */
  protected onDisconnected(): void {}

  setVisible(): void {
    // Push sources stay subscribed while hidden: the store aggregates, the views refresh only when shown.
  }

  async refresh(): Promise<void> {}

  actions(): readonly ActionDeclaration[] { return []; }

  async runAction(actionId: string, _target: ActionTarget, _progress: ActionProgress): Promise<ActionResult> {
    return { ok: false, affected: 0, message: `${this.profile.system} over WebSocket has no action "${actionId}"` };
  }

  /** Aggregated: the latest event per entity is handed on once per tick. */
  protected push(event: MonitorEvent): void { this.sink().push(event); }

  /** Where mapped events go: the connection's LatestEventBuffer (straight to the context when not connected). */
  protected sink(): EventSink {
    return this.buffer ?? { push: (e) => this.ctx?.emit(e), pushAggregated: (e, key) => this.ctx?.emit(e, key), defer: (pending) => pending.drainInto(this.sink()) };
  }

  protected send(text: string): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== socket.OPEN) throw new Error('the WebSocket is not open');
    socket.send(text);
  }

  protected onClose(listener: (code: number, reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  protected previewChars(): number { return this.options.previewChars ?? DEFAULT_PREVIEW_CHARS; }

  /** A message the user should see (server errors, refused subscriptions): the output log and the log store. */
  protected surface(level: LogLevel, message: string): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const line = `[${this.profile.id}] ${message}`;
    if (level === 'error') ctx.log.error(line);
    else if (level === 'warn') ctx.log.warn(line);
    else ctx.log.info(line);
    ctx.emit({ type: 'log', record: { connectionId: this.profile.id, system: this.system, timestamp: ctx.now(), level, message: previewLine(message, this.previewChars()) } });
  }

  /** An event of a kind this source has no shape for: kept for the event stream, its payload cut for display. */
  protected generic(name: string, payloadText: string, at: number): void {
    this.ctx?.emit({ type: 'generic', connectionId: this.profile.id, name: name.slice(0, 200), summary: previewLine(payloadText, this.previewChars()), at });
  }

  /** JSON.parse that rejects instead of throwing. */
  protected parseJson(text: string, ctx: SourceContext): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.reject('invalid-json', `${error instanceof Error ? error.message : String(error)}: ${text.slice(0, 120)}`);
      return undefined;
    }
  }

  private receive(data: WebSocket.RawData, isBinary: boolean, ctx: SourceContext, maxFrame: number): void {
    this.lastActivity = ctx.now();
    this.framesReceived++;
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > maxFrame) {
      ctx.reject('frame-too-large', `${size} bytes (limit ${maxFrame}); raise maxFrameBytes in the profile to accept it`);
      return;
    }
    if (isBinary) {
      ctx.reject('binary-frame', `${size} bytes; only JSON text frames are read`);
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    try {
      this.onText(text, ctx);
    } catch (error) {
      ctx.reject('frame-handler', `${error instanceof Error ? error.message : String(error)}: ${text.slice(0, 120)}`);
    }
  }

  private startKeepalive(socket: WebSocket, ctx: SourceContext, onLost: (error: Error) => void): void {
    const interval = this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.keepalive = setInterval(() => {
      if (this.socket !== socket) return;
      if (ctx.now() - this.lastActivity > interval * 3) {
        this.stopKeepalive();
        socket.terminate();
        onLost(new Error(`no frame and no pong for ${Math.round((interval * 3) / 1000)} s`));
        return;
      }
      try {
        this.sendKeepalive(socket);
      } catch (error) {
        ctx.log.debug(`[${this.profile.id}] keepalive: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, interval);
    this.keepalive.unref?.();
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = undefined;
  }
}
