// Resolves which connection a command applies to: the clicked tree node, or a QuickPick from the palette.
import * as vscode from 'vscode';
import type { MonitorStore } from '../../core/store/monitor-store';
import { stateLabel } from '../views/tree-items';

export async function pickConnection(store: MonitorStore, node: unknown, title: string): Promise<string | undefined> {
  if (typeof node === 'object' && node !== null && typeof (node as { connectionId?: unknown }).connectionId === 'string') {
    return (node as { connectionId: string }).connectionId;
  }
  const connections = store.connections();
  if (connections.length === 0) {
    void vscode.window.showInformationMessage('Taskscope has no connections yet. Add one with "Taskscope: Add Connection…".');
    return undefined;
  }
  if (connections.length === 1) return connections[0]?.id;
  const pick = await vscode.window.showQuickPick(
    connections.map((c) => ({ label: c.name, description: `${c.system} · ${stateLabel(c)}`, id: c.id })),
    { title, placeHolder: 'Connection' },
  );
  return pick?.id;
}
