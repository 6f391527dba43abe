// Locates the repository root (the folder with Taskscope's package.json), independent of the caller's cwd.

import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  // This file lives in test/helpers/; tsx runs the package's .ts files as CommonJS, so __dirname is defined.
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'taskscope') return (cached = dir);
      } catch {
        /* not ours; keep walking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`could not find Taskscope's package.json above ${start}`);
    dir = parent;
  }
}
