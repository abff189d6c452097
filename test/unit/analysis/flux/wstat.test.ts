import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wstat, wstatDerivatives, wstatMuBkg } from '../../../../src/analysis/flux/wstat.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

// gammapy 1.0: gammapy.stats.wstat(n_on, n_off, alpha, mu_sig) and get_wstat_mu_bkg, including the corner cases.
const REF: [number, number, number, number, number, number][] = [
  [10, 20, 0.25, 3.0, 0.3952927515706648, 21.0996688705415],
  [0, 5, 0.5, 1.0, 6.054651081081644, 3.3333333333333335],
  [7, 0, 0.2, 2.0, 7.538681558935151, 0.0],
  [3, 9, 1 / 3, 0.0, 0.0, 9.0],
  [120, 300, 1 / 3, 15.5, 0.13391121297217978, 303.0266645600037],
];

test('WStat and the profiled background agree with gammapy 1.0', () => {
  for (const [on, off, a, mu, stat, bkg] of REF) {
    close(wstat(on, off, a, mu), stat);
    close(wstatMuBkg(on, off, a, mu), bkg);
  }
});

test('analytic derivatives match finite differences of the profiled WStat', () => {
  for (const [on, off, a, mu] of [[10, 20, 0.25, 3.0], [120, 300, 1 / 3, 15.5], [5, 1, 0.2, 2.5], [40, 3, 0.5, 30]]) {
    const h = 1e-4 * Math.max(1, mu);
    const d1 = (wstat(on, off, a, mu + h) - wstat(on, off, a, mu - h)) / (2 * h);
    const d2 = (wstat(on, off, a, mu + h) - 2 * wstat(on, off, a, mu) + wstat(on, off, a, mu - h)) / (h * h);
    const d = wstatDerivatives(on, off, a, mu);
    close(d.d1, d1, 1e-6);
    close(d.d2, d2, 1e-4);
  }
});
