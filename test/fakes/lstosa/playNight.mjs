#!/usr/bin/env node
// Plays lstosa for one night, one step per call, so a test can spread a night over time:
//   node playNight.mjs catalog <base> <night> <run_id>:<source_name>[:ra:dec] ...
//       writes monitoring/RunCatalog/RunCatalog_<night>.ecsv (ECSV with its YAML header), as lstosa's catalogue step
//   node playNight.mjs dl1 <base> <night> <prod_id> <run_id> ...
//       writes each run's merged DL1 file DL1/<night>/<prod_id>/tailcut84/dl1_LST-1.RunNNNNN.h5 (temporary name,
//       then renamed, so it never exists half-written)
// With --uid U --gid G (root only) the files are handed to the cluster's user, as on the site.
import { chownSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v === undefined ? undefined : Number(v);
};
const uid = opt('--uid');
const gid = opt('--gid');
const [step, base, night, ...rest] = argv;
const fail = (m) => {
  process.stderr.write(`playNight: ${m}\n`);
  process.exit(2);
};
if (!base || !/^\d{8}$/.test(night ?? '')) fail('usage: playNight.mjs catalog|dl1 <base> <YYYYMMDD> …');

function give(path, upTo) {
  if (uid === undefined || gid === undefined) return;
  for (let p = path; p.startsWith(upTo) && p !== upTo; p = dirname(p)) chownSync(p, uid, gid);
}

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  give(path, base);
}

if (step === 'catalog') {
  const rows = rest.map((r) => {
    const [id, name, ra = '83.633', dec = '22.014'] = r.split(':');
    if (!/^\d+$/.test(id ?? '') || !name) fail(`bad run ${r}`);
    return `${id},${JSON.stringify(name)},${ra},${dec}`;
  });
  const header = ['# %ECSV 1.0', '# ---', '# datatype:', '# - {name: run_id, datatype: int64}', '# - {name: source_name, datatype: string}', '# - {name: source_ra, datatype: float64}', '# - {name: source_dec, datatype: float64}'];
  write(join(base, 'monitoring/RunCatalog', `RunCatalog_${night}.ecsv`), [...header, 'run_id,source_name,source_ra,source_dec', ...rows, ''].join('\n'));
  process.stdout.write(`catalog ${night}: ${rows.length} run(s)\n`);
} else if (step === 'dl1') {
  const [prod, ...runs] = rest;
  if (!prod || !runs.length) fail('dl1 needs <prod_id> and run ids');
  for (const r of runs) {
    if (!/^\d+$/.test(r)) fail(`bad run ${r}`);
    write(join(base, 'DL1', night, prod, 'tailcut84', `dl1_LST-1.Run${r.padStart(5, '0')}.h5`), `dl1 ${r}\n`);
  }
  process.stdout.write(`dl1 ${night}: run(s) ${runs.join(', ')}\n`);
} else fail(`unknown step ${step}`);
