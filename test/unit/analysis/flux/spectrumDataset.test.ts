import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECO_EDGES_TEV, TRUE_EDGES_TEV } from '../../../../src/analysis/flux/energyAxes.js';
import { FLUX_REF, groupDatasets } from '../../../helpers/fluxReference.js';

const GROUPS = Object.keys(FLUX_REF.groups);

test('the reference covers the Crab and PKS 2155-304 runs and the point-like files', () => {
  assert.deepEqual(GROUPS, ['crab', 'pks2155', 'crab_pointlike']);
  assert.equal(FLUX_REF.gammapy_version, '1.0');
});

test('energy axes are gammapy MapAxis.from_energy_bounds edges', () => {
  RECO_EDGES_TEV.forEach((e, i) => assert.ok(Math.abs(e - FLUX_REF.energy_edges_tev[i]) <= 1e-14 * e));
  TRUE_EDGES_TEV.forEach((e, i) => assert.ok(Math.abs(e - FLUX_REF.energy_true_edges_tev[i]) <= 1e-14 * e));
});

for (const name of GROUPS) {
  test(`${name}: ON/OFF counts in every reco-energy bin identical to gammapy; α identical`, () => {
    const ds = groupDatasets(name);
    FLUX_REF.groups[name].runs.forEach((r: any, k: number) => {
      assert.equal(ds[k].obsId, r.obs_id);
      assert.deepEqual(Array.from(ds[k].counts), r.counts, `run ${r.obs_id} ON`);
      assert.deepEqual(Array.from(ds[k].countsOff), r.counts_off, `run ${r.obs_id} OFF`);
      assert.equal(ds[k].alpha, r.alpha);
      const safeOn = ds[k].mask.reduce((s, m, j) => s + (m ? ds[k].counts[j] : 0), 0);
      const safeOff = ds[k].mask.reduce((s, m, j) => s + (m ? ds[k].countsOff[j] : 0), 0);
      assert.equal(safeOn, r.n_on_safe);
      assert.equal(safeOff, r.n_off_safe);
    });
  });

  test(`${name}: safe thresholds and safe masks identical to gammapy`, () => {
    const ds = groupDatasets(name);
    FLUX_REF.groups[name].runs.forEach((r: any, k: number) => {
      assert.deepEqual(ds[k].mask, r.mask_safe, `run ${r.obs_id}`);
      assert.ok(Math.abs(ds[k].safeThresholdTeV! - r.safe_threshold_tev) <= 1e-9 * r.safe_threshold_tev, `run ${r.obs_id}: ${ds[k].safeThresholdTeV} vs ${r.safe_threshold_tev}`);
      assert.ok(Math.abs(ds[k].safeEminTeV! - r.safe_emin_tev) <= 1e-14 * r.safe_emin_tev);
    });
  });

  test(`${name}: exposure (with PSF containment) and energy-dispersion kernel agree with gammapy`, () => {
    const ds = groupDatasets(name);
    FLUX_REF.groups[name].runs.forEach((r: any, k: number) => {
      r.exposure_m2s.forEach((e: number, i: number) => assert.ok(Math.abs(ds[k].exposure[i] - e) <= 1e-6 * Math.max(e, 1e-3 * Math.max(...r.exposure_m2s)), `run ${r.obs_id} exposure bin ${i}: ${ds[k].exposure[i]} vs ${e}`));
      r.edisp_kernel.forEach((row: number[], i: number) => row.forEach((v, j) => assert.ok(Math.abs(ds[k].kernel[i * row.length + j] - v) <= 1e-9, `run ${r.obs_id} kernel [${i}][${j}]`)));
    });
  });
}
