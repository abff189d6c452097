#!/usr/bin/env node
// FILE-LEVEL STAND-IN for `lstchain_create_dl3_file -d <dl2 file> -o <dl3 dir> -i <irf dir> [-p '*irf*.fits.gz']
//   --source-name X --source-ra 83.633deg --source-dec 22.01deg [--gzip] [--overwrite]`.
// Validates flags like the real tool (coordinates with units, refuses to overwrite without --overwrite) and
// produces dl3_LST-1.RunNNNNN.fits[.gz] by COPYING a real DL3 file, so the analysis downstream computes real
// numbers. Which file: ASTRAN_STANDIN_DL3_MAP="1807=/abs/a.fits.gz,1808=rel/b.fits.gz" (relative to
// ASTRAN_STANDIN_DL3_SOURCE_DIR), or ASTRAN_STANDIN_DL3_MAP_FILE (JSON {"1807": "path"}), else a file in
// ASTRAN_STANDIN_DL3_SOURCE_DIR named like H.E.S.S. DR1 `*obs_id_<run 6 digits>.fits.gz`.
// The copy is byte-identical (gunzipped without --gzip): its OBS_ID header stays the source file's.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crash, done, logLine, pad5, parseArgs, runIdOf, simulate } from './standin_common.mjs';

const TOOL = 'lstchain_create_dl3_file';
const args = parseArgs(
  TOOL,
  process.argv.slice(2),
  {
    '-d': { dest: 'dl2', kind: 'value' },
    '--input-dl2': { dest: 'dl2', kind: 'value' },
    '-o': { dest: 'out', kind: 'value' },
    '--output-dl3-path': { dest: 'out', kind: 'value' },
    '-i': { dest: 'irf', kind: 'value' },
    '--input-irf-path': { dest: 'irf', kind: 'value' },
    '-p': { dest: 'irfPattern', kind: 'value' },
    '--irf-file-pattern': { dest: 'irfPattern', kind: 'value' },
    '-c': { dest: 'config', kind: 'value' },
    '--config': { dest: 'config', kind: 'value' },
    '--source-name': { dest: 'sourceName', kind: 'value' },
    '--source-ra': { dest: 'ra', kind: 'value' },
    '--source-dec': { dest: 'dec', kind: 'value' },
    '--overwrite': { dest: 'overwrite', kind: 'flag' },
    '--gzip': { dest: 'gzip', kind: 'flag' },
  },
  ['dl2', 'irf', 'sourceName'],
);

function angle(flag, text, min, max) {
  // astropy Quantity syntax as the real tool parses it: a number with an angle unit.
  const m = /^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*deg\s*$/.exec(text ?? '');
  if (!m) crash(TOOL, 'astropy.units.core.UnitConversionError', `${flag}: '${text}' is not an angle with unit (e.g. 83.633deg)`);
  const v = Number(m[1]);
  if (v < min || v > max) crash(TOOL, 'ValueError', `${flag}: ${v} deg out of range [${min}, ${max}]`);
  return v;
}
// Without coordinates the real tool resolves the name online, which fails on the cluster.
if (args.ra === undefined || args.dec === undefined) {
  crash(TOOL, 'astropy.coordinates.name_resolve.NameResolveError', `Unable to find coordinates for name '${args.sourceName}' (no network)`);
}
const ra = angle('--source-ra', args.ra, 0, 360);
const dec = angle('--source-dec', args.dec, -90, 90);

if (!existsSync(args.dl2)) crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${args.dl2}'`);
if (!existsSync(args.irf) || !statSync(args.irf).isDirectory()) crash(TOOL, 'FileNotFoundError', `IRF directory ${args.irf} not found`);
const pattern = args.irfPattern ?? '*irf*.fits.gz';
const patRe = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
const irfs = readdirSync(args.irf).filter((f) => patRe.test(f));
if (irfs.length === 0) crash(TOOL, 'FileNotFoundError', `No IRF files matching ${pattern} in ${args.irf}`);

const run = runIdOf(args.dl2);
if (run === undefined) crash(TOOL, 'ValueError', `cannot read the run number from ${args.dl2}`);
const outDir = resolve(args.out ?? './DL3');
const output = join(outDir, `dl3_LST-1.Run${pad5(run)}.fits${args.gzip ? '.gz' : ''}`);
if (existsSync(output) && !args.overwrite) crash(TOOL, 'FileExistsError', `Output file ${output} already exists. Use --overwrite to replace it.`);

function sourceFile() {
  const base = process.env.ASTRAN_STANDIN_DL3_SOURCE_DIR;
  const map = {};
  if (process.env.ASTRAN_STANDIN_DL3_MAP_FILE) Object.assign(map, JSON.parse(readFileSync(process.env.ASTRAN_STANDIN_DL3_MAP_FILE, 'utf8')));
  for (const pair of (process.env.ASTRAN_STANDIN_DL3_MAP ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0) map[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const mapped = map[String(run)];
  if (mapped) return isAbsolute(mapped) || !base ? mapped : join(base, mapped);
  if (base && existsSync(base)) {
    const hit = readdirSync(base).find((f) => f.includes(`obs_id_${String(run).padStart(6, '0')}.fits`));
    if (hit) return join(base, hit);
  }
  return undefined;
}
const src = sourceFile();
if (!src || !existsSync(src)) crash(TOOL, 'FileNotFoundError', `stand-in: no real DL3 file mapped for run ${run} (set ASTRAN_STANDIN_DL3_MAP or ASTRAN_STANDIN_DL3_SOURCE_DIR)`);

logLine('INFO', TOOL, `Reading DL2 events from ${args.dl2}`);
logLine('INFO', TOOL, `Using IRF ${join(args.irf, irfs.sort()[0])}`);
logLine('INFO', TOOL, `Source ${args.sourceName} at RA ${ra} deg, Dec ${dec} deg`);
mkdirSync(outDir, { recursive: true });
await simulate(TOOL, run, output);
const srcGz = src.endsWith('.gz');
if (args.gzip === !!srcGz) copyFileSync(src, output);
else writeFileSync(output, srcGz ? gunzipSync(readFileSync(src)) : gzipSync(readFileSync(src)));
logLine('INFO', TOOL, `Writing DL3 file ${output}`);
done(TOOL, run);
