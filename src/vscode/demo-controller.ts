// "Start Demo" inside VS Code: runs the demo simulators (the same ones `npm run demo` uses, bundled separately
// as dist/demo-simulator.js and loaded only on demand) and adds in-memory connections to them. Two scopes: BullMQ
// only, under its own key prefix on any Redis; or every system, which also writes rhailib / Nexus / pynenc keys
// (so it suggests an empty database) and serves Mahavishnu, Nexus WS, Propeller (embedded MQTT broker) and
// Rustvello locally. Nothing is written to settings; "Stop Demo" ends it.
import * as vscode from 'vscode';
import { parseConnectionProfiles, type ConnectionProfile } from '../core/config/connection-profile';
import type { SourceLogger } from '../core/source/source';

const DEMO_PREFIX = 'taskscope-demo';
const DEMO_ID_PREFIX = 'taskscope-demo';

type DemoScope = 'bullmq' | 'all';

/** The shape of dist/demo-simulator.js (demo/in-editor.ts); kept structural so the host never imports demo/. */
interface EditorDemoModule {
  startEditorDemo(opts: { redisUrl: string; scope: DemoScope; bullmqPrefix: string; logDir: string; log?: (m: string) => void }): Promise<{ connections: readonly unknown[]; systems: readonly string[]; stop(): Promise<void> }>;
}

interface RunningDemo {
  readonly url: string;
  readonly profiles: readonly ConnectionProfile[];
  stop(): Promise<void>;
}

export class DemoController implements vscode.Disposable {
  private running: RunningDemo | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: SourceLogger) {}

  owns(connectionId: string): boolean { return this.running?.profiles.some((p) => p.id === connectionId) ?? false; }

  profiles(): ConnectionProfile[] { return [...(this.running?.profiles ?? [])]; }

  async start(): Promise<boolean> {
    if (this.running) {
      void vscode.window.showInformationMessage(`The Taskscope demo is already running against ${this.running.url}.`);
      return false;
    }
    const scope = await pickScope();
    if (!scope) return false;
    const url = await vscode.window.showInputBox({
      title: 'Start Demo: which Redis may the demo write to?',
      value: scope === 'all' ? 'redis://127.0.0.1:6379/15' : 'redis://127.0.0.1:6379',
      prompt: scope === 'all'
        ? 'Every system writes its own keys (rhailib, Nexus, pynenc, BullMQ under "taskscope-demo"): pick an empty database, e.g. /15. Traffic flows until "Taskscope: Stop Demo".'
        : `The demo adds BullMQ queues under the key prefix "${DEMO_PREFIX}" and keeps traffic flowing until you run "Taskscope: Stop Demo". From a clone of Taskscope, \`npm run demo\` starts its own Redis instead.`,
      ignoreFocusOut: true,
      validateInput: (v) => (/^rediss?:\/\//.test(v) ? undefined : 'Enter a redis:// or rediss:// URL'),
    });
    if (!url) return false;
    try {
      const modulePath = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'demo-simulator.js').fsPath;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the user starts the demo
      const simulators = require(modulePath) as EditorDemoModule;
      const logDir = vscode.Uri.joinPath(this.context.globalStorageUri, 'demo-logs').fsPath;
      const demo = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Starting the Taskscope demo…' },
        () => simulators.startEditorDemo({ redisUrl: url, scope, bullmqPrefix: DEMO_PREFIX, logDir, log: (m) => this.log.debug(`[demo] ${m}`) }),
      );
      const parsed = parseConnectionProfiles(demo.connections, 'demo connections');
      // The simulators' own connections must parse; a problem here is a bug to report, not user input.
      for (const p of parsed.problems) this.log.error(`demo connection ${p.field}: ${p.message}`);
      this.running = { url, profiles: parsed.profiles.filter((p) => p.id.startsWith(DEMO_ID_PREFIX)), stop: () => demo.stop() };
      void vscode.commands.executeCommand('setContext', 'taskscope.demoRunning', true);
      this.log.info(`demo started against ${url}: ${demo.systems.join(', ')}`);
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

async function pickScope(): Promise<DemoScope | undefined> {
  const picks: (vscode.QuickPickItem & { scope: DemoScope })[] = [
    { scope: 'all', label: 'All systems', description: 'BullMQ, rhailib, Nexus, pynenc, Rustvello, Mahavishnu, Propeller', detail: 'Redis-based systems on a Redis you pick (an empty database); WebSocket, MQTT and /metrics servers run inside VS Code.' },
    { scope: 'bullmq', label: 'BullMQ only', description: `queues under the key prefix "${DEMO_PREFIX}"`, detail: 'Safe next to other data: writes nothing outside its prefix.' },
  ];
  const pick = await vscode.window.showQuickPick(picks, { title: 'Start Demo: which systems?', ignoreFocusOut: true });
  return pick?.scope;
}
