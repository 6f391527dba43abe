// Mahavishnu over WebSocket: authenticates with the JWT first frame when the profile has a token, subscribes
// to the configured rooms (`global`, `pool:<id>`, `workflow:<id>`, …) with `id` and `correlation_id` both set
// and each reply matched (with a timeout), reads pool and workflow status, then follows events. Error frames
// are shown to the user (output log and log store); AUTH_FAILED stops the connection with the reason.
import { randomUUID } from 'node:crypto';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { PermanentSourceError, type SourceContext } from '../../core/source/source';
import { previewLine } from '../../core/util/preview';
import { ERROR_CODES, decodeFrame, type MahavishnuFrame } from './mahavishnu-protocol';
import { MahavishnuModel } from './mahavishnu-model';
import { WebSocketSource } from './websocket-source';

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** Replies to subscriptions are awaited this many at a time (the server allows a burst of 150 messages). */
const SUBSCRIBE_CONCURRENCY = 20;
const MAX_RATE_LIMIT_RETRIES = 3;

export class MahavishnuError extends Error {
  override readonly name = 'MahavishnuError';
  constructor(readonly code: string, message: string) { super(`${code}: ${message}`); }
}

interface Pending {
  readonly event: string;
  readonly resolve: (frame: MahavishnuFrame) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class MahavishnuSource extends WebSocketSource {
  private readonly model: MahavishnuModel;
  private readonly pending = new Map<string, Pending>();
  /** From the `session.created` welcome. */
  session: { connectionId?: string; authenticated?: boolean; rateLimit?: number } | undefined;
  /** Rooms the server confirmed, and rooms it refused (FORBIDDEN), with the reason. */
  readonly subscribed = new Set<string>();
  readonly refused = new Map<string, string>();

  constructor(profile: ConnectionProfile) {
    super(profile, 'mahavishnu');
    this.model = new MahavishnuModel(profile.id, (event) => this.push(event));
    // A close fails every request still waiting, with the close code (1008 during auth is a refused token).
    this.onClose((code, reason) => this.failPending(() => new ClosedError(code, reason)));
  }

  channels(): string[] {
    const configured = this.options.channels ?? [];
    return configured.length > 0 ? [...new Set(configured)] : ['global'];
  }

  /** The token travels in the `auth` frame, not in a header. */
  protected override sendsBearerToken(): boolean { return false; }

  protected override async handshake(ctx: SourceContext): Promise<void> {
    this.subscribed.clear();
    this.refused.clear();
    if (this.profile.token) {
      try {
        const reply = await this.request('auth', { token: this.profile.token });
        if (reply.data['status'] !== 'authenticated') throw new PermanentSourceError(`authentication was not confirmed (status ${String(reply.data['status'])})`);
        ctx.log.info(`[${this.profile.id}] authenticated as ${String(reply.data['user_id'] ?? '(unknown user)')}`);
      } catch (error) {
        if (error instanceof MahavishnuError && (error.code === ERROR_CODES.authFailed || error.code === ERROR_CODES.authRequired)) {
          throw new PermanentSourceError(`Mahavishnu refused the token (${error.message}); set a new one with "Taskscope: Set Connection Password or Token…"`);
        }
        if (error instanceof ClosedError && error.code === 1008) throw new PermanentSourceError(`Mahavishnu closed the connection during authentication (policy violation${error.reason ? `: ${error.reason}` : ''})`);
        throw error;
      }
    }
    const channels = this.channels();
    for (let i = 0; i < channels.length; i += SUBSCRIBE_CONCURRENCY) {
      await Promise.all(channels.slice(i, i + SUBSCRIBE_CONCURRENCY).map((channel) => this.subscribe(channel)));
    }
    if (this.subscribed.size === 0) {
      throw new PermanentSourceError(`no room could be subscribed: ${[...this.refused].map(([c, why]) => `${c} (${why})`).join(', ')}`);
    }
    await this.readStatus(ctx);
  }

  /** Subscribes to one room; FORBIDDEN is shown and remembered, anything else fails the attempt. */
  private async subscribe(channel: string): Promise<void> {
    try {
      const reply = await this.request('subscribe', { channel });
      if (reply.data['status'] === 'subscribed') this.subscribed.add(channel);
      else throw new Error(`subscribe ${channel}: unexpected reply status ${String(reply.data['status'])}`);
    } catch (error) {
      if (error instanceof MahavishnuError && error.code === ERROR_CODES.forbidden) {
        this.refused.set(channel, error.message);
        this.surface('warn', `subscription to "${channel}" refused: ${error.message}`);
        return;
      }
      if (error instanceof MahavishnuError && error.code === ERROR_CODES.authRequired) {
        throw new PermanentSourceError(`Mahavishnu requires authentication (${error.message}); set a token with "Taskscope: Set Connection Password or Token…"`);
      }
      throw error;
    }
  }

  /** Pool and workflow status for the rooms that name one. */
  private async readStatus(ctx: SourceContext): Promise<void> {
    const reads: Promise<void>[] = [];
    for (const channel of this.subscribed) {
      const poolId = channel.startsWith('pool:') ? channel.slice('pool:'.length) : undefined;
      const workflowId = channel.startsWith('workflow:') ? channel.slice('workflow:'.length) : undefined;
      if (poolId) reads.push(this.request('get_pool_status', { pool_id: poolId }).then((reply) => this.applyResult(this.model.applyPoolStatus(poolId, reply.data, ctx.now()), ctx)));
      if (workflowId) reads.push(this.request('get_workflow_status', { workflow_id: workflowId }).then((reply) => this.applyResult(this.model.applyWorkflowStatus(reply.data, ctx.now()), ctx)));
    }
    const results = await Promise.allSettled(reads);
    for (const r of results) {
      if (r.status === 'rejected') {
        // A status read that fails after the subscription succeeded is not worth a reconnect; events will follow.
        if (r.reason instanceof ClosedError) throw r.reason;
        this.surface('warn', `status request failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      }
    }
  }

  override async refresh(): Promise<void> {
    if (this.ctx && this.socket) await this.readStatus(this.ctx);
  }

  /** Sends a request with `id` and `correlation_id` both set (the server copies `correlation_id` into its reply). */
  request(event: string, data: Record<string, unknown>, attempt = 0): Promise<MahavishnuFrame> {
    const id = randomUUID();
    const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise<MahavishnuFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref?.();
      this.pending.set(id, { event, resolve, reject, timer });
      try {
        this.send(JSON.stringify({ id, correlation_id: id, type: 'request', event, data }));
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }).catch(async (error: unknown) => {
      if (error instanceof MahavishnuError && error.code === ERROR_CODES.rateLimit && attempt < MAX_RATE_LIMIT_RETRIES) {
        const seconds = Number(/retry after ([\d.]+)/i.exec(error.message)?.[1] ?? '1');
        await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(100, seconds * 1000))));
        return this.request(event, data, attempt + 1);
      }
      throw error;
    });
  }

  protected override onText(text: string, ctx: SourceContext): void {
    const raw = this.parseJson(text, ctx);
    if (raw === undefined) return;
    const decoded = decodeFrame(raw);
    if (!decoded.ok) {
      ctx.reject(decoded.kind, `${decoded.detail}: ${text.slice(0, 160)}`);
      return;
    }
    const frame = decoded.frame;
    switch (frame.type) {
      case 'response': return this.onReply(frame, ctx, text);
      case 'error': return this.onError(frame);
      case 'event': return this.onEvent(frame, ctx, text);
      default:
        // ping/pong/ack and client-only types: nothing to do, but keep them visible in the event stream.
        this.generic(`mahavishnu.${frame.type}`, text, frame.at ?? ctx.now());
    }
  }

  private onReply(frame: MahavishnuFrame, ctx: SourceContext, text: string): void {
    const pending = frame.correlationId ? this.pending.get(frame.correlationId) : undefined;
    if (pending) {
      this.pending.delete(frame.correlationId as string);
      clearTimeout(pending.timer);
      pending.resolve(frame);
      return;
    }
    ctx.reject('mahavishnu-unmatched-response', `no request waits for correlation_id ${String(frame.correlationId)}: ${text.slice(0, 160)}`);
  }

  private onError(frame: MahavishnuFrame): void {
    const code = frame.errorCode ?? 'ERROR';
    const message = frame.errorMessage ?? '(no message)';
    const pending = frame.correlationId ? this.pending.get(frame.correlationId) : undefined;
    if (pending) {
      this.pending.delete(frame.correlationId as string);
      clearTimeout(pending.timer);
      pending.reject(new MahavishnuError(code, message));
      return;
    }
    // Errors the server could not tie to a request (DECODE_ERROR of a frame it could not read, auth errors
    // sent before any request, rate limiting of a burst): the user must see them.
    const level = code === ERROR_CODES.authFailed || code === ERROR_CODES.authRequired ? 'error' : 'warn';
    this.surface(level, `Mahavishnu error ${code}: ${message}`);
    // An auth error without correlation fails whatever is waiting (the server closes next).
    if (level === 'error') this.failPending(() => new MahavishnuError(code, message));
  }

  private onEvent(frame: MahavishnuFrame, ctx: SourceContext, text: string): void {
    const now = ctx.now();
    if (frame.event === 'session.created') {
      const d = frame.data;
      this.session = {
        connectionId: typeof d['connection_id'] === 'string' ? d['connection_id'] : undefined,
        authenticated: typeof d['authenticated'] === 'boolean' ? d['authenticated'] : undefined,
        rateLimit: typeof d['rate_limit'] === 'number' ? d['rate_limit'] : undefined,
      };
      ctx.log.info(`[${this.profile.id}] session ${this.session.connectionId ?? '?'} (${previewLine(String(d['message'] ?? 'connected'), 200)}; authenticated: ${String(this.session.authenticated ?? '?')})`);
      return;
    }
    const result = this.model.applyEvent(frame, now);
    if (result === 'unknown') this.generic(frame.event ?? 'mahavishnu.event', text, frame.at ?? now);
    else this.applyResult(result, ctx);
  }

  private applyResult(result: ReturnType<MahavishnuModel['applyPoolStatus']>, ctx: SourceContext): void {
    if (result === 'applied' || result === 'unknown') return;
    if ('reject' in result) ctx.reject(result.reject, result.detail);
    else this.surface('warn', result.notice);
  }

  protected override onDisconnected(): void {
    this.failPending(() => new ClosedError(0, 'disconnected'));
  }

  private failPending(error: () => Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(error());
    }
  }

}

class ClosedError extends Error {
  override readonly name = 'ClosedError';
  constructor(readonly code: number, readonly reason: string) { super(`the WebSocket closed (code ${code}${reason ? `: ${reason}` : ''})`); }
}
