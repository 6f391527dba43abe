// Redis Cluster helpers: key → slot (CRC16 with hash tags, as Redis computes it), a pipeline that splits its
// commands by slot (so readers that pipeline keys of many queues keep one call site for both topologies), and
// the master that owns a key's slot (for a blocking connection that must stay on one node).
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';

const SLOTS = 16_384;
const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** The cluster slot of a key: CRC16 (XMODEM) of the key, or of its `{hash tag}` when it has a non-empty one. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  let part = key;
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) part = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(part, 'utf8')) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % SLOTS;
}

type Pipeline = ReturnType<Redis['pipeline']>;
type Reply = [Error | null, unknown];

/**
 * A pipeline for a Cluster that accepts commands on keys of any slots: commands are grouped by the slot of
 * their first argument (the key), each group runs as one ioredis pipeline (all groups in parallel), and the
 * replies come back in the order the commands were queued — exactly like a single-server pipeline's `exec()`.
 */
export function slotSplittingPipeline(cluster: Cluster): Pipeline {
  const queued: { name: string; args: unknown[] }[] = [];
  const exec = async (): Promise<Reply[]> => {
    const groups = new Map<number, number[]>();
    queued.forEach((c, i) => {
      const slot = typeof c.args[0] === 'string' ? keySlot(c.args[0]) : -1;
      groups.set(slot, [...(groups.get(slot) ?? []), i]);
    });
    const replies: Reply[] = new Array<Reply>(queued.length);
    await Promise.all([...groups.values()].map(async (indexes) => {
      const p = cluster.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & { exec(): Promise<Reply[] | null> };
      for (const i of indexes) p[queued[i]!.name]!(...queued[i]!.args);
      const out = (await p.exec()) ?? [];
      indexes.forEach((i, j) => { replies[i] = out[j] ?? [new Error('no reply'), null]; });
    }));
    return replies;
  };
  const proxy: Pipeline = new Proxy({} as Pipeline, {
    get(_target, name) {
      if (name === 'exec') return exec;
      if (name === 'length') return queued.length;
      if (name === 'then') return undefined; // not a thenable
      return (...args: unknown[]) => { queued.push({ name: String(name), args }); return proxy; };
    },
  });
  return proxy;
}

/** The master connection that owns `key`'s slot (asks the cluster for its slot table once connected). */
export function masterForKey(cluster: Cluster, key: string): Redis | undefined {
  const owner = cluster.slots[keySlot(key)]?.[0];
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
}
