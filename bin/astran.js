#!/usr/bin/env node
// Entry point of the `astran` command. It runs the bundle in dist/ (built by `npm install` via "prepare") when that
// bundle is newer than every source it was built from, and the sources through tsx otherwise, so an edit is never shadowed
// by a stale bundle and a fresh clone works right after `npm install`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'main.js');

/**
 * The bundle is fresh when it is newer than every source it was built from (dist/inputs.json, written by the build):
 * an edited source, or one that is gone, means running the sources through tsx instead.
 */
function bundleIsFresh() {
  if (process.env.ASTRAN_NO_BUNDLE === '1' || !existsSync(bundle)) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, 'dist', 'inputs.json'), 'utf8'));
  } catch {
    return false;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  const built = statSync(bundle).mtimeMs;
  for (const f of inputs) {
    const st = statSync(join(root, f), { throwIfNoEntry: false });
    if (!st || st.mtimeMs > built) return false;
  }
  return true;
}

// A closed pipe (`astran run ... | head`) ends the command quietly, as Unix tools do.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

let main;
if (bundleIsFresh()) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
