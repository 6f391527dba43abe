// A throwaway local Redis Cluster (N masters, no replicas, `redis-cli --cluster create`) and a Sentinel (optionally
// with a password and a replica to fail over to), built from redis-server processes on free ports. Missing
// binaries fail loudly, naming the package.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, MissingBinaryError, startRedisServer, type RedisServerHandle } from './servers';

const run = promisify(execFile);

export interface RedisClusterHandle {
  readonly nodes: readonly RedisServerHandle[];
  /** `redis://127.0.0.1:<port>` of every master, for a profile's `cluster.nodes`. */
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

async function redisCli(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', [...args], { timeout: 30_000 });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingBinaryError('redis-cli', 'sudo apt-get install redis-tools (Debian/Ubuntu) or brew install redis (macOS)');
    throw error;
  }
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const nodes: RedisServerHandle[] = [];
  const stop = async (): Promise<void> => { await Promise.all(nodes.map((n) => n.stop())); };
  try {
    for (let i = 0; i < masters; i++) {
      // Each server runs in its own temp dir, so the relative cluster config file is per node.
      nodes.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
    }
    await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (const n of nodes) {
      while (!(await redisCli(['-p', String(n.port), 'cluster', 'info'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`cluster node ${n.port} did not reach cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { nodes, urls: nodes.map((n) => n.url), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface SentinelHandle {
  readonly master: RedisServerHandle;
  /** A replica of the master (with `replica: true`), the one `SENTINEL FAILOVER` promotes. */
  readonly replica?: RedisServerHandle;
  readonly sentinel: RedisServerHandle;
  readonly name: string;
  stop(): Promise<void>;
}

export interface SentinelOptions {
  /** `requirepass` of the data nodes and of the sentinel (a profile's one password serves both). */
  readonly password?: string;
  /** Start a replica too, so a failover has somewhere to go. */
  readonly replica?: boolean;
}

/** One master (optionally a replica) and one `redis-server --sentinel` monitoring it under `name`. */
export async function startSentinel(name = 'mymaster', opts: SentinelOptions = {}): Promise<SentinelHandle> {
  const auth = opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : [];
  const master = await startRedisServer({ args: auth });
  let replica: RedisServerHandle | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-sentinel-'));
  let sentinel: RedisServerHandle;
  try {
    if (opts.replica) replica = await startRedisServer({ args: [...auth, '--replicaof', '127.0.0.1', String(master.port)] });
    const port = await findFreePort();
    const conf = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file, so it must be writable and its own. Short timeouts: a test failover.
    await writeFile(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 2000`, `sentinel failover-timeout ${name} 10000`,
      ...(opts.password ? [`sentinel auth-pass ${name} ${opts.password}`, `requirepass ${opts.password}`] : []), '',
    ].join('\n'));
    sentinel = await startRedisServer({ port, configFile: conf, sentinel: true });
  } catch (error) {
    await replica?.stop();
    await master.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    master, replica, sentinel, name,
    async stop() {
      await sentinel.stop();
      await replica?.stop();
      await master.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
