import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitBins, fitFlux, signalPerAmplitude } from '../../../../src/analysis/flux/fitFlux.js';
import { crabIntegral, powerLawIntegral } from '../../../../src/analysis/flux/powerLaw.js';
import { wstat } from '../../../../src/analysis/flux/wstat.js';
import { FLUX_REF, groupDatasets } from '../../../helpers/fluxReference.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('power-law integral and the HEGRA Crab integral agree with gammapy', () => {
  assert.ok(rel(crabIntegral(1, 100), FLUX_REF.crab_hegra_integral_cm2s) < 1e-13);
  assert.ok(rel(powerLawIntegral(1, 2.6, 1, 100), 0.6246056516597) < 1e-12);
  assert.ok(rel(powerLawIntegral(1, 1, 1, 100), 4.605170185988091) < 1e-12);
});

for (const name of Object.keys(FLUX_REF.groups)) {
  const g = FLUX_REF.groups[name];

  test(`${name}: per-run flux, error and Crab units within 1 % of gammapy (measured ≤ 0.11 %)`, () => {
    const ds = groupDatasets(name);
    g.runs.forEach((r: any, k: number) => {
      const f = fitFlux([ds[k]], g.index)!;
      assert.equal(f.index, g.index);
      assert.equal(f.e_min_tev, 1);
      assert.equal(f.e_max_tev, 100);
      assert.ok(rel(f.value_cm2s, r.fit.value_cm2s) < 0.002, `run ${r.obs_id} flux ${f.value_cm2s} vs ${r.fit.value_cm2s}`);
      assert.ok(rel(f.error_cm2s, r.fit.error_cm2s) < 0.002, `run ${r.obs_id} error ${f.error_cm2s} vs ${r.fit.error_cm2s}`);
      assert.ok(rel(f.crab_units, r.fit.crab_units) < 0.002);
      assert.ok(Math.abs(f.safe_emin_tev! - r.safe_emin_tev) < 1e-12);
    });
  });

  test(`${name}: joint flux over the runs within 1 % of gammapy (measured ≤ 0.05 %)`, () => {
    const f = fitFlux(groupDatasets(name), g.index)!;
    assert.ok(rel(f.value_cm2s, g.total.value_cm2s) < 0.001, `${f.value_cm2s} vs ${g.total.value_cm2s}`);
    assert.ok(rel(f.error_cm2s, g.total.error_cm2s) < 0.001);
    assert.ok(rel(f.crab_units, g.total.crab_units) < 0.001);
  });

  test(`${name}: same likelihood as gammapy; our amplitude is its minimum (Minuit stops within tolerance of it)`, () => {
    const ds = groupDatasets(name);
    const bins = fitBins(ds, g.index);
    const stat = (a: number) => bins.reduce((s, b) => s + wstat(b.nOn, b.nOff, b.alpha, a * b.perAmplitude), 0);
    const theirs = g.total.amplitude_cm2s_tev;
    // At gammapy's amplitude our WStat is gammapy's total_stat (float32 IRFs there, float64 here: ~1e-8).
    assert.ok(rel(stat(theirs), g.total.total_stat) < 1e-7, `${stat(theirs)} vs ${g.total.total_stat}`);
    const ours = fitFlux(ds, g.index)!;
    assert.ok(stat(ours.amplitude) <= stat(theirs) + 1e-9);
    assert.ok(stat(ours.amplitude) <= stat(ours.amplitude * (1 + 1e-6)) && stat(ours.amplitude) <= stat(ours.amplitude * (1 - 1e-6)));
    // The predicted signal counts per bin at gammapy's amplitude are gammapy's npred_signal.
    g.runs.forEach((r: any, k: number) => {
      const per = signalPerAmplitude(ds[k], g.index);
      g.total.npred[String(r.obs_id)].forEach((want: number, j: number) => {
        const got = theirs * per[j];
        assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(want, 1e-3), `run ${r.obs_id} npred bin ${j}: ${got} vs ${want}`);
      });
    });
  });
}
