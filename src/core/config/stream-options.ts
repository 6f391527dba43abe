// Profile fields of the stream sources (MQTT, Prometheus, log files), validated with the rest of a profile
// and handed to sources in `profile.options`; `readStreamOptions` gives them back typed with defaults.
import { z } from 'zod';

import { fieldMappingSchema } from './field-mapping';

export type { FieldMapping } from './field-mapping';

const mqttTopic = z.string().min(1).max(1024).refine((t) => !t.includes('\u0000'), 'must not contain NUL');

/** Added to the connection profile schema; each is optional. */
export const STREAM_PROFILE_FIELDS = {
  /** MQTT client id; default `taskscope-<random>`. */
  clientId: z.string().min(1).max(128).optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  /** 4 = MQTT 3.1.1 (default), 5 = MQTT 5. */
  mqttVersion: z.union([z.literal(4), z.literal(5)]).optional(),
  /** Propeller tenant/domain segment of `m/<domain>/c/<channel>/`; `+` matches any. */
  domain: z.string().min(1).max(256).regex(/^[^/#]+$/, 'one topic segment, no "/" or "#"').optional(),
  channel: z.string().min(1).max(256).regex(/^[^/#]+$/, 'one topic segment, no "/" or "#"').optional(),
  /** Whether actions may publish (e.g. Propeller "Stop task"); off by default. */
  allowPublish: z.boolean().optional(),
  /** A proplet is alive when its last `alive` message is at most this old (Propeller: 10 s). */
  livenessTimeoutMs: z.number().int().min(1_000).max(3_600_000).optional(),
  /** Topic filters for generic MQTT; default `#`. */
  topics: z.array(mqttTopic).min(1).max(100).optional(),
  mapping: fieldMappingSchema.optional(),
  /** Largest payload preview kept for display, in bytes (default 20 KB); longer ones are cut and flagged. */
  payloadPreviewBytes: z.number().int().min(256).max(10 * 1024 * 1024).optional(),
  /** History kept per MQTT topic in the topic browser, in bytes. */
  topicHistoryBytes: z.number().int().min(1_024).max(64 * 1024 * 1024).optional(),
  /** Log files: `auto` (default) detects NDJSON and text per line. */
  logFormat: z.enum(['auto', 'ndjson', 'text']).optional(),
  /** Log files: read existing content from the start instead of only the last `logInitialBytes`. */
  logFromStart: z.boolean().optional(),
  /** Directory a relative log path or glob is resolved against (the extension sets the workspace folder). */
  baseDir: z.string().min(1).optional(),
} as const;

export const STREAM_OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys(STREAM_PROFILE_FIELDS));

const streamOptionsSchema = z.object(STREAM_PROFILE_FIELDS);
export type StreamOptions = z.infer<typeof streamOptionsSchema>;

/** The stream fields of `profile.options`, typed; invalid ones were already reported when profiles were parsed. */
export function readStreamOptions(options: Readonly<Record<string, unknown>>): StreamOptions {
  const picked: Record<string, unknown> = {};
  for (const key of STREAM_OPTION_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  const parsed = streamOptionsSchema.safeParse(picked);
  return parsed.success ? parsed.data : {};
}
