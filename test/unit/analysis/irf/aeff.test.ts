import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEffectiveArea } from '../../../../src/analysis/irf/aeff.js';
import { IrfError } from '../../../../src/analysis/irf/IrfError.js';
import { openFits } from '../../../../src/fits/FitsFile.js';
import { fitsFile } from '../../../helpers/fitsWriter.js';
import { bins, irfTable } from '../../../helpers/irfTables.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const open = (tables: Parameters<typeof fitsFile>[0]) => openFits(new Uint8Array(fitsFile(tables)), 'run.fits');

const E = bins([1, 4, 16]);
const T = bins([0, 1, 2]);

test('AEFF_2D, standard layout (ENERG/THETA, m2): values and interpolation', () => {
  const f = open([irfTable('AEFF', { c2: 'EFF_AREA', c4: 'AEFF_2D' }, [{ prefix: 'ENERG', ...E, unit: 'TeV' }, { prefix: 'THETA', ...T, unit: 'deg' }], 'EFFAREA', [100, 200, 300, 600], 'm2')]);
  const a = readEffectiveArea(f);
  assert.equal(a.pointLike, false);
  assert.deepEqual(Array.from(a.table.axes[0].edges!), [1, 4, 16]);
  close(a.evaluate(2, 0.5), 100);
  close(a.evaluate(4, 1.0), 300);
  assert.equal(a.evaluate(20, 0.5), 0);
});

test('AEFF_2D in GeV and cm2 under another EXTNAME, found by HDUCLAS4; ETRUE prefix', () => {
  const f = open([
    irfTable('EFFECTIVE AREA', { c2: 'EFF_AREA', c3: 'POINT-LIKE', c4: 'AEFF_2D' }, [{ prefix: 'ETRUE', lo: E.lo.map((x) => x * 1000), hi: E.hi.map((x) => x * 1000), unit: 'GeV' }, { prefix: 'THETA', ...T, unit: 'deg' }], 'EFFAREA', [1e6, 2e6, 3e6, 6e6], 'cm2'),
  ]);
  const a = readEffectiveArea(f);
  assert.equal(a.pointLike, true);
  close(a.evaluate(2, 0.5), 100);
  close(a.evaluate(8, 1.5), 600);
});

test('node axes (LO = HI) are interpolated between the nodes', () => {
  const f = open([irfTable('AEFF', { c2: 'EFF_AREA', c4: 'AEFF_2D' }, [{ prefix: 'ENERG', lo: [2, 8], hi: [2, 8] }, { prefix: 'THETA', ...T }], 'EFFAREA', [100, 200, 100, 200], 'm2')]);
  const a = readEffectiveArea(f);
  assert.equal(a.table.axes[0].edges, null);
  close(a.evaluate(4, 0.5), 150);
});

test('missing or malformed AEFF: IrfError naming the HDU', () => {
  assert.throws(() => readEffectiveArea(open([{ extname: 'EVENTS', columns: [{ name: 'RA', tform: 'E', data: [1] }] }])), (e: unknown) => e instanceof IrfError && e.hdu === 'AEFF_2D' && /no effective-area HDU/.test(e.message));
  const short = irfTable('AEFF', { c2: 'EFF_AREA', c4: 'AEFF_2D' }, [{ prefix: 'ENERG', ...E }, { prefix: 'THETA', ...T }], 'EFFAREA', [1, 2, 3], 'm2');
  assert.throws(() => readEffectiveArea(open([short])), (e: unknown) => e instanceof IrfError && e.hdu === 'AEFF' && /3 values, the axes need 4/.test(e.message));
  const badUnit = irfTable('AEFF', { c2: 'EFF_AREA', c4: 'AEFF_2D' }, [{ prefix: 'ENERG', ...E }, { prefix: 'THETA', ...T }], 'EFFAREA', [1, 2, 3, 4], 'barn');
  assert.throws(() => readEffectiveArea(open([badUnit])), (e: unknown) => e instanceof IrfError && /barn/.test(e.message));
  const noTheta = irfTable('AEFF', { c2: 'EFF_AREA', c4: 'AEFF_2D' }, [{ prefix: 'ENERG', ...E }], 'EFFAREA', [1, 2], 'm2');
  assert.throws(() => readEffectiveArea(open([noTheta])), (e: unknown) => e instanceof IrfError && /no offset axis/.test(e.message));
});
