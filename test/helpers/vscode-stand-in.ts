// Maps `require('vscode')` to bench/support/vscode-api-stand-in.cjs, so tree providers run outside VS Code (unit
// tests, the tree-refresh bench). Import this module before requiring any module that imports `vscode`; those
// must be `require`d after it, not imported (imports are hoisted above this mapping).
import Module from 'node:module';
import { join } from 'node:path';

const STAND_IN = join(__dirname, '..', '..', 'bench', 'support', 'vscode-api-stand-in.cjs');
type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: Resolve };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? STAND_IN : resolveFilename.call(this, request, ...rest);
};
