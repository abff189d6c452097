import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GridInterpolator } from '../../../../src/analysis/irf/gridInterpolator.js';
import { edgesAxis } from '../../../../src/analysis/irf/IrfAxis.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

// Energy bins [1, 4], [4, 16] TeV → log centres 2 and 8; offset bins [0, 1], [1, 2] deg → centres 0.5 and 1.5.
const energy = edgesAxis('energy_true', 'log', [1, 4, 16]);
const offset = edgesAxis('offset', 'lin', [0, 1, 2]);
// data[ie + 2 * io]: energy fastest (FITS order).
const data = Float64Array.of(10, 20, 30, 60);

test('bilinear in (log E, offset) between the bin centres', () => {
  const g = new GridInterpolator([energy, offset], data);
  close(g.at([2, 0.5]), 10);
  close(g.at([8, 1.5]), 60);
  // E = 4 is half-way between 2 and 8 in log; offset 1.0 half-way between 0.5 and 1.5.
  close(g.at([4, 0.5]), 15);
  close(g.at([4, 1.0]), (10 + 20 + 30 + 60) / 4);
  // E = 2^(1.25): t = 0.25 in log between log 2 and log 8.
  close(g.at([Math.pow(2, 1.5), 1.5]), 30 + 0.25 * 30);
});

test('linear extrapolation between the outermost centre and the outermost edge; 0 outside the edges', () => {
  const g = new GridInterpolator([energy, offset], data);
  // E = 1 TeV: log-distance from centre 2 is −0.5 of the 2→8 step → 10 − 0.5·10 = 5.
  close(g.at([1, 0.5]), 5);
  // offset 2.0: t = 1.5 between centres 0.5 and 1.5 at E = 2: 10 + 1.5·20 = 40.
  close(g.at([2, 2.0]), 40);
  assert.equal(g.at([0.99, 0.5]), 0);
  assert.equal(g.at([2, 2.01]), 0);
  assert.equal(g.at([2, -0.01]), 0);
  assert.equal(g.at([NaN, 0.5]), 0);
});

test('negative extrapolations are clipped to 0; single-point axes are ignored', () => {
  const falling = new GridInterpolator([energy, offset], Float64Array.of(10, 2, 10, 2));
  // At E = 16 (edge): t = 1.5 → 10 − 1.5·8 = −2 → clipped.
  assert.equal(falling.at([16, 0.5]), 0);
  const one = edgesAxis('offset', 'lin', [0, 3]);
  const g = new GridInterpolator([energy, one], Float64Array.of(10, 20));
  close(g.at([4, 0.1]), 15);
  close(g.at([4, 2.9]), 15);
});

test('nearest neighbour in the scaled coordinate (RAD_MAX lookups)', () => {
  const g = new GridInterpolator([energy, offset], data, { method: 'nearest' });
  close(g.at([3.9, 0.6]), 10); // log 3.9 < log 4 (the log mid-point of 2 and 8)
  close(g.at([4.1, 0.6]), 20);
  close(g.at([4.1, 1.1]), 60);
  assert.equal(g.at([17, 0.6]), 0);
});

test('custom out-of-bounds rule (EDISP: zero only outside both energy and migration)', () => {
  const g = new GridInterpolator([energy, offset], data, { outside: (inv) => inv[0] && inv[1] });
  assert.ok(g.at([20, 0.5]) > 0);
  assert.equal(g.at([20, 2.5]), 0);
});

test('data size must match the axes', () => {
  assert.throws(() => new GridInterpolator([energy, offset], Float64Array.of(1, 2, 3)), /3 values/);
});
