// Topology options of Redis profiles: a Redis Cluster (seed nodes) or Sentinel (sentinels + master name).
// Validated with the profile and handed to the source in `profile.options`; passwords come from SecretStorage.
import { z } from 'zod';

const hostPort = z.string().min(1).refine((s) => parseHostPort(s) !== undefined, 'must be "host:port" or "redis://host:port"');

/** Added to the connection profile schema; these keys stay in `profile.options`. */
export const redisOptionShape = {
  /** Redis Cluster: seed nodes (`redis://host:port` or `host:port`); the rest of the cluster is discovered. */
  cluster: z.object({ nodes: z.array(hostPort).min(1).max(100) }).optional(),
  /** Redis Sentinel: where the sentinels listen and the monitored master's name. */
  sentinel: z.object({ sentinels: z.array(hostPort).min(1).max(20), name: z.string().min(1) }).optional(),
};

const redisTopologySchema = z.object(redisOptionShape).refine((o) => !(o.cluster && o.sentinel), 'use either "cluster" or "sentinel", not both');
export type RedisTopologyOptions = z.infer<typeof redisTopologySchema>;

export const REDIS_OPTION_KEYS: readonly string[] = Object.keys(redisOptionShape);

/** The topology options of a parsed profile (already validated with the profile, so this only narrows types). */
export function redisTopologyOptions(options: Readonly<Record<string, unknown>>): RedisTopologyOptions {
  const r = redisTopologySchema.safeParse({ cluster: options['cluster'], sentinel: options['sentinel'] });
  return r.success ? r.data : {};
}

/** `redis://host:port`, `rediss://host:port` or `host:port` → host and port (default 6379). */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `redis://${text}`;
  try {
    const u = new URL(withScheme);
    if (!u.hostname) return undefined;
    const port = u.port ? Number(u.port) : 6379;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}
