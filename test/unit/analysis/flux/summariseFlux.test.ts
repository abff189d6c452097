import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseFlux } from '../../../../src/analysis/flux/summariseFlux.js';
import { fitFlux } from '../../../../src/analysis/flux/fitFlux.js';
import { fluxSentence, fluxSummaryLine } from '../../../../src/analysis/flux/fluxSentence.js';
import { FLUX_REF, groupDatasets } from '../../../helpers/fluxReference.js';

test('per run, per night (only when several nights) and joint; spectrum sums the safe bins', () => {
  const ds = groupDatasets('crab');
  const s = summariseFlux(ds, 2.6);
  assert.deepEqual([...s.perRun.keys()], [23523, 23526, 23559, 23592]);
  assert.equal(s.perRun.get(23523)!.value_cm2s, fitFlux([ds[0]], 2.6)!.value_cm2s);
  assert.equal(s.total!.value_cm2s, fitFlux(ds, 2.6)!.value_cm2s);
  assert.deepEqual(s.nights!.map((n) => [n.night, n.n_runs]), [['20041204', 2], ['20041206', 1], ['20041208', 1]]);
  assert.equal(s.nights![0].flux!.value_cm2s, fitFlux(ds.slice(0, 2), 2.6)!.value_cm2s);
  assert.ok(Date.parse(s.nights![0].stop) > Date.parse(s.nights![0].start));
  // Spectrum: excess summed over the runs' safe bins; the prediction at the joint amplitude sums to about the excess.
  const sp = s.spectrum!;
  let excess = 0;
  for (const d of ds) d.mask.forEach((m, j) => m && (excess += d.counts[j] - d.alpha * d.countsOff[j]));
  assert.ok(Math.abs(sp.excess.reduce((a, b) => a + b, 0) - excess) < 1e-9);
  const pred = sp.predicted.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(pred / excess - 1) < 0.05, `${pred} vs ${excess}`);
  assert.equal(sp.safe.filter(Boolean).length, 30 - ds.map((d) => d.mask.indexOf(true)).reduce((a, b) => Math.min(a, b)));
  // One night: no per-night list.
  assert.equal(summariseFlux(ds.slice(0, 2), 2.6).nights, undefined);
  assert.equal(FLUX_REF.groups.crab.index, 2.6);
});

test('summary sentence', () => {
  const f = { e_min_tev: 1, e_max_tev: 100, index: 2.6, value_cm2s: 2.72e-11, error_cm2s: 1.1e-12, crab_units: 1.5575, crab_units_error: 0.0638, safe_emin_tev: 0.5 };
  assert.equal(fluxSentence(f), '1.56 ± 0.06 Crab units above 1 TeV (Γ = 2.6 assumed)');
  assert.equal(fluxSummaryLine({ flux: f }), 'Flux: 1.56 ± 0.06 Crab units above 1 TeV (Γ = 2.6 assumed)');
  assert.equal(fluxSummaryLine({}), null);
  assert.match(fluxSummaryLine({ flux: null })!, /none/);
});
