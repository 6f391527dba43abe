// Builds the Taskscope .vsix that the e2e tests install into code-server, once per process.
// Set TASKSCOPE_VSIX=<path> to reuse an existing package (e.g. built once by the test runner or CI).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { repoRoot } from './repo-root';

let memo: Promise<string> | undefined;

/** Returns the path of the packaged extension (`dist/taskscope.vsix`), running `npm run package` at most once. */
export function packageExtension(): Promise<string> {
  const preset = process.env.TASKSCOPE_VSIX;
  if (preset && fs.existsSync(preset)) return Promise.resolve(path.resolve(preset));
  memo ??= build().catch((err: unknown) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

async function build(): Promise<string> {
  const root = repoRoot();
  const vsix = path.join(root, 'dist', 'taskscope.vsix');
  const started = Date.now();
  process.stderr.write('[package-extension] npm run package\n');
  fs.rmSync(vsix, { force: true });
  // vsce asks "Do you want to continue? [y/N]" on a missing repository field or LICENSE; with no terminal that
  // question would fail the build, so answer it up front.
  const args = ['run', 'package', '--', '--allow-missing-repository', '--skip-license'];
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('npm', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !fs.existsSync(vsix)) {
    throw new Error(
      `\`npm ${args.join(' ')}\` ${code !== 0 ? `exited with ${code}` : `did not produce ${vsix}`}:\n${output.slice(-6000)}`,
    );
  }
  process.stderr.write(`[package-extension] ${vsix} built in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return vsix;
}
