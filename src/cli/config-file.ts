// Reads a CLI config file `{ "connections": [ ... ] }` (the same objects as the `taskscope.connections`
// setting; secrets allowed here) and reports every problem by field.
import { readFile } from 'node:fs/promises';
import { formatProblem, parseConnectionProfiles, type ConnectionProfile } from '../core/config/connection-profile';

export interface LoadedConfig {
  readonly profiles: ConnectionProfile[];
  readonly problems: string[];
}

export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || !('connections' in raw)) {
    throw new ConfigFileError(`config file ${path} must be an object with a "connections" array`);
  }
  const parsed = parseConnectionProfiles((raw as { connections: unknown }).connections, 'connections');
  return { profiles: parsed.profiles, problems: parsed.problems.map(formatProblem) };
}
