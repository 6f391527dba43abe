// Builds ioredis clients from a connection profile — the one factory every Redis source goes through. A
// profile is a single server (`redis://`/`rediss://`, TLS CA file, ACL user + password), a Redis Cluster
// (`cluster.nodes` → ioredis `Cluster`) or a Sentinel-managed master (`sentinel.sentinels` + `name`).
// Reconnection is ours (the shared state machine), so ioredis' own retries and offline queue are off: a dead
// server fails fast and visibly.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { PermanentSourceError } from '../../core/source/source';
import { parseHostPort, redisTopologyOptions } from '../../core/config/redis-options';
import { escapeRedisGlob } from '../../core/redis/redis-glob';
import { slotSplittingPipeline } from './redis-cluster';

/**
 * A connection to a single server or to a Cluster. Typed as `Redis` for the command surface both share
 * (`Cluster` extends the same Commander); code that must treat them differently asks `isCluster()`.
 */
export type RedisConnection = Redis;

export interface RedisClientOptions {
  /** Name shown in CLIENT LIST, so operators can tell Taskscope's connections apart. */
  readonly connectionName?: string;
  /** For blocking reads (XREAD BLOCK): no command timeout. */
  readonly blocking?: boolean;
}

export function redisOptionsFromProfile(profile: ConnectionProfile, options: RedisClientOptions = {}): RedisOptions {
  const url = new URL(profile.url);
  const db = url.pathname && url.pathname !== '/' ? Number(url.pathname.slice(1)) : 0;
  const tls = url.protocol === 'rediss:' || profile.tls !== undefined
    ? {
        ca: profile.tls?.caFile ? readCaFile(profile.tls.caFile) : undefined,
        rejectUnauthorized: profile.tls?.rejectUnauthorized ?? true,
        // SNI carries host names only (RFC 6066); an IP is checked against the certificate's IP SANs without it.
        ...(isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0 ? { servername: url.hostname } : {}),
      }
    : undefined;
  const { sentinel } = redisTopologyOptions(profile.options);
  const username = profile.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = profile.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db: Number.isFinite(db) ? db : 0,
    username,
    password,
    tls,
    ...(sentinel
      ? {
          sentinels: sentinel.sentinels.map((s) => parseHostPort(s) ?? { host: s, port: 26379 }),
          name: sentinel.name,
          // Sentinels usually share the ACL of the data nodes; one failed sentinel try must not loop forever.
          sentinelUsername: username,
          sentinelPassword: password,
          sentinelRetryStrategy: () => null,
          enableTLSForSentinelMode: tls !== undefined,
        }
      : {}),
    connectionName: options.connectionName,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectTimeout: 5_000,
    commandTimeout: options.blocking ? undefined : 15_000,
    enableAutoPipelining: false,
  };
}

/** ioredis `Cluster` options: the seed nodes of `cluster.nodes`, each node connection as for a single server. */
export function clusterOptionsFromProfile(profile: ConnectionProfile, options: RedisClientOptions = {}): { nodes: { host: string; port: number }[]; options: ClusterOptions } | undefined {
  const { cluster } = redisTopologyOptions(profile.options);
  if (!cluster) return undefined;
  const { db: _db, host: _host, port: _port, enableOfflineQueue, ...nodeOptions } = redisOptionsFromProfile(profile, options);
  const nodes = cluster.nodes.map((n) => parseHostPort(n)).filter((n): n is { host: string; port: number } => n !== undefined);
  return {
    nodes,
    options: {
      redisOptions: nodeOptions,
      lazyConnect: true,
      enableOfflineQueue,
      clusterRetryStrategy: () => null,
      enableAutoPipelining: false,
      // One MOVED/ASK redirection per command is normal while slots migrate; more means something is wrong.
      maxRedirections: 4,
      slotsRefreshTimeout: 5_000,
      ...(nodeOptions.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    },
  };
}

export function createRedisClient(profile: ConnectionProfile, options: RedisClientOptions = {}): RedisConnection {
  const cluster = clusterOptionsFromProfile(profile, options);
  if (cluster) {
    const client = new Cluster(cluster.nodes, cluster.options);
    // Readers pipeline keys of many queues (many slots); a bare `pipeline()` splits them by slot. bullmq's own
    // `pipeline(commands)` / `multi()` calls are untouched.
    const pipeline = client.pipeline.bind(client);
    client.pipeline = ((commands?: unknown[][]) => (commands ? pipeline(commands) : slotSplittingPipeline(Object.assign(Object.create(client) as Cluster, { pipeline })))) as Cluster['pipeline'];
    return client as unknown as RedisConnection;
  }
  return new Redis(redisOptionsFromProfile(profile, options));
}

function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new PermanentSourceError(`cannot read the CA file tls.caFile "${path}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Node's TLS verification failures (err.code): the server's certificate is not trusted as configured. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH',
]);

/**
 * Why a Redis connection could not be made, in words a user can act on. Failures a retry cannot fix — the
 * server's certificate is not trusted, the credentials are refused — become PermanentSourceError, so the
 * connection stays down with the reason shown instead of retrying (and re-sending a wrong password) forever.
 */
export function explainRedisConnectError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && TLS_VERIFY_CODES.has(code)) {
    return new PermanentSourceError(`TLS: the server's certificate is not trusted (${code}: ${error.message}); set tls.caFile to the CA that signed it, or tls.rejectUnauthorized: false to skip verification`);
  }
  if (/^(WRONGPASS|NOAUTH)\b|invalid (username-)?password|invalid password/i.test(error.message)) {
    return new PermanentSourceError(`authentication refused: ${error.message.replace(/^ReplyError: /, '')} (check the username and set the password with "Taskscope: Set Connection Password or Token…")`);
  }
  if (/^NOPERM\b/.test(error.message)) {
    return new PermanentSourceError(`the ACL user may not run a command Taskscope needs to connect: ${error.message}`);
  }
  if (/wrong version number|packet length too long/i.test(error.message)) {
    return new Error(`TLS handshake failed: ${error.message} (a rediss:// URL on a server without TLS on that port?)`);
  }
  return error;
}

/**
 * Connects `client` and watches it, the one way every Redis source does: a failed connect throws with the reason
 * ioredis reported in its 'error' event (its rejection is a bare "Connection is closed."); once the returned
 * `established()` has been called, the connection ending reports `onLost` with the last error (or
 * `closedMessage`), and later errors go to `debug`.
 */
export async function connectWatched(
  client: RedisConnection,
  watch: { onLost(error: Error): void; closedMessage: string; debug?: (message: string) => void },
): Promise<() => void> {
  let established = false;
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
    if (established) watch.debug?.(err.message);
  });
  client.on('end', () => { if (established) watch.onLost(lastError ?? new Error(watch.closedMessage)); });
  await client.connect().catch((error: unknown) => { throw explainRedisConnectError(lastError ?? error); });
  return () => { established = true; };
}

export function isCluster(client: RedisConnection): boolean {
  return (client as unknown) instanceof Cluster;
}

/** The servers keys live on: every master of a Cluster, or the client itself. SCAN and CLIENT LIST run on each. */
export function keyNodes(client: RedisConnection): readonly Redis[] {
  return isCluster(client) ? (client as unknown as Cluster).nodes('master') : [client];
}

/** SCAN with MATCH over every key node; `onKeys` sees each batch (a key may appear twice within a node). */
export async function scanEveryNode(client: RedisConnection, match: string, count: number, onKeys: (keys: readonly string[]) => boolean | void): Promise<void> {
  for (const node of keyNodes(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      if (onKeys(keys) === false) return;
    } while (cursor !== '0');
  }
}

/** Escapes glob characters so a key prefix can be used inside a SCAN MATCH pattern. */
export const escapeGlob = escapeRedisGlob;
