#!/usr/bin/env node
// Bundle the CLI into dist/ (run by `npm install` through "prepare"). The sources stay the truth: bin/astran.js
// uses the bundle only when it is newer than every source file, else it runs the TypeScript through tsx.
// Why: tsx compiles on every start (~0.3 s), which dominates short commands such as `astran analyse`.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** zod's namespace export drags ~40 message locales into the bundle; ASTRAN speaks English only. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
      resolveDir: join(root, 'node_modules/zod/v4/locales'),
    }));
  },
};

/** Mark every bare import external except the listed packages (and their subpaths). */
function externalExcept(inline) {
  return {
    name: 'external-except',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        if (inline.includes(pkg) || args.path.startsWith('node:')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  // Dependencies stay in node_modules, except the small pure-JS ones every command needs at start-up: inlined,
  // they load as one module instead of ~100 files (zod alone took ~90 ms to resolve and compile).
  plugins: [externalExcept(['zod', 'yaml']), zodEnglishOnly],
  sourcemap: true,
  // Inlined CommonJS (yaml) calls require() for Node built-ins; ESM has none, so provide one.
  banner: { js: "import { createRequire as __astranCreateRequire } from 'node:module'; const require = __astranCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});
// The sources the bundle was built from: bin/astran.js checks only these for being newer than the bundle (no
// directory walk at every start). A file that no bundled module imports cannot make the bundle stale.
writeFileSync(join(root, 'dist', 'inputs.json'), JSON.stringify(Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'))));
console.log('astran: bundled the CLI into dist/');
