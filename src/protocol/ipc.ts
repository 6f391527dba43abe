// Typed host⇄webview messages. Three kinds, named by direction:
//   XxxCommand            webview → host, no reply
//   XxxRequest            webview → host, exactly one reply
//   DidXxxNotification    host → webview
// A descriptor carries its method name at run time and its payload type at compile time.

export interface CommandType<M extends string, P> { readonly kind: 'command'; readonly method: M; readonly _params?: P }
export interface RequestType<M extends string, P, R> { readonly kind: 'request'; readonly method: M; readonly _params?: P; readonly _response?: R }
export interface NotificationType<M extends string, P> { readonly kind: 'notification'; readonly method: M; readonly _params?: P }

export const command = <P, M extends string = string>(method: M): CommandType<M, P> => ({ kind: 'command', method });
export const request = <P, R, M extends string = string>(method: M): RequestType<M, P, R> => ({ kind: 'request', method });
export const notification = <P, M extends string = string>(method: M): NotificationType<M, P> => ({ kind: 'notification', method });

export type ParamsOf<T> = T extends { readonly _params?: infer P } ? P : never;
export type ResponseOf<T> = T extends RequestType<string, unknown, infer R> ? R : never;

/** Webview → host envelope. `id` is set on requests and echoed in the response. */
export interface InboundMessage { readonly method: string; readonly params?: unknown; readonly id?: number }

/** Host → webview envelope. `seq` orders notifications: a gap tells the webview to ask for a new snapshot. */
export interface OutboundMessage { readonly method: string; readonly params: unknown; readonly seq?: number; readonly id?: number }

/** The panel is loaded and listening; the host answers with a full snapshot. Sent again on a sequence gap. */
export const ReadyCommand = command<{ readonly lastSeq?: number }>('ready');
