import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSampleResult } from '../../helpers/sampleResult.js';
import { renderSpectrum } from '../../../src/plots/renderSpectrum.js';
import { PlotError } from '../../../src/plots/PlotError.js';
import { RECO_EDGES_TEV } from '../../../src/analysis/flux/energyAxes.js';

function withSpectrum() {
  const r = makeSampleResult();
  const n = 30;
  const e = Array.from(RECO_EDGES_TEV);
  const predicted = e.slice(0, n).map((x) => 100 * Math.pow(x, -1.6));
  r.spectrum = { e_edges_tev: e, excess: predicted.map((p, j) => (j % 7 === 3 ? -1 : p * 1.1)), excess_error: predicted.map((p) => Math.sqrt(p + 5)), predicted, safe: e.slice(0, n).map((x) => x >= 0.5), index: 2.6 };
  r.total.flux = { e_min_tev: 1, e_max_tev: 100, index: 2.6, value_cm2s: 2.7e-11, error_cm2s: 1e-12, crab_units: 1.56, crab_units_error: 0.06, safe_emin_tev: 0.5 };
  return r;
}

test('renders a PNG of the excess against the model', () => {
  const png = renderSpectrum(withSpectrum());
  assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]);
  assert.ok(png.length > 10_000);
});

test('no safe bins: a message; inconsistent tables: PlotError', () => {
  const r = withSpectrum();
  r.spectrum!.safe = r.spectrum!.safe.map(() => false);
  assert.ok(renderSpectrum(r).length > 1000);
  const bad = withSpectrum();
  bad.spectrum!.predicted.pop();
  assert.throws(() => renderSpectrum(bad), PlotError);
  const none = makeSampleResult();
  assert.ok(renderSpectrum(none).length > 1000);
});
