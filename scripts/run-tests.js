#!/usr/bin/env node
// Runs the test files given on the command line (default: every *.test.ts under test/) with
// Node's own test runner, loading TypeScript through tsx. Node 20's --test does not expand globs.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

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
// Integration tests share real services (one of them stops and restarts daemons): run those one file at a time.
const isIntegration = (f) => relative('.', f).split(/[\\/]/).includes('integration');
// A hung test must fail, not hold the services (and CI's 90 minutes) forever: a per-test limit well above the
// slowest test of each group (the integration tests that wait out outages take up to ~3 minutes).
const groups = [
  { files: files.filter((f) => !isIntegration(f)), concurrency: 2, timeoutS: 180 },
  { files: files.filter(isIntegration), concurrency: 1, timeoutS: 600 },
].filter((g) => g.files.length);
function runGroup(g) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${g.concurrency}`, `--test-timeout=${g.timeoutS * 1000}`, ...g.files.map((f) => relative('.', f))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    const counts = { pass: 0, fail: 0 };
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^# (pass|fail|cancelled) (\d+)$/.exec(line);
        // A cancelled test (e.g. one that left the event loop idle) did not pass: count it as failed.
        if (m) counts[m[1] === 'cancelled' ? 'fail' : m[1]] += Number(m[2]);
      }
    });
    child.on('close', (code) => resolvePromise({ code: code ?? 1, ...counts }));
  });
}

let status = 0;
let passed = 0;
let failed = 0;
for (const g of groups) {
  const r = await runGroup(g);
  passed += r.pass;
  failed += r.fail;
  if (r.code !== 0) status = r.code;
}
// One closing line for both groups.
console.log(`tests: ${passed} passed, ${failed} failed`);
if (passed === 0) status = status || 1;
process.exit(status);
