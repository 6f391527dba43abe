// Runs sources the way the extension does (MonitorSession + supervisor) for integration tests: build a profile
// from a settings entry, start it, and wait for states and store contents.
import assert from 'node:assert/strict';
import { parseConnectionProfiles, type ConnectionProfile } from '../../src/core/config/connection-profile';
import type { SourceLogger } from '../../src/core/source/source';
import { MonitorSession, type MonitorSessionOptions } from '../../src/sources/monitor-session';

export interface RecordingLog extends SourceLogger {
  readonly lines: { level: string; message: string }[];
  text(): string;
}

export function recordingLog(): RecordingLog {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => { lines.push({ level, message }); };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n') };
}

export function profileFrom(entry: Record<string, unknown>): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'it', ...entry }]);
  assert.deepEqual(problems, []);
  return profiles[0] as ConnectionProfile;
}

/** A started session with one profile; `sessionOptions` reach MonitorSession (supervisor backoff…). */
export async function startSession(profile: ConnectionProfile, log: SourceLogger, sessionOptions: Partial<MonitorSessionOptions> = {}): Promise<MonitorSession> {
  const session = new MonitorSession({ log, ...sessionOptions });
  await session.setProfiles([profile]);
  session.setVisible(true);
  session.startAll();
  return session;
}

export async function waitUntil<T>(fn: () => T | undefined | false | null, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function connected(session: MonitorSession, id = 'it', timeoutMs = 5_000): Promise<void> {
  await waitUntil(() => session.store.connection(id)?.state === 'connected', timeoutMs, `${id} connected (now ${JSON.stringify(session.store.connection(id))})`);
  await new Promise((r) => setImmediate(r));
}
