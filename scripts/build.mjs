#!/usr/bin/env node
// Bundle the CLI into dist/ (run by `npm install` through "prepare"). The sources stay the truth: bin/astran.js
// uses the bundle only when it is newer than every source file, else it runs the TypeScript through tsx.
// Why: tsx compiles on every start (~0.3 s), which dominates short commands such as `astran analyse`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('astran: bundled the CLI into dist/');
