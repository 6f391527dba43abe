// `npm run demo` entry for pynenc and Rustvello: invocations moving through real status transitions.
import type { DemoServices, RunningSimulator } from '../catalog';
import { PYNENC_DEMO_APP, RUSTVELLO_DEMO_APP, startPynencSimulator } from './simulator';

export async function startPynencDemo(services: DemoServices, log: (msg: string) => void): Promise<RunningSimulator> {
  const redisUrl = await services.redisUrl();
  const sim = await startPynencSimulator({ redisUrl, live: true, log });
  return {
    name: 'pynenc/Rustvello',
    connections: [
      { id: 'demo-pynenc', name: 'Demo pynenc', kind: 'redis', system: 'pynenc', url: redisUrl, readOnly: true },
      { id: 'demo-rustvello', name: 'Demo Rustvello', kind: 'redis', system: 'rustvello', url: redisUrl, readOnly: true },
    ],
    readme: [
      '### pynenc and Rustvello (connections `demo-pynenc`, `demo-rustvello`, read-only)',
      '',
      `pynenc app \`${PYNENC_DEMO_APP}\` (\`__pynenc__:${PYNENC_DEMO_APP}:…\`): invocations moving registered → pending → running →`,
      `success/failed/retry, runners runner-a and runner-b with live heartbeats and runner-old long dead, and workflow`,
      `\`${sim.workflowId}\`. Rustvello app \`${RUSTVELLO_DEMO_APP}\` (\`rustvello:${RUSTVELLO_DEMO_APP}:…\`) with PascalCase statuses.`,
    ],
    stop: () => sim.stop(),
  };
}
