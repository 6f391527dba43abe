// Small polling helpers shared by the stream-source integration tests.
import type { MonitorSession } from '../../src/sources/monitor-session';
import type { SourceLogger } from '../../src/core/source/source';

export async function until<T>(fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function connectedState(session: MonitorSession, id: string): boolean {
  return session.store.connection(id)?.state === 'connected';
}

export function recordingLog(): SourceLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: () => undefined,
    info: (m) => { lines.push(`info ${m}`); },
    warn: (m) => { lines.push(`warn ${m}`); },
    error: (m) => { lines.push(`error ${m}`); },
  };
}
