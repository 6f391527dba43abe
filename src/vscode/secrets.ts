// Passwords and tokens of connection profiles, kept in VS Code's SecretStorage (never in settings).
import type * as vscode from 'vscode';

export type SecretKind = 'password' | 'token';

export class ConnectionSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  private key(connectionId: string, kind: SecretKind): string { return `taskscope.connection.${connectionId}.${kind}`; }

  get(connectionId: string, kind: SecretKind): Thenable<string | undefined> { return this.storage.get(this.key(connectionId, kind)); }
  set(connectionId: string, kind: SecretKind, value: string): Thenable<void> { return this.storage.store(this.key(connectionId, kind), value); }
  delete(connectionId: string, kind: SecretKind): Thenable<void> { return this.storage.delete(this.key(connectionId, kind)); }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.storage.onDidChange((e) => { if (e.key.startsWith('taskscope.connection.')) listener(); });
  }
}
