// `npm run demo` entry for Nexus Agents: pub/sub events plus Redis state, with a research task walking its phases.
import type { DemoServices, RunningSimulator } from '../catalog';
import { NEXUS_PHASES, startNexusSimulator } from './simulator';

export async function startNexusDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const redisUrl = await services.redisUrl();
  const sim = await startNexusSimulator({ redisUrl, live: true, log });
  return {
    name: 'Nexus Agents',
    connections: [{ id: 'demo-nexus', name: 'Demo Nexus Agents', kind: 'redis', system: 'nexus', url: redisUrl, readOnly: true }],
    readme: [
      '### Nexus Agents (connection `demo-nexus`, read-only)',
      '',
      'Monitoring events on `nexus:events`, `nexus:events:project:default_project` and `nexus:events:stats` (each',
      'task event is published twice; Taskscope shows it once), priority lists `nexus:tasks:*`, task keys, a task',
      `group for research task \`${sim.parentTaskId}\` walking the phases ${NEXUS_PHASES.join(' → ')}, and worker`,
      'heartbeat keys (workers 0 and 1 alive, worker 2 stopped).',
    ],
    stop: () => sim.stop(),
  };
}
