// "Open Task JSON": a read-only virtual document (`taskscope:` URI) with one task's full record, loaded on
// demand through MonitorSession.taskDetail. Large values are cut with a flag and their full size; a task that
// no longer exists, or a key that cannot be read, gives a clear message instead of a document.
import * as vscode from 'vscode';
import type { DetailValue, TaskDetail } from '../core/model/task-detail';
import { DETAIL_VALUE_MAX_BYTES } from '../core/model/task-detail';
import type { MonitorSession } from '../sources/monitor-session';

export const TASK_SCHEME = 'taskscope';

export interface TaskLocator { readonly connectionId: string; readonly queue?: string; readonly id: string }

export function taskUri(t: TaskLocator): vscode.Uri {
  const parts = [t.connectionId, t.queue ?? '-', t.id].map((p) => encodeURIComponent(p));
  return vscode.Uri.from({ scheme: TASK_SCHEME, path: `/${parts.join('/')}.jsonc` });
}

export function locatorFromUri(uri: vscode.Uri): TaskLocator | undefined {
  const parts = uri.path.replace(/^\//, '').replace(/\.jsonc$/, '').split('/').map((p) => decodeURIComponent(p));
  if (parts.length !== 3) return undefined;
  const [connectionId, queue, id] = parts as [string, string, string];
  return { connectionId, queue: queue === '-' ? undefined : queue, id };
}

/** The document text for a detail: values parsed back into JSON where they are complete JSON. */
export function renderTaskDetail(t: TaskLocator, detail: TaskDetail): string {
  const values: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const [name, v] of Object.entries(detail.values)) {
    values[name] = renderValue(v);
    if (v.truncated) notes.push(`// "${name}" is ${formatBytes(v.bytes)}; only the first ${formatBytes(v.text.length)} are shown.`);
  }
  const doc = {
    task: detail.task, values, logs: detail.logs, logsTruncated: detail.logsTruncated || undefined,
    history: detail.history, parent: detail.parent, children: detail.children,
  };
  return [`// ${t.queue ? `${t.queue} / ` : ''}${t.id} on ${t.connectionId} (read-only; re-open to refresh)`, ...notes, JSON.stringify(doc, null, 2), ''].join('\n');
}

function renderValue(v: DetailValue): unknown {
  if (v.truncated) return { truncated: true, bytes: v.bytes, preview: v.text };
  if (v.isJson) {
    try { return JSON.parse(v.text); } catch { return v.text; }
  }
  return v.text;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} bytes`;
}

export class TaskDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly session: MonitorSession) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const t = locatorFromUri(uri);
    if (!t) return `// Not a Taskscope task address: ${uri.toString()}\n`;
    try {
      const detail = await this.session.taskDetail(t.connectionId, { queue: t.queue, id: t.id }, DETAIL_VALUE_MAX_BYTES);
      if (detail) return renderTaskDetail(t, detail);
      const connected = this.session.store.connection(t.connectionId)?.state === 'connected';
      return connected
        ? `// Job ${t.id}${t.queue ? ` no longer exists in queue "${t.queue}"` : ' no longer exists'}: it was removed, cleaned or trimmed after the list was read.\n`
        : `// "${t.connectionId}" is not connected, so job ${t.id} cannot be read now.\n`;
    } catch (error) {
      return `// Could not read job ${t.id}${t.queue ? ` of "${t.queue}"` : ''}: ${error instanceof Error ? error.message : String(error)}\n`;
    }
  }

  /** Opens the task beside the code, re-reading it if it is already open. */
  async open(t: TaskLocator): Promise<void> {
    const uri = taskUri(t);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'jsonc') await vscode.languages.setTextDocumentLanguage(doc, 'jsonc');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
  }

  dispose(): void { this.emitter.dispose(); }
}
