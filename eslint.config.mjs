// Lint setup. Beyond the recommended TypeScript rules, it enforces the layer boundaries:
//   only src/vscode/ (and the type-only import in src/extension.ts) may import 'vscode';
//   src/core, src/protocol and webview/ import no Node I/O (node:*, ioredis, ws, mqtt, bullmq, fs, net…);
//   src/sources never imports vscode; webviews import only src/protocol and src/core from src/.
import tseslint from 'typescript-eslint';

const NODE_IO = ['node:*', 'fs', 'fs/*', 'net', 'tls', 'http', 'https', 'child_process', 'os', 'path', 'crypto', 'ioredis', 'ws', 'mqtt', 'bullmq', 'bullmq5', 'bullmq6', 'aedes'];
const vscodeBan = { name: 'vscode', message: 'Only src/vscode/ may import vscode (house style: layers).' };
const ioBan = { group: NODE_IO, message: 'core, protocol and webviews are pure: no Node I/O or network clients here.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', '.demo/**', 'out/**', '**/*.vsix'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/vscode/**', 'src/extension.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan] }] },
  },
  {
    files: ['src/extension.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ ...vscodeBan, allowTypeImports: true }] }] },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], patterns: [ioBan, { group: ['**/sources/**', '**/vscode/**', '**/cli/**'], message: 'core and protocol do not depend on outer layers.' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeBan],
        patterns: [ioBan, { group: ['**/src/sources/**', '**/src/vscode/**', '**/src/cli/**', '**/src/extension'], message: 'webviews import only src/protocol and src/core.' }],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
