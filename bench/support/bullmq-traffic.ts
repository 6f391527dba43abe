// Real BullMQ traffic for the events-stream benchmark, in its own process so that it keeps writing while the
// benchmark's process (the reader) is busy: per queue, a producer adds jobs in bulk and a worker completes them,
// so the events stream receives exactly what bullmq writes (added, waiting, active, completed, drained…),
// trimmed by bullmq itself to `maxLen` (the Queue stores it in the queue's meta; every script trims with it).
// Run: node --import tsx bench/support/bullmq-traffic.ts <port> <maxLen> <jobsPerQueue> <prefix> <queue>...
// Prints one JSON line when every job is completed: { jobs, ms }.
import { Queue, Worker } from 'bullmq5';

async function main(): Promise<void> {
  const [portText, maxLenText, jobsText, prefix = 'bull', ...queues] = process.argv.slice(2);
  const connection = { host: '127.0.0.1', port: Number(portText) };
  const maxLen = Number(maxLenText);
  const jobs = Number(jobsText);
  if (!Number.isFinite(maxLen) || !Number.isFinite(jobs) || queues.length === 0) throw new Error('usage: <port> <maxLen> <jobsPerQueue> <prefix> <queue>...');
  const producers = queues.map((name) => new Queue(name, { connection, prefix, streams: { events: { maxLen } } }));
  await Promise.all(producers.map((q) => q.waitUntilReady()));
  const started = Date.now();
  let completed = 0;
  const workers: Worker[] = [];
  const allDone = new Promise<void>((resolve) => {
    for (const name of queues) {
      const worker = new Worker(name, async () => 'ok', { connection, prefix, concurrency: 50 });
      worker.on('completed', () => { if (++completed === jobs * queues.length) resolve(); });
      workers.push(worker);
    }
  });
  await Promise.all(producers.map(async (queue) => {
    for (let added = 0; added < jobs; added += 500) {
      await queue.addBulk(Array.from({ length: Math.min(500, jobs - added) }, (_, i) => ({ name: 'bench', data: { i: added + i } })));
    }
  }));
  await allDone;
  console.log(JSON.stringify({ jobs: completed, ms: Date.now() - started }));
  await Promise.all([...workers.map((w) => w.close()), ...producers.map((q) => q.close())]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
