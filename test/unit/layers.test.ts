// The layer boundaries are enforced by the lint config, and this proves the rules fire: probe snippets
// placed (virtually) in each layer must be rejected or accepted as house-style.md says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => /restricted-imports/.test(m.ruleId ?? '')).map((m) => m.message);
}

const cases: { file: string; code: string; allowed: boolean }[] = [
  { file: 'src/core/probe.ts', code: "import Redis from 'ioredis';\nexport const x = Redis;\n", allowed: false },
  { file: 'src/core/probe.ts', code: "import { readFile } from 'node:fs';\nexport const x = readFile;\n", allowed: false },
  { file: 'src/core/probe.ts', code: "import * as vscode from 'vscode';\nexport const x = vscode;\n", allowed: false },
  { file: 'src/core/probe.ts', code: "import { BullmqSource } from '../sources/redis/bullmq';\nexport const x = BullmqSource;\n", allowed: false },
  { file: 'src/protocol/probe.ts', code: "import WebSocket from 'ws';\nexport const x = WebSocket;\n", allowed: false },
  { file: 'src/sources/probe.ts', code: "import * as vscode from 'vscode';\nexport const x = vscode;\n", allowed: false },
  { file: 'src/cli/probe.ts', code: "import * as vscode from 'vscode';\nexport const x = vscode;\n", allowed: false },
  { file: 'webview/overview/probe.ts', code: "import * as mqtt from 'mqtt';\nexport const x = mqtt;\n", allowed: false },
  { file: 'webview/overview/probe.ts', code: "import { Container } from '../../src/vscode/container';\nexport const x = Container;\n", allowed: false },
  { file: 'webview/overview/probe.ts', code: "import { createSource } from '../../src/sources/create-source';\nexport const x = createSource;\n", allowed: false },
  // Allowed:
  { file: 'src/vscode/probe.ts', code: "import * as vscode from 'vscode';\nexport const x = vscode;\n", allowed: true },
  { file: 'src/sources/probe.ts', code: "import Redis from 'ioredis';\nexport const x = Redis;\n", allowed: true },
  { file: 'src/core/probe.ts', code: "import { z } from 'zod';\nexport const x = z;\n", allowed: true },
  { file: 'webview/overview/probe.ts', code: "import { MonitorStore } from '../../src/core/store/monitor-store';\nexport const x = MonitorStore;\n", allowed: true },
  { file: 'src/extension.ts', code: "import type * as vscode from 'vscode';\nexport type X = vscode.Disposable;\n", allowed: true },
];

for (const c of cases) {
  test(`${c.allowed ? 'allows' : 'rejects'} in ${c.file}: ${c.code.split('\n')[0]}`, async () => {
    const messages = await restrictedImports(c.file, c.code);
    if (c.allowed) assert.deepEqual(messages, []);
    else assert.ok(messages.length > 0, 'expected a restricted-import error');
  });
}
