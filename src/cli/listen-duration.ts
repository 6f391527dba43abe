// `taskscope snapshot --listen <duration>`: how long to keep collecting pushed events after the initial sync.
// MQTT and WebSocket systems (Propeller, Mahavishnu, Nexus over WebSocket) send nothing retained, so a snapshot
// taken right after connecting shows almost nothing; Redis sources read their state on connect and need no wait.
import type { ConnectionProfile } from '../core/config/connection-profile';

/** Default listen time when any profile is a push source (MQTT, WebSocket). */
export const PUSH_LISTEN_MS = 3_000;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;

/** `3s`, `500ms`, `1.5s`, `2m`; a bare number is milliseconds, like --wait. A message when it is not a duration. */
export function parseDuration(text: string, option: string): number | string {
  const m = DURATION.exec(text.trim());
  if (!m) return `--${option} must be a duration such as 3s, 500ms or 2m, got "${text}"`;
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS];
  return ms <= 24 * 3_600_000 ? Math.round(ms) : `--${option} is longer than a day: "${text}"`;
}

export function isPushProfile(profile: Pick<ConnectionProfile, 'kind'>): boolean {
  return profile.kind === 'mqtt' || profile.kind === 'websocket';
}

/** 3 s when a profile only pushes (MQTT, WebSocket); 0 when every profile is read on connect (Redis, Prometheus, log files). */
export function defaultListenMs(profiles: readonly Pick<ConnectionProfile, 'kind'>[]): number {
  return profiles.some(isPushProfile) ? PUSH_LISTEN_MS : 0;
}
