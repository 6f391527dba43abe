// "Start Demo" inside VS Code: runs the BullMQ traffic simulator (the same one `npm run demo` uses, bundled
// separately and loaded only on demand) against a Redis the user picks, under its own key prefix, and adds
// an in-memory connection to it. Nothing is written to settings; "Stop Demo" ends it.
import * as vscode from 'vscode';
import type { ConnectionProfile } from '../core/config/connection-profile';
import type { SourceLogger } from '../core/source/source';

export const DEMO_CONNECTION_ID = 'taskscope-demo';
const DEMO_PREFIX = 'taskscope-demo';

interface SimulatorModule {
  startBullmqSimulator(opts: { redisUrl: string; prefix?: string; live?: boolean; log?: (m: string) => void }): Promise<{ stop(): Promise<void>; queueNames: string[] }>;
}

export class DemoController implements vscode.Disposable {
  private running: { url: string; stop(): Promise<void> } | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: SourceLogger) {}

  owns(connectionId: string): boolean { return connectionId === DEMO_CONNECTION_ID && this.running !== undefined; }

  profiles(): ConnectionProfile[] {
    if (!this.running) return [];
    return [{
      id: DEMO_CONNECTION_ID, name: 'Taskscope Demo (BullMQ)', kind: 'redis', system: 'bullmq', url: this.running.url,
      readOnly: false, enabled: true, prefix: DEMO_PREFIX, options: {},
    }];
  }

  async start(): Promise<boolean> {
    if (this.running) {
      void vscode.window.showInformationMessage(`The Taskscope demo is already running against ${this.running.url}.`);
      return false;
    }
    const url = await vscode.window.showInputBox({
      title: 'Start Demo: which Redis may the demo write to?',
      value: 'redis://127.0.0.1:6379',
      prompt: `The demo adds BullMQ queues under the key prefix "${DEMO_PREFIX}" and keeps traffic flowing until you run "Taskscope: Stop Demo". From a clone of Taskscope, \`npm run demo\` starts its own Redis instead.`,
      ignoreFocusOut: true,
      validateInput: (v) => (/^rediss?:\/\//.test(v) ? undefined : 'Enter a redis:// or rediss:// URL'),
    });
    if (!url) return false;
    try {
      const modulePath = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'demo-simulator.js').fsPath;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the user starts the demo
      const simulator = require(modulePath) as SimulatorModule;
      const handle = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Starting the Taskscope demo…' },
        () => simulator.startBullmqSimulator({ redisUrl: url, prefix: DEMO_PREFIX, live: true, log: (m) => this.log.debug(`[demo] ${m}`) }),
      );
      this.running = { url, stop: () => handle.stop() };
      void vscode.commands.executeCommand('setContext', 'taskscope.demoRunning', true);
      this.log.info(`demo started against ${url} (queues: ${handle.queueNames.join(', ')})`);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`demo failed to start: ${message}`);
      void vscode.window.showErrorMessage(`Taskscope demo could not start against ${url}: ${message}. Is Redis running there? (Debian/Ubuntu: sudo apt-get install redis-server)`);
      return false;
    }
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    void vscode.commands.executeCommand('setContext', 'taskscope.demoRunning', false);
    if (running) {
      await running.stop().catch((e: unknown) => this.log.warn(`demo stop: ${String(e)}`));
      this.log.info('demo stopped');
    }
  }

  dispose(): void { void this.stop(); }
}
