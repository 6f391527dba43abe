// Pre-warms the code-server cache (used by .ci/run before the tests, so the install is timed on its own).
// Usage: node --import tsx test/helpers/ensure-code-server.ts
import { ensureCodeServer, codeServerCacheDir } from './code-server';

const started = Date.now();
ensureCodeServer().then(
  ({ nodeBin, codeServerBin }) => {
    process.stdout.write(
      `code-server cache ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n` +
        `  cache:         ${codeServerCacheDir()}\n  nodeBin:       ${nodeBin}\n  codeServerBin: ${codeServerBin}\n`,
    );
  },
  (err: unknown) => {
    process.stderr.write(`\nensure-code-server failed:\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
