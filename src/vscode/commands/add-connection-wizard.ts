// "Add Connection": a QuickPick wizard that asks for the system, transport, URL, name and read-only flag,
// stores any password or token in SecretStorage and appends the profile to the chosen settings level.
import * as vscode from 'vscode';
import { KINDS_BY_SYSTEM, parseConnectionProfiles } from '../../core/config/connection-profile';
import type { ConnectionKind, SystemId } from '../../core/model/connection';
import { addProfileToSettings } from '../config';
import type { ConnectionSecrets } from '../secrets';

const SYSTEM_PICKS: readonly { system: SystemId; label: string; detail: string }[] = [
  { system: 'bullmq', label: 'BullMQ', detail: 'Redis queues written by bullmq (v5 and v6)' },
  { system: 'rhailib', label: 'rhailib', detail: 'Redis task hashes and queues (rhai_tasks / hero:work_queue)' },
  { system: 'nexus', label: 'Nexus Agents', detail: 'Redis pub/sub events or the /ws/monitor WebSocket' },
  { system: 'pynenc', label: 'pynenc', detail: 'Redis invocation state or log files' },
  { system: 'rustvello', label: 'Rustvello', detail: 'Redis state, Prometheus /metrics or unified logs' },
  { system: 'mahavishnu', label: 'Mahavishnu', detail: 'WebSocket request/event protocol with channels' },
  { system: 'propeller', label: 'Propeller', detail: 'MQTT proplet and task metrics' },
  { system: 'generic', label: 'Generic JSON', detail: 'Any JSON over WebSocket, MQTT, Redis pub/sub' },
];

const DEFAULT_URLS: Record<ConnectionKind, string> = {
  redis: 'redis://127.0.0.1:6379',
  websocket: 'ws://127.0.0.1:8690',
  mqtt: 'mqtt://127.0.0.1:1883',
  prometheus: 'http://127.0.0.1:9090/metrics',
  logfile: 'logs/*.log',
};

export async function runAddConnectionWizard(secrets: ConnectionSecrets, existingIds: ReadonlySet<string>): Promise<string | undefined> {
  const systemPick = await vscode.window.showQuickPick(SYSTEM_PICKS.map((p) => ({ ...p, description: p.system })), {
    title: 'Add Connection (1/5): system', placeHolder: 'Which task system do you want to watch?', ignoreFocusOut: true,
  });
  if (!systemPick) return undefined;
  const kinds = KINDS_BY_SYSTEM[systemPick.system];
  let kind: ConnectionKind | undefined = kinds[0];
  if (kinds.length > 1) {
    const pick = await vscode.window.showQuickPick(kinds.map((k) => ({ label: k })), { title: 'Add Connection (2/5): transport', ignoreFocusOut: true });
    kind = pick?.label as ConnectionKind | undefined;
  }
  if (!kind) return undefined;
  const url = await vscode.window.showInputBox({
    title: 'Add Connection (3/5): URL', value: DEFAULT_URLS[kind], ignoreFocusOut: true,
    prompt: 'Leave credentials out of the URL: you will be asked for a password next, which goes to secret storage.',
    validateInput: (value) => validateField({ id: 'x', kind, system: systemPick.system, url: value }, '.url'),
  });
  if (url === undefined) return undefined;
  const suggestedId = uniqueId(`${systemPick.system}-${safeHost(url)}`, existingIds);
  const name = await vscode.window.showInputBox({ title: 'Add Connection (4/5): name', value: `${systemPick.label} (${safeHost(url)})`, ignoreFocusOut: true });
  if (name === undefined) return undefined;
  const mode = await vscode.window.showQuickPick(
    [
      { label: 'Read and act', description: 'retry, promote, remove, pause… with confirmation', readOnly: false },
      { label: 'Read-only', description: 'every action that changes the system is refused', readOnly: true },
    ],
    { title: 'Add Connection (5/5): mode', ignoreFocusOut: true },
  );
  if (!mode) return undefined;
  const secret = await vscode.window.showInputBox({
    title: `Password or token for ${name} (optional)`, password: true, ignoreFocusOut: true,
    prompt: 'Stored in VS Code secret storage, never in settings. Leave empty for none.',
  });
  if (secret === undefined) return undefined;
  const entry: Record<string, unknown> = { id: suggestedId, name, kind, system: systemPick.system, url, readOnly: mode.readOnly };
  const where = vscode.workspace.workspaceFolders?.length
    ? await vscode.window.showQuickPick(
        [
          { label: 'User settings', description: 'available in every workspace', target: vscode.ConfigurationTarget.Global },
          { label: 'Workspace settings', description: 'shared with this workspace', target: vscode.ConfigurationTarget.Workspace },
        ],
        { title: 'Save the connection in…', ignoreFocusOut: true },
      )
    : { target: vscode.ConfigurationTarget.Global };
  if (!where) return undefined;
  if (secret) await secrets.set(suggestedId, kind === 'websocket' ? 'token' : 'password', secret);
  await addProfileToSettings(entry, where.target);
  return suggestedId;
}

function validateField(entry: Record<string, unknown>, field: string): string | undefined {
  const { problems } = parseConnectionProfiles([entry], 'c');
  return problems.find((p) => p.field.endsWith(field))?.message;
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `-${u.port}` : ''}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  } catch {
    return 'local';
  }
}

function uniqueId(base: string, existing: ReadonlySet<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 56);
  if (!existing.has(clean)) return clean;
  for (let i = 2; ; i++) if (!existing.has(`${clean}-${i}`)) return `${clean}-${i}`;
}
