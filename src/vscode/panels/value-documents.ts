// "Open full value in editor": a read-only virtual document (`taskscope-value:` URI) holding one value of a
// task, loaded untruncated (up to 64 MiB) from the source when the document opens.
import * as vscode from 'vscode';
import { z } from 'zod';
import type { MonitorSession } from '../../sources/monitor-session';
import type { TaskTarget } from '../../protocol/task-detail';

export const VALUE_SCHEME = 'taskscope-value';
/** The editor is the place for big values, but not unbounded ones. */
export const FULL_VALUE_MAX_BYTES = 64 * 1024 * 1024;

const querySchema = z.object({ connectionId: z.string(), queue: z.string().optional(), taskId: z.string(), name: z.string() });

export function valueUri(target: TaskTarget, name: string, isJson: boolean): vscode.Uri {
  const file = `${name}-${target.taskId}`.replace(/[^\w.-]+/g, '_').slice(0, 100);
  return vscode.Uri.from({ scheme: VALUE_SCHEME, path: `/${file}.${isJson ? 'json' : 'txt'}`, query: JSON.stringify({ ...target, name }) });
}

export class ValueDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly session: MonitorSession) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(VALUE_SCHEME, this);
  }

  async open(target: TaskTarget, name: string): Promise<void> {
    const detail = await this.session.taskDetail(target.connectionId, { queue: target.queue, id: target.taskId }, FULL_VALUE_MAX_BYTES);
    const value = detail?.values[name];
    if (!value) throw new Error('the task or the value is gone');
    const doc = await vscode.workspace.openTextDocument(valueUri(target, name, value.isJson));
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const parsed = querySchema.safeParse(safeJson(uri.query));
    if (!parsed.success) return 'Taskscope: this document link is not valid.';
    const q = parsed.data;
    const detail = await this.session.taskDetail(q.connectionId, { queue: q.queue, id: q.taskId }, FULL_VALUE_MAX_BYTES);
    const value = detail?.values[q.name];
    if (!value) return `Taskscope: task ${q.taskId} or its value "${q.name}" is no longer available.`;
    return value.truncated ? `${value.text}\n\n… cut at ${FULL_VALUE_MAX_BYTES} bytes of ${value.bytes}` : value.text;
  }

  dispose(): void { this.registration.dispose(); }
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}
