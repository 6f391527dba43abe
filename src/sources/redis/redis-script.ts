// A read-only Lua script run with EVALSHA (its SHA1 computed once), falling back to EVAL when the server
// answers NOSCRIPT (never loaded, SCRIPT FLUSH, failover); the EVAL loads it for the next call.
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script in one round trip (two only the first time on a server that has not seen it). */
  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
