// `taskscope retry --config <f> --connection <id> --queue <q> --job <id>`: retries one failed (or completed)
// job through the same source and action path as the extension. Read-only profiles are refused before any
// connection is opened.
import type { ConnectionProfile } from '../core/config/connection-profile';
import type { MonitorSession } from '../sources/monitor-session';

/** The CLI's exit codes (documented in its usage text). */
export const EXIT_CODES = { ok: 0, failure: 1, badConfig: 2, unreachable: 3, refused: 4, notDone: 5 } as const;

export interface RetryArgs {
  readonly connection?: string;
  readonly queue?: string;
  readonly job?: string;
  readonly waitMs: number;
}

export async function retryCommand(session: MonitorSession, profiles: readonly ConnectionProfile[], args: RetryArgs, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  if (!args.connection || !args.queue || !args.job) {
    stderr.write('taskscope retry: --connection <id>, --queue <name> and --job <id> are required\n');
    return EXIT_CODES.badConfig;
  }
  const profile = profiles.find((p) => p.id === args.connection);
  if (!profile) {
    stderr.write(`taskscope retry: no connection "${args.connection}" in the config (have: ${profiles.map((p) => p.id).join(', ') || 'none'})\n`);
    return EXIT_CODES.badConfig;
  }
  if (profile.readOnly) {
    stderr.write(`taskscope retry: refused — the connection "${profile.id}" is read-only\n`);
    return EXIT_CODES.refused;
  }
  await session.setProfiles([profile]);
  session.startAll();
  const started = Date.now();
  while (session.store.connection(profile.id)?.state !== 'connected') {
    const c = session.store.connection(profile.id);
    if (Date.now() - started > args.waitMs || (c && ['reconnecting', 'disconnected'].includes(c.state))) {
      stderr.write(`taskscope retry: ${profile.id} is not reachable${c?.error ? `: ${c.error}` : ''}\n`);
      return EXIT_CODES.unreachable;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const result = await session.runAction(profile.id, 'retry', { kind: 'task', queue: args.queue, ids: [args.job] }, {
    signal: new AbortController().signal, report: () => undefined,
  });
  (result.ok ? stdout : stderr).write(`${result.ok ? '' : 'taskscope retry: '}${result.message}\n`);
  return result.ok ? EXIT_CODES.ok : EXIT_CODES.notDone;
}
