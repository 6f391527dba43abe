// Secured local redis-servers for connection tests: TLS with a CA and server certificate made by `openssl` at
// test time (in a temp dir), and ACL users set with `ACL SETUSER`. Missing binaries fail loudly, naming the package.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { MissingBinaryError, startRedisServer, type RedisServerHandle } from './servers';

const run = promisify(execFile);

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A second CA that signed nothing here: trusting it must not make the server trusted. */
  readonly otherCaFile: string;
  remove(): Promise<void>;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', [...args], { cwd, timeout: 30_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingBinaryError('openssl', 'sudo apt-get install openssl (Debian/Ubuntu) or brew install openssl (macOS)');
    throw error;
  }
}

/** A throwaway CA and a server certificate it signed, valid for 127.0.0.1 and localhost. */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-tls-'));
  try {
    const rsa = ['-newkey', 'rsa:2048', '-nodes'];
    await openssl(['req', '-x509', ...rsa, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Taskscope Test CA'], dir);
    await openssl(['req', '-x509', ...rsa, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=Unrelated Test CA'], dir);
    await openssl(['req', ...rsa, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
    await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir, caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), otherCaFile: join(dir, 'other-ca.crt'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** redis-server listening on TLS only (`--port 0 --tls-port <free>`), clients unauthenticated by certificate. */
export async function startTlsRedisServer(certs: TestCertificates): Promise<RedisServerHandle> {
  return startRedisServer({ tls: { certFile: certs.certFile, keyFile: certs.keyFile, caFile: certs.caFile } });
}

/** Runs `ACL SETUSER <user> <rules…>` on a plain (non-TLS) server through the default user. */
export async function setAclUser(server: RedisServerHandle, user: string, rules: readonly string[]): Promise<void> {
  const admin = new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
    await admin.call('ACL', 'SETUSER', user, 'reset', ...rules);
  } finally {
    admin.disconnect();
  }
}
