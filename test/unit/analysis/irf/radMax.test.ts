import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRadMaxTable } from '../../../../src/analysis/irf/radMax.js';
import { openFits } from '../../../../src/fits/FitsFile.js';
import { fitsFile } from '../../../helpers/fitsWriter.js';
import { bins, irfTable } from '../../../helpers/irfTables.js';

function open(t: Parameters<typeof fitsFile>[0]) {
  return openFits(new Uint8Array(fitsFile(t)), 'run.fits');
}

test('RAD_MAX_2D: reconstructed-energy axis, nearest bin centre in log energy and offset, 0 outside', () => {
  // Energy bins [0.1, 1], [1, 10] TeV (log centres 0.316, 3.16); offset bins [0, 1], [1, 2].
  const f = open([irfTable('RAD_MAX', { c2: 'RAD_MAX', c3: 'POINT-LIKE', c4: 'RAD_MAX_2D' }, [{ prefix: 'ENERG', ...bins([0.1, 1, 10]), unit: 'TeV' }, { prefix: 'THETA', ...bins([0, 1, 2]), unit: 'deg' }], 'RAD_MAX', [0.2, 0.1, 0.25, 0.15], 'deg')]);
  const rm = readRadMaxTable(f)!;
  assert.equal(rm.table.axes[0].name, 'energy');
  const at05 = rm.forOffset(0.5);
  assert.equal(at05(0.5), 0.2);
  assert.equal(at05(0.99), 0.2); // the log mid-point of the centres 0.316 and 3.16 is 1 TeV
  assert.equal(at05(1.01), 0.1);
  assert.equal(at05(0.9), 0.2);
  assert.equal(rm.forOffset(1.6)(5), 0.15);
  assert.equal(at05(20), 0);
  assert.equal(at05(0.05), 0);
});

test('no RAD_MAX HDU: null', () => {
  assert.equal(readRadMaxTable(open([{ extname: 'EVENTS', columns: [{ name: 'RA', tform: 'E', data: [1] }] }])), null);
});

test('RAD_MAX in rad is converted to deg', () => {
  const f = open([irfTable('RAD_MAX', { c2: 'RAD_MAX', c3: 'POINT-LIKE', c4: 'RAD_MAX_2D' }, [{ prefix: 'ENERG', ...bins([0.1, 10]) }, { prefix: 'THETA', ...bins([0, 2]) }], 'RAD_MAX', [0.1 * Math.PI / 180], 'rad')]);
  assert.ok(Math.abs(readRadMaxTable(f)!.forOffset(1)(1) - 0.1) < 1e-12);
});
