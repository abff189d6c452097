import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPsfTable } from '../../../../src/analysis/irf/psf.js';
import { IrfError } from '../../../../src/analysis/irf/IrfError.js';
import { openFits } from '../../../../src/fits/FitsFile.js';
import { fitsFile } from '../../../helpers/fitsWriter.js';
import { bins, irfTable } from '../../../helpers/irfTables.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const K = (Math.PI / 180) ** 2;

// Uniform density over rad bins [0, .1], [.1, .2], [.2, .3] deg; one energy and one offset bin.
// Cumulative at the upper edges: p·2π·Δr·(Σ r_c) = p·2π·0.1·(0.05, 0.2, 0.45) (deg²) → normalised to 1 at 0.3°.
const P_SR = 1 / (2 * Math.PI * 0.1 * 0.45 * K);

function file(unit: string, p: number) {
  return openFits(
    new Uint8Array(fitsFile([irfTable('PSF', { c2: 'RPSF', c4: 'PSF_TABLE' }, [{ prefix: 'ENERG', ...bins([1, 10]) }, { prefix: 'THETA', ...bins([0, 2]) }, { prefix: 'RAD', ...bins([0, 0.1, 0.2, 0.3]) }], 'RPSF', [p, p, p], unit)])),
    'run.fits',
  );
}

test('PSF_TABLE containment: cumulative 2πrΔr sum at the upper radius edges, linear in between', () => {
  const psf = readPsfTable(file('sr-1', P_SR));
  close(psf.containment(0.1, 1, 3), 0.05 / 0.45);
  close(psf.containment(0.2, 1, 3), 0.2 / 0.45);
  close(psf.containment(0.3, 1, 3), 1);
  // Half-way between the 0.1 and 0.2 nodes (gammapy interpolates the cumulative sum linearly).
  close(psf.containment(0.15, 1, 3), 0.125 / 0.45);
  // Outside the energy range: 0.
  assert.equal(psf.containment(0.15, 1, 20), 0);
});

test('PSF in deg-2 is converted to sr-1', () => {
  const psf = readPsfTable(file('deg-2', P_SR * K));
  close(psf.containment(0.2, 1, 3), 0.2 / 0.45, 1e-9);
});

test('missing PSF: IrfError naming PSF_TABLE', () => {
  const f = openFits(new Uint8Array(fitsFile([{ extname: 'EVENTS', columns: [{ name: 'RA', tform: 'E', data: [1] }] }])), 'x.fits');
  assert.throws(() => readPsfTable(f), (e: unknown) => e instanceof IrfError && e.hdu === 'PSF_TABLE');
});
