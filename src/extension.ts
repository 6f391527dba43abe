// Entry point: build the container, register, return. Everything else lives in src/vscode/.
import type * as vscode from 'vscode';
import { Container } from './vscode/container';

export function activate(context: vscode.ExtensionContext): void {
  const container = new Container(context);
  context.subscriptions.push(container);
  container.register();
}

export function deactivate(): void {
  // Disposal runs through context.subscriptions.
}
