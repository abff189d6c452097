#!/usr/bin/env node
// FILE-LEVEL STAND-IN for `lstchain_create_dl3_file -d <dl2 file> -o <dl3 dir> -i <irf dir> [-p '*irf*.fits.gz']
//   [-f final_irf.fits.gz] --source-name X --source-ra 83.633deg --source-dec 22.01deg [--gzip] [--overwrite]`.
// Models the final-IRF side effect of lstchain 0.10.0-0.10.9 (cta-lstchain lstchain/tools/lstchain_create_dl3_file.py
// before commit d9e9e77, "Remove explicitly writing associated/interpolated IRF", first released in v0.10.10):
//   setup: final = <output dir>/<basename of --final-irf-file> (default final_irf.fits.gz); if it exists, --overwrite
//          unlinks it, otherwise ToolConfigurationError "Final IRF file ... already exists";
//   start: after reading the DL2, the interpolated (or nearest) IRF is WRITTEN to `final`, and the G/H cuts are then
//          READ BACK from that file (check_energy_dependent_cuts, apply_srcindep_gh_cut).
// Parallel tasks writing into one DL3 folder therefore share `final`: a task can apply another run's cuts. The real
// tool does that silently; this stand-in fails loudly when the file it reads back is not the one it wrote, so a test
// sees the race. ASTRAN_STANDIN_FINAL_IRF_PAUSE_MS (default 200) is the time between write and read-back;
// ASTRAN_STANDIN_FINAL_IRF_BARRIER=<n> (with ASTRAN_STANDIN_TRACE_FILE) holds each task after its write until n tasks
// have written theirs (max 10 s), which makes the overlap deterministic in tests.
// Validates flags like the real tool (coordinates with units, refuses to overwrite without --overwrite) and
// produces dl3_LST-1.RunNNNNN.fits[.gz] by COPYING a real DL3 file, so the analysis downstream computes real
// numbers. Which file: ASTRAN_STANDIN_DL3_MAP="1807=/abs/a.fits.gz,1808=rel/b.fits.gz" (relative to
// ASTRAN_STANDIN_DL3_SOURCE_DIR), or ASTRAN_STANDIN_DL3_MAP_FILE (JSON {"1807": "path"}), else a file in
// ASTRAN_STANDIN_DL3_SOURCE_DIR named like H.E.S.S. DR1 `*obs_id_<run 6 digits>.fits.gz`.
// The copy is byte-identical (gunzipped without --gzip): its OBS_ID header stays the source file's.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crash, done, logLine, pad5, parseArgs, runIdOf, simulate, trace, waitForEvents } from './standin_common.mjs';

const finalIrfBarrier = () => waitForEvents('final_irf_written', Number(process.env.ASTRAN_STANDIN_FINAL_IRF_BARRIER ?? 0));

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
    '-f': { dest: 'finalIrf', kind: 'value' },
    '--final-irf-file': { dest: 'finalIrf', kind: 'value' },
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
// traits.Path(file_ok, directory_ok=False) then `.name`: only the file name counts, it always lands in the output dir.
const finalIrf = join(outDir, basename(args.finalIrf ?? 'final_irf.fits.gz'));
if (existsSync(finalIrf)) {
  if (args.overwrite) {
    logLine('WARNING', TOOL, `Overwriting ${finalIrf}`);
    rmSync(finalIrf, { force: true });
  } else crash(TOOL, 'ctapipe.core.tool.ToolConfigurationError', `Final IRF file ${finalIrf} already exists, use --overwrite to overwrite`);
}

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
// The IRF interpolated to THIS run's pointing: its content identifies the run and its DL2 input.
const irfPath = join(args.irf, irfs.sort()[0]);
const myIrf = JSON.stringify({ interpolated_for_run: run, dl2_sha256: createHash('sha256').update(readFileSync(args.dl2)).digest('hex'), from: irfPath, pid: process.pid });
writeFileSync(finalIrf, myIrf);
trace(TOOL, run, 'final_irf_written');
await finalIrfBarrier();
await new Promise((r) => setTimeout(r, Number(process.env.ASTRAN_STANDIN_FINAL_IRF_PAUSE_MS ?? 200)));
let readBack;
try {
  readBack = readFileSync(finalIrf, 'utf8');
} catch {
  crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${finalIrf}' (removed by another process while in use)`);
}
if (readBack !== myIrf) {
  let other = '?';
  try {
    other = String(JSON.parse(readBack).interpolated_for_run);
  } catch {}
  crash(TOOL, 'stand-in: SharedFinalIrfError', `${finalIrf} was replaced while in use: it holds the IRF of run ${other}, not of run ${run} (parallel tasks share one final IRF file)`);
}
logLine('INFO', TOOL, `Using global/energy-dependent G/H cuts from ${finalIrf}`);
const srcGz = src.endsWith('.gz');
if (args.gzip === !!srcGz) copyFileSync(src, output);
else writeFileSync(output, srcGz ? gunzipSync(readFileSync(src)) : gzipSync(readFileSync(src)));
logLine('INFO', TOOL, `Writing DL3 file ${output}`);
done(TOOL, run);
