import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { makeSampleResult } from '../../helpers/sampleResult.js';
import { renderLightcurve, weightedMean } from '../../../src/plots/renderLightcurve.js';
import { PlotError } from '../../../src/plots/PlotError.js';
import type { AnalysisResult, FluxResult } from '../../../src/analysis/types.js';

const flux = (cu: number, err: number): FluxResult => ({ e_min_tev: 1, e_max_tev: 100, index: 2.6, value_cm2s: cu * 1.746e-11, error_cm2s: err * 1.746e-11, crab_units: cu, crab_units_error: err, safe_emin_tev: 0.5 });

function withFlux(): AnalysisResult {
  const r = makeSampleResult();
  r.runs.forEach((x, i) => (x.flux = flux(1.4 + 0.1 * i, 0.1)));
  r.total.flux = flux(1.5, 0.05);
  return r;
}

/** Count pixels of a colour (±tolerance) in the PNG. */
async function countColour(png: Buffer, rgb: [number, number, number], tol = 40): Promise<number> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - rgb[0]) < tol && Math.abs(d[i + 1] - rgb[1]) < tol && Math.abs(d[i + 2] - rgb[2]) < tol) n++;
  return n;
}

test('weighted mean: 1/σ² weights; points without an error are left out', () => {
  assert.equal(weightedMean([{ y: 1, err: 1 }, { y: 3, err: 1 }]), 2);
  assert.ok(Math.abs(weightedMean([{ y: 1, err: 1 }, { y: 4, err: 2 }]) - (1 + 4 / 4) / (1 + 1 / 4)) < 1e-12);
  assert.ok(Number.isNaN(weightedMean([{ y: 1, err: 0 }])));
});

test('runs in blue with bars, the mean dashed in red, earlier nights in grey only when the store gave some', async () => {
  const r = withFlux();
  const png = renderLightcurve(r);
  assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]);
  assert.ok((await countColour(png, [0x1f, 0x4e, 0x96])) > 200, 'run points');
  assert.ok((await countColour(png, [0xc0, 0x39, 0x2b])) > 200, 'mean line');
  const greyBefore = await countColour(png, [0x88, 0x88, 0x88], 6);
  r.flux_history = [{ night: '20231110', crab_units: 1.2, crab_units_error: 0.2 }, { night: '20231112', crab_units: 1.9, crab_units_error: 0.3 }];
  const png2 = renderLightcurve(r);
  assert.ok((await countColour(png2, [0x88, 0x88, 0x88], 6)) > greyBefore + 200, 'history points');
});

test('no run with a flux: an explanatory message instead of points; a bad start time is a PlotError', () => {
  const r = makeSampleResult();
  r.total.flux = null;
  assert.ok(renderLightcurve(r).length > 1000);
  const bad = withFlux();
  bad.runs[0].start = 'yesterday';
  assert.throws(() => renderLightcurve(bad), PlotError);
});
