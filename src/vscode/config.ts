// Reads Taskscope's settings: connection profiles (validated entry by entry, secrets stripped and looked up
// in SecretStorage), polling, and retention (read on its own: the session is made with it, and changes apply
// live). In an untrusted workspace only user-level connections count.
import * as vscode from 'vscode';
import { formatProblem, parseConnectionProfiles, type ConnectionProfile } from '../core/config/connection-profile';
import { DEFAULT_RETENTION, type RetentionLimits } from '../core/store/monitor-store';
import type { ConnectionSecrets } from './secrets';

export const SECTION = 'taskscope';

export interface TaskscopeSettings {
  readonly profiles: ConnectionProfile[];
  readonly problems: string[];
  readonly pollIntervalMs: number;
  readonly readOnly: boolean;
}

export async function readSettings(secrets: ConnectionSecrets): Promise<TaskscopeSettings> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown>('connections');
  // VS Code already drops workspace values of restricted settings when untrusted; be explicit anyway.
  const raw = vscode.workspace.isTrusted ? config.get<unknown>('connections') : inspected?.globalValue;
  const parsed = parseConnectionProfiles(raw ?? [], `${SECTION}.connections`);
  const problems = parsed.problems.map(formatProblem);
  const pollIntervalMs = config.get<number>('pollIntervalMs', 5_000);
  const globalReadOnly = config.get<boolean>('readOnly', false);
  const profiles: ConnectionProfile[] = [];
  for (const p of parsed.profiles) {
    if (p.password !== undefined || p.token !== undefined) {
      problems.push(`${SECTION}.connections (id "${p.id}"): passwords and tokens are ignored in settings; use "Taskscope: Set Connection Password or Token…" to keep them in secret storage`);
    }
    const [password, token] = await Promise.all([secrets.get(p.id, 'password'), secrets.get(p.id, 'token')]);
    profiles.push({ ...p, password, token, pollIntervalMs: p.pollIntervalMs ?? pollIntervalMs, readOnly: p.readOnly || globalReadOnly, options: withWorkspaceBase(p) });
  }
  return {
    profiles,
    problems,
    pollIntervalMs,
    readOnly: globalReadOnly,
  };
}

/**
 * The memory bounds (`taskscope.retention.*`). A value that is not a number at or above the setting's minimum (as
 * package.json declares it; VS Code does not enforce it on read) counts as unset.
 */
export function readRetention(): RetentionLimits {
  const config = vscode.workspace.getConfiguration(SECTION);
  const bound = (setting: string, fallback: number, minimum: number): number => {
    const value = config.get<unknown>(setting);
    return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? Math.floor(value) : fallback;
  };
  return {
    ...DEFAULT_RETENTION,
    maxTasks: bound('retention.maxTasks', DEFAULT_RETENTION.maxTasks, 100),
    maxEvents: bound('retention.maxEvents', DEFAULT_RETENTION.maxEvents, 100),
    maxLogs: bound('retention.maxLogs', DEFAULT_RETENTION.maxLogs, 1_000),
    maxSeries: bound('retention.maxSeries', DEFAULT_RETENTION.maxSeries, 10),
    maxTaskSeries: bound('retention.maxTaskSeries', DEFAULT_RETENTION.maxTaskSeries ?? 1_000, 10),
  };
}

/** Relative log-file paths and globs are resolved against the first workspace folder. */
function withWorkspaceBase(p: ConnectionProfile): Readonly<Record<string, unknown>> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (p.kind !== 'logfile' || p.options['baseDir'] !== undefined || !folder) return p.options;
  return { ...p.options, baseDir: folder };
}

/** Appends a profile to the setting at the chosen level. */
export async function addProfileToSettings(entry: Record<string, unknown>, target: vscode.ConfigurationTarget): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown[]>('connections');
  const current = (target === vscode.ConfigurationTarget.Global ? inspected?.globalValue : inspected?.workspaceValue) ?? [];
  await config.update('connections', [...current, entry], target);
}

/** Removes a profile by id from every level it is defined at. */
export async function removeProfileFromSettings(id: string): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown[]>('connections');
  let removed = false;
  for (const [value, target] of [
    [inspected?.globalValue, vscode.ConfigurationTarget.Global],
    [inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace],
    [inspected?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder],
  ] as const) {
    if (!Array.isArray(value)) continue;
    const next = value.filter((e) => !(typeof e === 'object' && e !== null && (e as { id?: unknown }).id === id));
    if (next.length !== value.length) {
      await config.update('connections', next, target);
      removed = true;
    }
  }
  return removed;
}
