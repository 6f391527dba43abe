// Opens a WebSocket for a profile: ws:// or wss://, extra handshake headers, a CA file and the
// rejectUnauthorized switch for TLS, a handshake timeout. Rejects with a message that says what went wrong;
// 401/403 answers are permanent (retrying with the same credentials cannot help).
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { PermanentSourceError } from '../../core/source/source';

export interface OpenOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly handshakeTimeoutMs?: number;
  /** ws closes the socket on frames above this; the source rejects smaller oversize frames itself. */
  readonly maxPayload?: number;
  /** Called with the socket before it opens: a frame sent together with the upgrade answer arrives right after
   *  'open', before a listener attached later would see it. */
  readonly attach?: (socket: WebSocket) => void;
}

export function openWebSocket(profile: ConnectionProfile, url: string, options: OpenOptions = {}): Promise<WebSocket> {
  let ca: Buffer | undefined;
  if (profile.tls?.caFile) {
    try {
      ca = readFileSync(profile.tls.caFile);
    } catch (error) {
      return Promise.reject(new PermanentSourceError(`cannot read the CA file ${profile.tls.caFile}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  const socket = new WebSocket(url, {
    headers: { ...options.headers },
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    maxPayload: options.maxPayload ?? 256 * 1024 * 1024,
    perMessageDeflate: false,
    ...(ca ? { ca } : {}),
    ...(profile.tls?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  });
  options.attach?.(socket);
  return new Promise<WebSocket>((resolve, reject) => {
    const fail = (error: Error): void => {
      socket.removeAllListeners('open');
      socket.removeAllListeners('message');
      socket.on('error', () => undefined); // a late error after terminate() must not become an uncaught exception
      socket.terminate();
      reject(error);
    };
    socket.once('open', () => {
      socket.removeAllListeners('error');
      socket.removeAllListeners('unexpected-response');
      resolve(socket);
    });
    socket.once('error', (error) => fail(error));
    socket.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const message = `${redact(url)} answered HTTP ${status} instead of a WebSocket upgrade`;
      fail(status === 401 || status === 403 ? new PermanentSourceError(`${message} (not authorized: check the token or headers)`) : new Error(message));
    });
  });
}

/** The URL without credentials or query values, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
