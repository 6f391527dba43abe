// Runs one connection profile through a real MonitorSession (supervisor, store) for source integration tests.
import assert from 'node:assert/strict';
import { parseConnectionProfiles, type ConnectionProfile } from '../../src/core/config/connection-profile';
import type { SourceLogger } from '../../src/core/source/source';
import { MonitorSession } from '../../src/sources/monitor-session';
import type { SourceFactory } from '../../src/sources/create-source';

export interface RecordingLog extends SourceLogger { readonly warnings: string[] }

export function recordingLog(): RecordingLog {
  const warnings: string[] = [];
  return { warnings, debug: () => undefined, info: () => undefined, error: (m) => warnings.push(m), warn: (m) => warnings.push(m) };
}

export function aProfile(fields: Record<string, unknown>): ConnectionProfile {
  const { profiles, problems } = parseConnectionProfiles([{ id: 'it', kind: 'redis', ...fields }]);
  assert.deepEqual(problems, []);
  return profiles[0]!;
}

export async function waitUntil(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setImmediate(r));
}

/** A started, visible session with one profile, connected (initial sync done). */
export async function connectedSession(profile: ConnectionProfile, log: RecordingLog = recordingLog(), createSource?: SourceFactory): Promise<MonitorSession> {
  const session = new MonitorSession({ log, ...(createSource ? { createSource } : {}) });
  await session.setProfiles([profile]);
  session.setVisible(true);
  session.startAll();
  await waitUntil(`connection ${profile.id}`, () => session.store.connection(profile.id)?.state === 'connected');
  return session;
}
