import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAnalyse as run } from '../../helpers/runAnalyse.js';
import { renderAll } from '../../../src/plots/renderAll.js';
import { FLUX_REF, runFile } from '../../helpers/fluxReference.js';


const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const crabFiles = FLUX_REF.groups.crab.runs.map((r: { obs_id: number }) => runFile({ pointlike: false }, r.obs_id));
const KEYS = ['e_min_tev', 'e_max_tev', 'index', 'value_cm2s', 'error_cm2s', 'crab_units', 'crab_units_error', 'safe_emin_tev'];

test('--json: flux per run, per night and in total (Γ from the source list), within 1 % of gammapy', async () => {
  const r = await run([...crabFiles, '--source', 'crab', '--json', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(Object.keys(doc.total.flux).sort(), [...KEYS].sort());
  assert.equal(doc.total.flux.index, 2.6);
  assert.equal(doc.total.flux.e_min_tev, 1);
  assert.equal(doc.total.flux.e_max_tev, 100);
  assert.ok(rel(doc.total.flux.value_cm2s, FLUX_REF.groups.crab.total.value_cm2s) < 0.01);
  assert.ok(rel(doc.total.flux.crab_units, FLUX_REF.groups.crab.total.crab_units) < 0.01);
  FLUX_REF.groups.crab.runs.forEach((ref: any, k: number) => {
    const f = doc.runs[k].flux;
    assert.equal(doc.runs[k].obs_id, ref.obs_id);
    assert.ok(rel(f.value_cm2s, ref.fit.value_cm2s) < 0.01, `run ${ref.obs_id}`);
    assert.ok(Math.abs(f.safe_emin_tev - ref.safe_emin_tev) < 1e-12);
  });
  // The four Crab runs span three nights: one joint fit per night.
  assert.deepEqual(doc.nights.map((n: { night: string }) => n.night), ['20041204', '20041206', '20041208']);
  assert.equal(doc.nights[0].n_runs, 2);
  assert.ok(doc.nights[0].flux.crab_units > 1 && doc.nights[0].flux.crab_units < 2);
  // A single-run night is that run's flux.
  assert.equal(doc.nights[1].flux.value_cm2s, doc.runs[2].flux.value_cm2s);
  assert.equal(doc.spectrum.index, 2.6);
  assert.equal(doc.spectrum.excess.length, 30);
});

test('summary: "1.56 ± 0.06 Crab units above 1 TeV (Γ = 2.6 assumed)", then nights and runs', async () => {
  const r = await run([...crabFiles, '--source', 'crab', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Flux: 1\.56 ± 0\.06 Crab units above 1 TeV \(Γ = 2\.6 assumed\); 2\.72e-11 ± 1\.1e-12 cm⁻² s⁻¹ \(1–100 TeV\)$/m);
  assert.match(r.out, /^ {2}night 20041204: 1\.49 ± 0\.08 Crab units \(2 run\(s\)\)$/m);
  assert.match(r.out, /^ {2}run 23523: 1\.60 ± 0\.12 Crab units, safe from 0\.63 TeV$/m);
});

test('--index overrides the source list; it is validated', async () => {
  const r = await run([...crabFiles.slice(0, 1), '--source', 'crab', '--index', '2', '--json', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.total.flux.index, 2);
  assert.equal(doc.options.fluxIndex, 2);
  const bad = await run([...crabFiles.slice(0, 1), '--index', '9']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--index must be between 1 and 6/);
  const nan = await run([...crabFiles.slice(0, 1), '--index', 'steep']);
  assert.equal(nan.code, 2);
  assert.match(nan.err, /--index must be a number/);
});

test('--no-flux: no flux fields, no flux warnings', async () => {
  const r = await run([crabFiles[0], '--json', '--no-plots', '--no-flux']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.total.flux, undefined);
  assert.equal(doc.runs[0].flux, undefined);
  assert.equal(doc.spectrum, undefined);
});

test('without --source or --index, Γ is the default 2.5', async () => {
  const r = await run([crabFiles[0], '--json', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).total.flux.index, 2.5);
});

test('point-like files: the flux uses RAD_MAX whatever the θ² cut of the counts analysis', async () => {
  const g = FLUX_REF.groups.crab_pointlike;
  const files = g.runs.map((r: { obs_id: number }) => runFile({ pointlike: true }, r.obs_id));
  for (const cut of ['0.02', '0.05']) {
    const r = await run([...files, '--source', 'crab', '--theta2-cut', cut, '--json', '--no-plots']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.ok(rel(doc.total.flux.value_cm2s, g.total.value_cm2s) < 0.01, `cut ${cut}: ${doc.total.flux.value_cm2s} vs ${g.total.value_cm2s}`);
    g.runs.forEach((ref: any, k: number) => assert.ok(rel(doc.runs[k].flux.value_cm2s, ref.fit.value_cm2s) < 0.01));
  }
});

test('a run with damaged IRFs: warning naming the run and the HDU, no flux for it, counts analysis complete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-flux-'));
  try {
    const good = join(dir, 'hess_dl3_dr1_obs_id_023523.fits.gz');
    copyFileSync(crabFiles[0], good);
    const bytes = readFileSync(crabFiles[1]);
    const cut = join(dir, 'hess_dl3_dr1_obs_id_023526.fits.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const r = await run([good, cut, '--source', 'crab', '--json', '--no-plots']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.equal(doc.runs.length, 2);
    assert.ok(doc.runs[1].n_on > 0, 'counts of the damaged run still computed');
    assert.equal(doc.runs[1].flux, null);
    assert.ok(doc.runs[0].flux.crab_units > 0);
    const w = doc.warnings.find((x: string) => x.startsWith('run 23526: no flux'));
    assert.ok(w, doc.warnings.join('\n'));
    // The file is cut inside its energy-dispersion table: that HDU is named.
    assert.match(w, /^run 23526: no flux: the EDISP_2D HDU of hess_dl3_dr1_obs_id_023526\.fits\.gz cannot be used \(corrupt or truncated gzip data/);
    assert.ok(!w.includes(dir), 'no directories in the warning');
    // The job's flux is the good run's.
    assert.equal(doc.total.flux.value_cm2s, doc.runs[0].flux.value_cm2s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--out: lightcurve.png and spectrum.png are written after the four other plots', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-flux-'));
  try {
    const r = await run([...crabFiles, '--source', 'crab', '--out', dir], { renderPlots: renderAll });
    assert.equal(r.code, 0, r.err);
    const images = r.out.split('\n').filter((l) => l.startsWith('image: ')).map((l) => l.slice(7));
    assert.deepEqual(images.map((p) => p.split('/').pop()), ['theta2.png', 'skymap.png', 'significance_vs_time.png', 'runs.png', 'lightcurve.png', 'spectrum.png']);
    for (const p of images.slice(4)) assert.deepEqual([...readFileSync(resolve(p)).subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    const saved = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
    assert.ok(saved.total.flux.crab_units > 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
