#!/usr/bin/env node
// Runs the test files given on the command line (default: every *.test.ts under test/) with
// Node's own test runner, loading TypeScript through tsx. Node 20's --test does not expand globs.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const dirs = args.length ? args : ['test'];
const files = dirs.flatMap((d) => (statSync(d).isDirectory() ? walk(d) : [d])).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found in', dirs.join(' '));
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files.map((f) => relative('.', f))], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
