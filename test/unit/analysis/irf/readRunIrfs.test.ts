import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasIrfs, readRunIrfs } from '../../../../src/analysis/irf/readRunIrfs.js';
import { IrfError } from '../../../../src/analysis/irf/IrfError.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun } from '../../../../src/analysis/RunData.js';
import { openFits } from '../../../../src/fits/FitsFile.js';
import { fitsFile } from '../../../helpers/fitsWriter.js';
import { bins, irfTable } from '../../../helpers/irfTables.js';
import { runFile } from '../../../helpers/fluxReference.js';

test('H.E.S.S. DR1 run: full-enclosure AEFF, EDISP and PSF; no RAD_MAX', () => {
  const irfs = readRunIrfs(runFile({ pointlike: false }, 23523));
  assert.equal(irfs.pointLike, false);
  assert.ok(irfs.psf);
  assert.equal(irfs.radMax, null);
  assert.equal(irfs.aeff.table.axes[0].centers.length, 96);
  assert.equal(irfs.edisp.table.axes[1].centers.length, 160);
  assert.equal(irfs.psf!.table.axes[2].centers.length, 144);
  // A sane effective area at 1 TeV, 0.5°: between 1e4 and 1e6 m².
  const a = irfs.aeff.evaluate(1, 0.5);
  assert.ok(a > 1e4 && a < 1e6, String(a));
});

test('point-like test file: RAD_MAX_2D used, no PSF', () => {
  const irfs = readRunIrfs(runFile({ pointlike: true }, 23523));
  assert.equal(irfs.pointLike, true);
  assert.equal(irfs.psf, null);
  const r = irfs.radMax!.forOffset(0.5)(1);
  assert.ok(r >= 0.08 && r <= 0.3, String(r));
});

const events = { extname: 'EVENTS', columns: [{ name: 'RA', tform: 'E', data: [1] }] };
const aeff = (c3: string, extra = {}) => irfTable('EFFECTIVE AREA', { c2: 'EFF_AREA', c3, c4: 'AEFF_2D' }, [{ prefix: 'ENERG', ...bins([0.1, 1, 10]) }, { prefix: 'THETA', ...bins([0, 1]) }], 'EFFAREA', [1, 2], 'm2', extra);
const edisp = (c3: string) => irfTable('ENERGY DISPERSION', { c2: 'EDISP', c3, c4: 'EDISP_2D' }, [{ prefix: 'ENERG', ...bins([0.1, 10]) }, { prefix: 'MIGRA', ...bins([0.5, 1.5]) }, { prefix: 'THETA', ...bins([0, 1]) }], 'MATRIX', [1], '');

test('files without IRFs, or missing one, get an IrfError naming the HDU', () => {
  const none = openFits(new Uint8Array(fitsFile([events])), 'run1.fits');
  assert.equal(hasIrfs(none), false);
  assert.throws(() => readRunIrfs(none), (e: unknown) => e instanceof IrfError && e.hdu === 'AEFF_2D' && e.file === 'run1.fits');
  const noEdisp = openFits(new Uint8Array(fitsFile([events, aeff('FULL-ENCLOSURE')])), 'run2.fits');
  assert.equal(hasIrfs(noEdisp), true);
  assert.throws(() => readRunIrfs(noEdisp), (e: unknown) => e instanceof IrfError && e.hdu === 'EDISP_2D');
  const noPsf = openFits(new Uint8Array(fitsFile([events, aeff('FULL-ENCLOSURE'), edisp('FULL-ENCLOSURE')])), 'run3.fits');
  assert.throws(() => readRunIrfs(noPsf), (e: unknown) => e instanceof IrfError && e.hdu === 'PSF_TABLE');
  const noRadMax = openFits(new Uint8Array(fitsFile([events, aeff('POINT-LIKE'), edisp('POINT-LIKE')])), 'run4.fits');
  assert.throws(() => readRunIrfs(noRadMax), (e: unknown) => e instanceof IrfError && e.hdu === 'RAD_MAX_2D');
});

test('point-like file with a fixed RAD_MAX header keyword (gammapy RadMax2D.from_irf): that radius at every energy', () => {
  const f = openFits(new Uint8Array(fitsFile([events, aeff('POINT-LIKE', { RAD_MAX: 0.2 }), edisp('POINT-LIKE')])), 'run5.fits');
  const irfs = readRunIrfs(f);
  assert.equal(irfs.radMax!.forOffset(0.3)(1), 0.2);
  assert.equal(irfs.radMax!.forOffset(0.3)(50), 0.2);
});

test('a file cut short inside its IRFs: IrfError naming the file, while its EVENTS still read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-irf-'));
  try {
    const bytes = readFileSync(runFile({ pointlike: false }, 23523));
    const cut = join(dir, 'hess_dl3_dr1_obs_id_023523.fits.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    assert.ok(readRun(cut).ra.length > 0);
    assert.throws(() => readRunIrfs(cut), (e: unknown) => e instanceof IrfError && e.file === 'hess_dl3_dr1_obs_id_023523.fits.gz' && e.hdu === 'EDISP_2D' && !e.message.includes(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
