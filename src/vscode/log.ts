// The Taskscope LogOutputChannel, adapted to the SourceLogger the sources and session log through.
import * as vscode from 'vscode';
import type { SourceLogger } from '../core/source/source';

export function createLog(): { channel: vscode.LogOutputChannel; logger: SourceLogger } {
  const channel = vscode.window.createOutputChannel('Taskscope', { log: true });
  const logger: SourceLogger = {
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { channel, logger };
}
