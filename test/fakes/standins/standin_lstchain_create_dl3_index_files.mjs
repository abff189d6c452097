#!/usr/bin/env node
// FILE-LEVEL STAND-IN for `lstchain_create_dl3_index_files -d <dl3 dir> -o <index dir> [-p 'dl3*.fits'] [--overwrite]`.
// Writing FITS index tables is heavy, so instead:
//  - always: <index dir>/dl3-index.json listing the matched DL3 files with the header keywords of their
//    EVENTS HDU (OBS_ID, OBJECT, RA_PNT, DEC_PNT, DATE-OBS, TIME-OBS, LIVETIME...);
//  - if ASTRAN_STANDIN_INDEX_SOURCE_DIR is set: also copies the real obs-index.fits.gz / hdu-index.fits.gz
//    from there (they describe the SOURCE files, e.g. H.E.S.S. DR1 names, not the dl3_LST-1 copies).
// Like the real tool: the default pattern 'dl3*.fits' does NOT match .fits.gz, the output folder must exist,
// and existing index files are kept unless --overwrite. Unlike it: no matching file is an error here.
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { crash, done, logLine, parseArgs, simulate } from './standin_common.mjs';

const TOOL = 'lstchain_create_dl3_index_files';
const args = parseArgs(
  TOOL,
  process.argv.slice(2),
  {
    '-d': { dest: 'dir', kind: 'value' },
    '--input-dl3-dir': { dest: 'dir', kind: 'value' },
    '-o': { dest: 'out', kind: 'value' },
    '--output-index-path': { dest: 'out', kind: 'value' },
    '-p': { dest: 'pattern', kind: 'value' },
    '--file-pattern': { dest: 'pattern', kind: 'value' },
    '--overwrite': { dest: 'overwrite', kind: 'flag' },
  },
  ['dir'],
);
const outDir = args.out ?? args.dir;
const pattern = args.pattern ?? 'dl3*.fits';
if (!existsSync(args.dir) || !statSync(args.dir).isDirectory()) crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${args.dir}'`);
if (!existsSync(outDir) || !statSync(outDir).isDirectory()) crash(TOOL, 'FileNotFoundError', `[Errno 2] No such file or directory: '${outDir}'`);

const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
const files = readdirSync(args.dir).filter((f) => re.test(f)).sort();
if (files.length === 0) crash(TOOL, 'ValueError', `No DL3 files matching '${pattern}' in ${args.dir}`);

const jsonOut = join(outDir, 'dl3-index.json');
const copySrc = process.env.ASTRAN_STANDIN_INDEX_SOURCE_DIR;
const fitsOut = copySrc ? ['obs-index.fits.gz', 'hdu-index.fits.gz'].map((f) => join(outDir, f)) : [];
for (const f of [jsonOut, ...fitsOut]) {
  if (existsSync(f) && !args.overwrite) crash(TOOL, 'OSError', `File exists: ${f}. Use --overwrite to replace it.`);
}

/** Header cards of every HDU (keyword -> value), reading only headers and skipping data by size. */
function fitsHeaders(buf) {
  const hdus = [];
  let off = 0;
  while (off + 2880 <= buf.length) {
    const h = {};
    let end = false;
    while (!end && off + 2880 <= buf.length) {
      for (let i = 0; i < 36; i++) {
        const card = buf.toString('latin1', off + i * 80, off + i * 80 + 80);
        const key = card.slice(0, 8).trim();
        if (key === 'END') {
          end = true;
          break;
        }
        if (card.slice(8, 10) !== '= ') continue;
        let v = card.slice(10);
        const q = /^\s*'((?:[^']|'')*)'/.exec(v);
        if (q) v = q[1].replace(/''/g, "'").trimEnd();
        else {
          v = v.split('/')[0].trim();
          v = v === 'T' ? true : v === 'F' ? false : Number.isFinite(Number(v)) && v !== '' ? Number(v) : v;
        }
        h[key] = v;
      }
      off += 2880;
    }
    if (!end) break;
    hdus.push(h);
    const naxis = Number(h.NAXIS ?? 0);
    let n = naxis > 0 ? 1 : 0;
    for (let k = 1; k <= naxis; k++) n *= Number(h[`NAXIS${k}`] ?? 0);
    const bytes = (Math.abs(Number(h.BITPIX ?? 8)) / 8) * Number(h.GCOUNT ?? 1) * (Number(h.PCOUNT ?? 0) + n);
    off += Math.ceil(bytes / 2880) * 2880;
  }
  return hdus;
}

await simulate(TOOL, undefined);
const KEYS = ['OBS_ID', 'OBJECT', 'RA_PNT', 'DEC_PNT', 'RA_OBJ', 'DEC_OBJ', 'DATE-OBS', 'TIME-OBS', 'TSTART', 'TSTOP', 'ONTIME', 'LIVETIME', 'DEADC'];
const entries = files.map((f) => {
  const raw = readFileSync(join(args.dir, f));
  const events = fitsHeaders(f.endsWith('.gz') ? gunzipSync(raw) : raw).find((h) => h.EXTNAME === 'EVENTS') ?? {};
  const e = { file: f };
  for (const k of KEYS) if (events[k] !== undefined) e[k] = events[k];
  logLine('INFO', TOOL, `Indexed ${f} (OBS_ID ${e.OBS_ID ?? '?'})`);
  return e;
});
writeFileSync(jsonOut, JSON.stringify({ standin: TOOL, pattern, files: entries }, null, 1) + '\n');
logLine('INFO', TOOL, `Writing ${jsonOut}`);
if (copySrc) {
  for (const f of fitsOut) {
    const name = f.slice(f.lastIndexOf('/') + 1);
    copyFileSync(join(copySrc, name), f);
    logLine('INFO', TOOL, `Writing ${f} (copied from the source release)`);
  }
}
done(TOOL, undefined);
