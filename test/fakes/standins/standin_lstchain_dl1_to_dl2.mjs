#!/usr/bin/env node
// FILE-LEVEL STAND-IN for `lstchain_dl1_to_dl2 -f <dl1 files...> -p <models dir> -o <out dir> [-c config.json]`.
// Checks its inputs like the real tool, then writes <out dir>/<input name with dl1 -> dl2> holding a JSON
// marker (run id, input sha256) instead of DL2 tables. Failure injection: see standin_common.mjs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { crash, done, logLine, parseArgs, runIdOf, simulate } from './standin_common.mjs';

const TOOL = 'lstchain_dl1_to_dl2';
const args = parseArgs(
  TOOL,
  process.argv.slice(2),
  {
    '-f': { dest: 'inputs', kind: 'list' },
    '--input-files': { dest: 'inputs', kind: 'list' },
    '--input-file': { dest: 'inputs', kind: 'list' },
    '-p': { dest: 'models', kind: 'value' },
    '--path-models': { dest: 'models', kind: 'value' },
    '-o': { dest: 'out', kind: 'value' },
    '--output-dir': { dest: 'out', kind: 'value' },
    '-c': { dest: 'config', kind: 'value' },
    '--config': { dest: 'config', kind: 'value' },
  },
  ['inputs', 'models'],
);
const outDir = resolve(args.out ?? './dl2_data');

if (!existsSync(args.models) || !statSync(args.models).isDirectory()) crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${args.models}'`);
if (args.config !== undefined && !existsSync(args.config)) crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${args.config}'`);

for (const input of args.inputs) {
  const run = runIdOf(input);
  if (!existsSync(input)) crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${input}'`);
  const output = join(outDir, basename(input).replace('dl1', 'dl2'));
  // The real tool refuses to overwrite an existing DL2 file.
  if (existsSync(output)) crash(TOOL, 'OSError', `${output} exists, exiting.`);
  logLine('INFO', TOOL, `Reading DL1 parameters from ${input}`);
  logLine('INFO', TOOL, `Loading random forest models from ${args.models}`);
  mkdirSync(outDir, { recursive: true });
  await simulate(TOOL, run, output);
  const sha256 = createHash('sha256').update(readFileSync(input)).digest('hex');
  logLine('INFO', TOOL, `Applying models: energy, disp, gammaness (run ${run})`);
  writeFileSync(
    output,
    JSON.stringify({ standin: TOOL, level: 'DL2', run_id: run ?? null, input: basename(input), input_sha256: sha256, created: new Date().toISOString() }, null, 1) + '\n',
  );
  logLine('INFO', TOOL, `Writing DL2 file ${output}`);
  done(TOOL, run);
}
