import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringBackground, type RingParams } from '../../../src/analysis/ringBackground.js';
import { liMaSignificance } from '../../../src/analysis/lima.js';

/** Straightforward per-pixel reference: loop over every pixel of the map. */
function bruteForce(counts: Float64Array, p: RingParams) {
  const { nx, ny } = p;
  const ron = p.correlationRadiusDeg / p.binszDeg, ri = p.innerDeg / p.binszDeg, ro = p.outerDeg / p.binszDeg, re = p.exclusionRadiusDeg / p.binszDeg;
  const cx = (nx - 1) / 2, cy = (ny - 1) / 2;
  const out = { excess: new Float64Array(nx * ny), significance: new Float64Array(nx * ny) };
  for (let iy = 0; iy < ny; iy++)
    for (let ix = 0; ix < nx; ix++) {
      let non = 0, aon = 0, noff = 0, aoff = 0;
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const d2 = (x - ix) ** 2 + (y - iy) ** 2;
          if (d2 <= ron * ron) [non, aon] = [non + counts[y * nx + x], aon + 1];
          if (d2 >= ri * ri && d2 <= ro * ro && Math.hypot(x - cx, y - cy) > re) [noff, aoff] = [noff + counts[y * nx + x], aoff + 1];
        }
      if (aoff === 0) continue;
      const a = aon / aoff;
      out.excess[iy * nx + ix] = non - a * noff;
      out.significance[iy * nx + ix] = liMaSignificance(non, noff, a);
    }
  return out;
}

test('ring background equals a brute-force per-pixel computation', () => {
  const nx = 40, ny = 36;
  const counts = new Float64Array(nx * ny);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < counts.length; i++) counts[i] = Math.floor(rnd() * 5);
  counts[18 * nx + 20] += 80; // a source near the centre
  const p: RingParams = { nx, ny, binszDeg: 0.05, correlationRadiusDeg: 0.12, innerDeg: 0.4, outerDeg: 0.65, exclusionRadiusDeg: 0.25 };
  const fast = ringBackground(counts, p);
  const ref = bruteForce(counts, p);
  for (let i = 0; i < counts.length; i++) {
    assert.ok(Math.abs(fast.excess[i] - ref.excess[i]) < 1e-9, `excess ${i}`);
    assert.ok(Math.abs(fast.significance[i] - ref.significance[i]) < 1e-9, `sig ${i}`);
  }
  // The source is found: its correlation disc (radius 2.4 px) holds the peak.
  const peak = fast.significance.indexOf(Math.max(...fast.significance));
  assert.ok(Math.hypot((peak % nx) - 20, Math.floor(peak / nx) - 18) <= 2.4, `peak ${peak}`);
  assert.ok(fast.significance[18 * nx + 20] > 5);
});

test('flat counts give zero excess where the ring is complete', () => {
  const nx = 60, ny = 60;
  const counts = new Float64Array(nx * ny).fill(3);
  const r = ringBackground(counts, { nx, ny, binszDeg: 0.02, correlationRadiusDeg: 0.1, innerDeg: 0.2, outerDeg: 0.3, exclusionRadiusDeg: 0.1 });
  for (let iy = 20; iy < 40; iy++) for (let ix = 20; ix < 40; ix++) assert.ok(Math.abs(r.excess[iy * nx + ix]) < 1e-9);
});
