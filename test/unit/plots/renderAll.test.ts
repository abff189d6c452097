import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { makeSampleResult } from '../../helpers/sampleResult.js';
import {
  renderAll,
  renderRunsTable,
  renderSignificanceVsTime,
  renderSkymap,
  renderTheta2,
  PlotError,
  PlotsIncompleteError,
  PLOT_FILES,
} from '../../../src/plots/renderAll.js';
import { runsTableHeight } from '../../../src/plots/renderRunsTable.js';
import { MARKER_RGB, skymapLayout } from '../../../src/plots/renderSkymap.js';
import type { AnalysisResult } from '../../../src/analysis/types.js';

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk (always the first chunk). */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(PNG_SIG), 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Decode a PNG to RGBA pixels. */
async function pixels(png: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

function rgbaAt(p: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const o = (Math.round(y) * p.width + Math.round(x)) * 4;
  return [p.data[o], p.data[o + 1], p.data[o + 2], p.data[o + 3]];
}

async function assertWhiteCorners(png: Buffer): Promise<void> {
  const p = await pixels(png);
  for (const [x, y] of [
    [0, 0],
    [p.width - 1, 0],
    [0, p.height - 1],
    [p.width - 1, p.height - 1],
  ]) {
    assert.deepEqual(rgbaAt(p, x, y), [255, 255, 255, 255], `corner ${x},${y} is opaque white`);
  }
}

/** Centroid of the pixels with the marker's red colour. */
function markerCentroid(p: { width: number; height: number; data: Uint8ClampedArray }, box: { left: number; top: number; width: number; height: number }) {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = Math.floor(box.top); y < box.top + box.height; y++) {
    for (let x = Math.floor(box.left); x < box.left + box.width; x++) {
      const [r, g, b] = rgbaAt(p, x, y);
      if (Math.abs(r - MARKER_RGB[0]) < 30 && g < 70 && b < 70) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  assert.ok(n > 20, `marker pixels found (${n})`);
  return { x: sx / n + 0.5, y: sy / n + 0.5 };
}

test('each renderer returns a PNG of the intended size with a white background', async () => {
  const r = makeSampleResult();
  for (const render of [renderTheta2, renderSkymap, renderSignificanceVsTime]) {
    const png = render(r);
    assert.deepEqual(pngSize(png), { width: 1200, height: 800 }, render.name);
    await assertWhiteCorners(png);
  }
  const table = renderRunsTable(r);
  assert.deepEqual(pngSize(table), { width: 1200, height: runsTableHeight(4) });
  await assertWhiteCorners(table);
  // The table grows with its rows.
  assert.ok(pngSize(renderRunsTable(makeSampleResult({ runs: 10 }))).height > pngSize(table).height);
});

test('skymap: the source marker sits at the projected source position (north up, east left)', async () => {
  const area = skymapLayout(100, 100);
  const pxPerDeg = area.width / (100 * 0.02);
  const cx = area.left + area.width / 2;
  const cy = area.top + area.height / 2;
  // Source 0.3° north of the map centre: TAN gives eta = tan(0.3°).
  const eta = (Math.tan((0.3 * Math.PI) / 180) * 180) / Math.PI;
  const north = markerCentroid(await pixels(renderSkymap(makeSampleResult({ sourceDecOffsetDeg: 0.3 }))), area);
  assert.ok(Math.abs(north.x - cx) < 1.5, `x ${north.x} vs ${cx}`);
  assert.ok(Math.abs(north.y - (cy - eta * pxPerDeg)) < 1.5, `y ${north.y} vs ${cy - eta * pxPerDeg}`);
  // 0.4° east (larger RA) appears left of centre.
  const east = markerCentroid(await pixels(renderSkymap(makeSampleResult({ sourceRaOffsetDeg: 0.4 }))), area);
  assert.ok(Math.abs(east.x - (cx - 0.4 * pxPerDeg)) < 1.5, `x ${east.x} vs ${cx - 0.4 * pxPerDeg}`);
  assert.ok(Math.abs(east.y - cy) < 1.5, `y ${east.y} vs ${cy}`);
});

test('skymap: pixel (ix, iy) is painted east-left / north-up, NaN pixels grey', async () => {
  const r = makeSampleResult();
  const n = 100 * 100;
  const sig = new Float64Array(n);
  // One hot pixel in the north-east (top-left) quadrant, one NaN in the south-west (bottom-right).
  sig[80 * 100 + 10] = 10;
  sig[5 * 100 + 90] = NaN;
  r.skymap = { ...r.skymap, significance: sig };
  r.source = { ...r.source, ra: 80, dec: 10 }; // marker off the map so it cannot hide pixels
  const p = await pixels(renderSkymap(r));
  const area = skymapLayout(100, 100);
  const k = area.width / 100;
  const hot = rgbaAt(p, area.left + 10.5 * k, area.top + (100 - 80 - 0.5) * k);
  assert.ok(hot[0] > 240 && hot[1] > 220 && hot[2] < 60, `hot pixel is viridis yellow: ${hot}`);
  const grey = rgbaAt(p, area.left + 90.5 * k, area.top + (100 - 5 - 0.5) * k);
  assert.deepEqual(grey.slice(0, 3), [0xb0, 0xb0, 0xb0]);
  const cold = rgbaAt(p, area.left + 50.5 * k + 0.3, area.top + 30.5 * k); // a zero pixel, off the grid lines
  assert.ok(cold[2] > cold[1] && cold[0] < 90, `zero pixel is dark viridis: ${cold}`);
});

function emptyResult(): AnalysisResult {
  const r = makeSampleResult({ runs: 0 });
  r.theta2 = { edges_deg2: [], on: [], off: [], alpha: 1 };
  r.skymap = { ...r.skymap, nx: 0, ny: 0, counts: [], excess: [], significance: [], sum: 0, max: 0 };
  r.total = { n_runs: 0, livetime_s: 0, n_events: 0, n_on: 0, n_off: 0, alpha: 1 / 3, excess: 0, significance: NaN, excess_rate_per_min: 0 };
  return r;
}

test('degenerate inputs still render: zero runs, single run, all-zero map, NaN significance', async () => {
  const single = makeSampleResult({ runs: 1, gammaRatePerMin: 0 });
  single.skymap = { ...single.skymap, counts: new Float64Array(10000), excess: new Float64Array(10000), significance: new Float64Array(10000) };
  single.cumulative[0].significance = NaN;
  single.total.significance = NaN;
  single.runs[0].significance = NaN;
  single.runs[0].zenith_deg = null;
  for (const r of [emptyResult(), single]) {
    for (const render of [renderTheta2, renderSkymap, renderSignificanceVsTime, renderRunsTable]) {
      const png = render(r);
      assert.equal(pngSize(png).width, 1200);
      await assertWhiteCorners(png);
    }
  }
});

test('inconsistent inputs are rejected with a PlotError', () => {
  const r = makeSampleResult();
  assert.throws(() => renderSkymap({ ...r, skymap: { ...r.skymap, significance: [1, 2, 3] } }), (e) => e instanceof PlotError && /significance has 3 pixels/.test(e.message));
  assert.throws(() => renderSkymap({ ...r, skymap: { ...r.skymap, nx: 2.5 } }), PlotError);
  assert.throws(() => renderTheta2({ ...r, theta2: { ...r.theta2, off: r.theta2.off.slice(1) } }), PlotError);
  assert.throws(() => renderTheta2({ ...r, theta2: { ...r.theta2, edges_deg2: r.theta2.edges_deg2.map(() => 0.1) } }), /not increasing/);
  const back = r.cumulative.map((c) => ({ ...c }));
  back[2].livetime_s = 1;
  assert.throws(() => renderSignificanceVsTime({ ...r, cumulative: back }), /not increasing/);
});

test('renderAll writes the four PNGs and returns their paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'astran-plots-'));
  try {
    const out = join(dir, 'job', 'plots');
    const paths = await renderAll(makeSampleResult(), out);
    assert.deepEqual(paths, Object.values(PLOT_FILES).map((f) => join(out, f)));
    for (const p of paths) pngSize(await readFile(p));
    assert.deepEqual((await readdir(out)).sort(), Object.values(PLOT_FILES).sort(), 'no temporary files left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('renderAll writes what it can and reports the failures without paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'astran-plots-'));
  try {
    const r = makeSampleResult();
    r.skymap = { ...r.skymap, counts: [] };
    await assert.rejects(renderAll(r, dir), (e) => {
      assert.ok(e instanceof PlotsIncompleteError);
      assert.equal(e.written.length, 3);
      assert.deepEqual(e.failures.map((f) => f.file), ['skymap.png']);
      assert.ok(!e.message.includes(dir), 'message has no path');
      return true;
    });
    assert.deepEqual((await readdir(dir)).sort(), ['runs.png', 'significance_vs_time.png', 'theta2.png']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
