// Options of WebSocket profiles (Mahavishnu, Nexus Agents, generic JSON): validated with the profile, handed to
// the source in `profile.options`. Secrets never live here: the token comes from SecretStorage.
import { z } from 'zod';

import { fieldMappingSchema } from './field-mapping';

export type { FieldMapping } from './field-mapping';

const stringList = z.union([z.array(z.string().min(1)), z.string().min(1).transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))]);

/** Added to the connection profile schema; these keys stay in `profile.options`. */
export const websocketOptionShape = {
  /** Extra HTTP headers of the WebSocket handshake (e.g. an API gateway key). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Mahavishnu rooms to subscribe to: `global`, `pool:<id>`, `workflow:<id>`, `adapters`… */
  channels: z.array(z.string().min(1).max(200)).max(500).optional(),
  /** Nexus `/ws/monitor` filters. */
  projectId: z.string().min(1).optional(),
  taskId: z.string().min(1).optional(),
  types: stringList.optional(),
  /** Accepted as a synonym of `types` (the name some Nexus documents use). */
  eventTypes: stringList.optional(),
  statsOnly: z.boolean().optional(),
  /** Generic WebSocket: field mapping, and a message sent after every (re)connect. */
  mapping: fieldMappingSchema.optional(),
  subscribeMessage: z.unknown().optional(),
  requestTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** Application-level keepalive: a ping every this often; silence for three intervals counts as a lost connection. */
  pingIntervalMs: z.number().int().min(1_000).max(600_000).optional(),
  /** Cut of payload previews (characters; default 20 KB). */
  previewChars: z.number().int().min(64).max(1_048_576).optional(),
  /** Frames larger than this are rejected before parsing (default 8 MB). */
  maxFrameBytes: z.number().int().min(1_024).max(256 * 1_048_576).optional(),
};

const websocketOptionsSchema = z.object(websocketOptionShape);
export type WebsocketOptions = z.infer<typeof websocketOptionsSchema>;

export const WEBSOCKET_OPTION_KEYS: readonly string[] = Object.keys(websocketOptionShape);

/** The WebSocket options of a parsed profile (already validated with the profile, so this only narrows types). */
export function websocketOptions(options: Readonly<Record<string, unknown>>): WebsocketOptions {
  const r = websocketOptionsSchema.safeParse(options);
  return r.success ? r.data : {};
}
