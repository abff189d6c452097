import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitAmplitude } from '../../../../src/analysis/flux/fitAmplitude.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol * Math.abs(b), `${a} vs ${b}`);

test('one bin: amplitude = (N_on − α N_off) / s and σ² = (N_on + α² N_off) / s²', () => {
  const s = 2.5;
  const fit = fitAmplitude([{ nOn: 130, nOff: 90, alpha: 1 / 3, perAmplitude: s }])!;
  close(fit.amplitude, (130 - 30) / s, 1e-10);
  close(fit.error, Math.sqrt(130 + 90 / 9) / s, 1e-8);
});

test('many bins whose counts are exactly signal + background: the known amplitude comes back', () => {
  // N_on = A·s + α·b and N_off = b in every bin (integers) is the likelihood maximum with μ_bkg = b.
  const A = 3, alpha = 0.25;
  const bins = [
    { s: 10, b: 40 },
    { s: 6, b: 20 },
    { s: 2, b: 8 },
    { s: 1, b: 0 },
  ].map(({ s, b }) => ({ nOn: A * s + alpha * b, nOff: b, alpha, perAmplitude: s }));
  const fit = fitAmplitude(bins)!;
  close(fit.amplitude, A, 1e-10);
  // Curvature check: stat rises by 1 at ±1σ (to second order).
  assert.ok(fit.error > 0 && fit.error < A);
});

test('a deficit gives a negative amplitude; no predicted signal gives null', () => {
  const fit = fitAmplitude([{ nOn: 5, nOff: 60, alpha: 0.2, perAmplitude: 4 }])!;
  close(fit.amplitude, (5 - 12) / 4, 1e-9);
  assert.equal(fitAmplitude([]), null);
  assert.equal(fitAmplitude([{ nOn: 5, nOff: 6, alpha: 0.2, perAmplitude: 0 }]), null);
});

test('joint fit of two runs lies between the single-run fits', () => {
  const r1 = { nOn: 200, nOff: 150, alpha: 1 / 3, perAmplitude: 10 };
  const r2 = { nOn: 90, nOff: 120, alpha: 1 / 3, perAmplitude: 8 };
  const a1 = fitAmplitude([r1])!.amplitude, a2 = fitAmplitude([r2])!.amplitude;
  const j = fitAmplitude([r1, r2])!;
  assert.ok(j.amplitude > Math.min(a1, a2) && j.amplitude < Math.max(a1, a2));
  assert.ok(j.error < fitAmplitude([r1])!.error);
});
