import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edispKernel, readEnergyDispersion } from '../../../../src/analysis/irf/edisp.js';
import { IrfError } from '../../../../src/analysis/irf/IrfError.js';
import { openFits } from '../../../../src/fits/FitsFile.js';
import { fitsFile } from '../../../helpers/fitsWriter.js';
import { bins, irfTable } from '../../../helpers/irfTables.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// One true-energy bin [1, 100] TeV (centre 10), migration bins [0.5, 1] and [1, 1.5] with densities 1 and 3,
// one offset bin [0, 2] deg. Data order: energy fastest, then migra, then offset.
function file() {
  return openFits(
    new Uint8Array(fitsFile([irfTable('EDISP', { c2: 'EDISP', c4: 'EDISP_2D' }, [{ prefix: 'ENERG', ...bins([1, 100]), unit: 'TeV' }, { prefix: 'MIGRA', ...bins([0.5, 1, 1.5]) }, { prefix: 'THETA', ...bins([0, 2]), unit: 'deg' }], 'MATRIX', [1, 3])])),
    'run.fits',
  );
}

test('EDISP_2D reader: axes in data order, values', () => {
  const ed = readEnergyDispersion(file());
  assert.deepEqual(ed.table.axes.map((a) => a.name), ['energy_true', 'migra', 'offset']);
  close(ed.evaluate(10, 0.75, 1), 1);
  close(ed.evaluate(10, 1.25, 1), 3);
});

test('kernel: normalised cumulative migration, linear between migration edges, differenced per reco bin', () => {
  const ed = readEnergyDispersion(file());
  // Cumulative at edges 0.5, 1, 1.5: 0, 0.5, 2 → normalised 0, 0.25, 1.
  // Reco edges 1, 5, 8, 12, 20 at E_true = 10: migra 0.1, 0.5, 0.8, 1.2, 2.0
  // → C = 0, 0, 0.25·0.6 = 0.15, 0.25 + 0.75·0.4 = 0.55, 1.
  const k = edispKernel(ed, 1, [10], [1, 5, 8, 12, 20]);
  const want = [0, 0.15, 0.4, 0.45];
  want.forEach((w, j) => close(k[j], w));
});

test('kernel: true energies outside the table are extrapolated (gammapy masks only outside energy and migration)', () => {
  const ed = readEnergyDispersion(file());
  const k = edispKernel(ed, 1, [150], [1, 100, 300]);
  close(k[0] + k[1], 1);
  // Outside the offset range: nothing.
  const k2 = edispKernel(ed, 2.5, [10], [1, 5, 8, 12, 20]);
  assert.ok(k2.every((x) => x === 0));
});

test('missing EDISP: IrfError naming EDISP_2D', () => {
  const f = openFits(new Uint8Array(fitsFile([{ extname: 'EVENTS', columns: [{ name: 'RA', tform: 'E', data: [1] }] }])), 'x.fits');
  assert.throws(() => readEnergyDispersion(f), (e: unknown) => e instanceof IrfError && e.hdu === 'EDISP_2D');
});

test('a migration axis given as nodes cannot make a kernel: IrfError naming the file and HDU', () => {
  const f = openFits(
    new Uint8Array(fitsFile([irfTable('EDISP', { c2: 'EDISP', c4: 'EDISP_2D' }, [{ prefix: 'ENERG', ...bins([1, 100]) }, { prefix: 'MIGRA', lo: [0.5, 1.5], hi: [0.5, 1.5] }, { prefix: 'THETA', ...bins([0, 2]) }], 'MATRIX', [1, 3])])),
    'run9.fits',
  );
  assert.throws(() => readEnergyDispersion(f), (e: unknown) => e instanceof IrfError && e.file === 'run9.fits' && e.hdu === 'EDISP' && /nodes/.test(e.problem));
});
