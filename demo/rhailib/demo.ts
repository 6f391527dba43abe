// `npm run demo` entry for rhailib: the simulator with live traffic and the connection that shows it.
import type { DemoServices, RunningSimulator } from '../catalog';
import { RHAILIB_SEED, startRhailibSimulator } from './simulator';

export async function startRhailibDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const redisUrl = await services.redisUrl();
  const sim = await startRhailibSimulator({ redisUrl, live: true, log });
  return {
    name: 'rhailib',
    connections: [{ id: 'demo-rhailib', name: 'Demo rhailib', kind: 'redis', system: 'rhailib', url: redisUrl, readOnly: true }],
    readme: [
      '### rhailib (connection `demo-rhailib`, read-only)',
      '',
      'Both key schemes side by side: circles-era `rhai_task_details:*` hashes with `rhai_tasks:<circle>` queues',
      `(circle alpha busy, circle beta's worker down so its ${RHAILIB_SEED.circles.beta.pending} tasks wait: shown stale), and Hero`,
      'dispatcher `hero:job:*` hashes with `hero:work_queue:osis` / `hero:work_queue:sal`. rhailib has no external retry.',
    ],
    stop: () => sim.stop(),
  };
}
