// The Nexus Redis source through a real redis-server, read two ways at once: by its reader thread, which scans each
// message (nexus-frame-scan.ts) and hands the record over so the host builds the event without JSON.parse, and on the
// host's thread with the scan done there. Both are fed the same frames (odd, escaped, non-ASCII, malformed, oversized,
// repeated on several channels) and must end with the same model and the same rejects as each other and as the
// frames say.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../helpers/servers';
import { aProfile, waitUntil } from '../../helpers/source-session';
import { NexusRedisSource } from '../../../src/sources/redis/nexus';
import { MonitorSession } from '../../../src/sources/monitor-session';
import type { SourceContext } from '../../../src/core/source/source';

let redis: RedisServerHandle;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A Nexus source (events only: polls an hour apart) applying into a session of its own; rejects recorded. */
async function reading(onThread: boolean) {
  const session = new MonitorSession({ log: quiet });
  const source = new NexusRedisSource(aProfile({ system: 'nexus', url: redis.url, pollIntervalMs: 3_600_000 }), { subscriberThread: onThread });
  const rejects: string[] = [];
  const ctx: SourceContext = { emit: session.apply, reject: (kind, detail) => { rejects.push(`${kind}: ${detail}`); }, log: quiet, now: () => 1_000 };
  await source.connect(ctx, (e) => assert.fail(e));
  return { session, source, rejects };
}

const BASE = {
  event_id: '', ts: '2026-12-07T10:00:00.250000+00:00', event_type: 'task_started', project_id: 'p1', parent_task_id: 'research-0c1d2e3f-aaaa-bbbb',
  task_id: '', task_type: 'search', phase: null, worker_id: 3, retry_count: 0, status: null, duration_ms: null, counts: null, queue: null,
  message: null, error: null, meta: null,
};
/** json.dumps spelling, as Nexus writes. */
const pythonJson = (value: unknown) => JSON.stringify(value).replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (_m, str: string | undefined, sep: string | undefined) => str ?? `${sep} `);
const frame = (n: number, fields: Record<string, unknown>) => pythonJson({ ...BASE, event_id: `ev-${n}-6f1c2d3e-4a5b`, task_id: `task-${n % 7}-0c1d2e3f-aaaa`, ...fields });

test('read by the reader thread (scanned there) and on the host thread: the same model and the same rejects', async () => {
  const threaded = await reading(true);
  const hosted = await reading(false);
  assert.ok((threaded.source as unknown as { threadedSubscriber?: unknown }).threadedSubscriber, 'the first source reads on its reader thread');
  assert.ok(!(hosted.source as unknown as { threadedSubscriber?: unknown }).threadedSubscriber, 'the second on the host thread');
  const pub = new Redis(redis.url);
  try {
    const frames: string[] = [];
    for (let n = 0; n < 300; n++) {
      const kind = n % 10;
      frames.push(
        kind === 0 ? frame(n, { event_type: 'task_enqueued', meta: { queue: 'nexus:tasks:high_priority', priority: 2 } })
        : kind === 1 ? frame(n, { event_type: 'task_completed', status: 'completed', duration_ms: 1250.5, message: 'done: "ok"\n' })
        : kind === 2 ? frame(n, { event_type: 'task_failed', error: 'KeyError: ünïcödé ✗', retry_count: 2 })
        : kind === 3 ? frame(n, { event_type: 'phase_started', phase: 'search' })
        : kind === 4 ? frame(n, { event_type: 'stats_snapshot', counts: { completed: n, failed: 1, pending: 2, processing: 0 }, queue: { high_priority: 1, normal_priority: 4, total: 5 }, meta: { workers_online: 3 } })
        : kind === 5 ? frame(n, { event_type: 'worker_heartbeat', worker_id: `w-${n % 3}` })
        : kind === 6 ? frame(n, { event_type: 'agent_note', message: 'a type without a shape: kept as a generic event' })
        : kind === 7 ? frame(n, { event_type: 'task_started', worker_id: 0.5 }) // rejected: not an integer
        : kind === 8 ? frame(n, { ts: '1970-01-01T00:00:07Z', event_type: 'task_retry' })
        : frame(n, { event_type: 'task_started', task_id: `long-id-with-\\backslash-${n}` }),
      );
    }
    frames.push('{"event_id": "x", "ts": ', '{"type":"hello"}', 'not json at all', pythonJson({ ...BASE, event_id: 'snapshot', event_type: 'stats_snapshot', queue: { high_priority: 9 } }));
    frames.push(frame(999, { message: 'x'.repeat(300 * 1024) })); // over the 256 KiB cap: rejected by its size
    for (const text of frames) {
      await pub.publish('nexus:events', text);
      // As Nexus publishes: again on the project channel (a copy each source drops), stats on the stats channel too.
      await pub.publish('nexus:events:project:p1', text);
      if (text.includes('"stats_snapshot"')) await pub.publish('nexus:events:stats', text);
    }
    // Both saw every frame once its last one's effect is in: the generic "agent_note" events and the size reject.
    const settled = (r: Awaited<ReturnType<typeof reading>>) => r.rejects.some((m) => m.includes('limit 262144')) && r.session.store.logs().length > 0;
    await waitUntil('both sources read everything', () => settled(threaded) && settled(hosted), 15_000);
    await new Promise((r) => setTimeout(r, 100));

    const model = (r: Awaited<ReturnType<typeof reading>>) => {
      const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
      const store = r.session.store;
      return {
        tasks: byId(store.tasks()), workers: byId(store.workers()), workflows: byId(store.workflows()),
        series: store.series().map((s) => `${s.key}=${s.samples.last()?.[1]}`).sort(),
        // (Not the count of model events: how many updates of one task a tick merges depends on how reads batch.)
        logs: store.logs().map((l) => `${l.timestamp} ${l.level} ${l.message}`),
      };
    };
    const a = model(threaded);
    const b = model(hosted);
    assert.deepEqual(a, b);
    // The same rejects; on the host thread a malformed frame's project-channel copy is rejected again (its id was
    // never remembered), while the reader thread drops a byte-identical copy before anything reads it.
    assert.deepEqual([...new Set(threaded.rejects)].sort(), [...new Set(hosted.rejects)].sort());
    assert.ok(threaded.rejects.length < hosted.rejects.length, 'copies of malformed frames with a leading id are not read by the reader thread');
    // And what the frames say.
    assert.equal(a.tasks.length, 7 + 30, 'seven task ids, and thirty with a backslash in their id');
    assert.ok(a.tasks.some((t) => t.id === 'long-id-with-\\backslash-9' && t.status === 'processing'), 'an escaped id is read as JSON reads it');
    assert.ok(a.tasks.some((t) => t.error === 'KeyError: ünïcödé ✗'), 'UTF-8 text arrives whole');
    assert.ok(a.logs.some((l) => l.includes('done: "ok"')), 'an escaped message is read as JSON reads it');
    assert.deepEqual(a.workers.map((w) => w.id).sort(), ['3', 'w-0', 'w-1', 'w-2']);
    assert.equal(threaded.rejects.filter((m) => m.startsWith('nexus-event: worker_id')).length, 30, 'every malformed event rejected, once');
    assert.ok(threaded.rejects.some((m) => m.startsWith('invalid-json')));
    assert.ok(threaded.rejects.some((m) => m.startsWith('nexus-frame')));
    assert.ok(threaded.source.duplicatesDropped >= frames.length, `copies dropped: ${threaded.source.duplicatesDropped}`);
  } finally {
    pub.disconnect();
    await threaded.source.disconnect();
    await hosted.source.disconnect();
  }
});
