import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse } from '../../../src/analysis/analyse.js';
import { offsetBy } from '../../../src/analysis/geometry.js';
import { readRun } from '../../../src/analysis/RunData.js';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../../src/analysis/types.js';
import { FitsError } from '../../../src/fits/FitsError.js';
import { lstLikeFile, magicLikeFile } from '../../helpers/fitsWriter.js';

const SRC = { ra: 83.633, dec: 22.014 };
const PNT = { ra: 83.633, dec: 21.614 }; // source 0.4° north of the pointing
const META = { obsId: 4242, raPnt: PNT.ra, decPnt: PNT.dec, livetime: 1200, dateObs: '2024-03-05', timeObs: '01:30:00', object: 'Crab', raObj: SRC.ra, decObj: SRC.dec, alt: 60 };

interface Ev { ra: number[]; dec: number[]; energy: number[] }
function add(ev: Ev, centre: { ra: number; dec: number }, sepDeg: number, energy: number, n: number) {
  for (let i = 0; i < n; i++) {
    const p = offsetBy(centre.ra, centre.dec, (i * 360) / n + 7, sepDeg);
    ev.ra.push(p.ra);
    ev.dec.push(p.dec);
    ev.energy.push(energy);
  }
}

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'astran-fmt-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('LST-like file: double RA/DEC, 11 columns, pointing and zenith from the POINTING HDU, UTC night', async () => {
  const ev: Ev = { ra: [], dec: [], energy: [] };
  add(ev, SRC, 0.05, 1, 12); // ON
  const mirror = { ra: PNT.ra, dec: PNT.dec - 0.4 };
  add(ev, mirror, 0.05, 1, 4); // OFF (n = 1: mirror)
  add(ev, SRC, 0.5, 1, 9); // background ring far outside both regions
  const p = join(dir, 'dl3_LST-1.Run04242.fits');
  writeFileSync(p, lstLikeFile(ev, META));
  const run = readRun(p);
  assert.ok(run.ra instanceof Float64Array);
  assert.deepEqual(run.pointing, PNT);
  assert.equal(run.zenith, 30);
  assert.equal(run.night, '20240304');
  const r = await analyse([p], { ...DEFAULT_ANALYSIS_OPTIONS, source: SRC, sourceName: 'Crab', offRegions: 1 });
  assert.equal(r.runs[0].n_events, 25);
  assert.equal(r.runs[0].n_on, 12);
  assert.equal(r.runs[0].n_off, 4);
  assert.equal(r.runs[0].excess, 8);
  assert.equal(r.runs[0].zenith_deg, 30);
  assert.equal(r.theta2.on[0], 12); // θ² = 0.0025 deg² → first bin
  assert.equal(r.theta2.off[0], 4);
  assert.equal(r.skymap.sum, 25);
});

test('MAGIC-like file: energy-dependent RAD_MAX per event (2-D table, offset bin chosen by the wobble offset)', async () => {
  const ev: Ev = { ra: [], dec: [], energy: [] };
  // Offset bins [0, 0.3) and [0.3, 1): the 0.4° wobble uses row 2 with radii 0.1 / 0.2 / 0.3 deg.
  const rad = { energyEdges: [0.1, 1, 10, 100], thetaEdges: [0, 0.3, 1], radMax: [0.5, 0.5, 0.5, 0.1, 0.2, 0.3] };
  add(ev, SRC, 0.15, 0.5, 5); // radius 0.1: out
  add(ev, SRC, 0.15, 5, 6); // radius 0.2: in
  add(ev, SRC, 0.25, 5, 7); // radius 0.2: out
  add(ev, SRC, 0.25, 50, 8); // radius 0.3: in
  const mirror = { ra: PNT.ra, dec: PNT.dec - 0.4 };
  add(ev, mirror, 0.15, 5, 3); // OFF: in
  add(ev, mirror, 0.15, 0.5, 2); // OFF: out
  const p = join(dir, 'magic.fits');
  writeFileSync(p, magicLikeFile(ev, META, rad));
  const base = { ...DEFAULT_ANALYSIS_OPTIONS, source: SRC, sourceName: 'Crab', offRegions: 1 };
  const r = await analyse([p], { ...base, useRadMax: true });
  assert.equal(r.runs[0].n_on, 6 + 8);
  assert.equal(r.runs[0].n_off, 3);
  assert.equal(r.runs[0].on_radius_deg, Math.fround(0.2)); // median of the row (stored as float32)
  assert.deepEqual(r.warnings, []);
  // Without --rad-max the global cut (0.1414°) applies: nothing at 0.15° is ON.
  const g = await analyse([p], base);
  assert.equal(g.runs[0].n_on, 0);
  // Energy range applies before RAD_MAX.
  const e = await analyse([p], { ...base, useRadMax: true, emin: 10 });
  assert.equal(e.runs[0].n_events, 8);
  assert.equal(e.runs[0].n_on, 8);
});

test('several runs are stacked in time order with α = Σα·N_off / ΣN_off', async () => {
  const mk = (obsId: number, timeObs: string, nOn: number, nOff: number) => {
    const ev: Ev = { ra: [], dec: [], energy: [] };
    add(ev, SRC, 0.05, 1, nOn);
    add(ev, { ra: PNT.ra, dec: PNT.dec - 0.4 }, 0.05, 1, nOff);
    const p = join(dir, `run${obsId}.fits`);
    writeFileSync(p, lstLikeFile(ev, { ...META, obsId, timeObs }));
    return p;
  };
  const a = mk(2, '03:00:00', 10, 2);
  const b = mk(1, '02:00:00', 20, 6);
  const r = await analyse([a, b], { ...DEFAULT_ANALYSIS_OPTIONS, source: SRC, sourceName: 'Crab', offRegions: 3 });
  assert.deepEqual(r.runs.map((x) => x.obs_id), [1, 2]);
  // With 3 OFF regions the mirror is not one of them (PA +90/+180/+270 → the +180 one is the mirror).
  assert.deepEqual(r.runs.map((x) => x.n_off), [6, 2]);
  assert.equal(r.total.n_on, 30);
  assert.equal(r.total.alpha, 1 / 3);
  assert.equal(r.cumulative[0].obs_id, 1);
});

test('unreadable files surface as FitsError naming the file only', async () => {
  const p = join(dir, 'broken.fits.gz');
  writeFileSync(p, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  await assert.rejects(analyse([p], { ...DEFAULT_ANALYSIS_OPTIONS, source: SRC, sourceName: 'x' }), (e: unknown) => e instanceof FitsError && e.message.startsWith('broken.fits.gz: ') && !e.message.includes(dir));
});
