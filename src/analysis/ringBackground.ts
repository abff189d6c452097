/**
 * Ring-background excess and significance maps (flat acceptance). For every pixel: N_on = counts within the
 * correlation radius, N_off = counts in the ring [inner, outer] not excluded around the source, α = (#ON pixels) /
 * (#usable ring pixels). Pixel offsets are taken in the tangent plane (fine for maps of a few degrees).
 * Assumptions and their limits are documented in docs/analysis.md.
 */
import { liMaSignificance } from './lima.js';

export interface RingParams {
  nx: number;
  ny: number;
  binszDeg: number;
  correlationRadiusDeg: number;
  innerDeg: number;
  outerDeg: number;
  exclusionRadiusDeg: number;
}

/**
 * A disc or annulus of pixel offsets as row spans: for each dy, the dx intervals with rMin² ≤ dx² + dy² ≤ rMax².
 * Sums over a span come from row prefix sums, so a pixel costs O(rows) instead of O(area).
 */
function spans(rMinPix: number, rMaxPix: number): Int32Array {
  const out: number[] = [];
  const R = Math.floor(rMaxPix);
  const max2 = rMaxPix * rMaxPix, min2 = rMinPix > 0 ? rMinPix * rMinPix : -1;
  for (let dy = -R; dy <= R; dy++) {
    if (dy * dy > max2) continue;
    let wo = 0;
    while ((wo + 1) * (wo + 1) + dy * dy <= max2) wo++;
    if (dy * dy >= min2) {
      out.push(dy, -wo, wo);
      continue;
    }
    let wi = 0;
    while (wi * wi + dy * dy < min2) wi++;
    if (wi <= wo) out.push(dy, -wo, -wi, dy, wi, wo);
  }
  return Int32Array.from(out);
}

/** Row prefix sums of two maps, interleaved: p[2·(y·(nx+1) + x) + m] = Σ v_m[y, 0..x-1]. */
function rowPrefix2(v0: ArrayLike<number>, v1: ArrayLike<number>, nx: number, ny: number): Float64Array {
  const p = new Float64Array(2 * ny * (nx + 1));
  for (let y = 0; y < ny; y++) {
    let s0 = 0, s1 = 0;
    const o = 2 * y * (nx + 1);
    for (let x = 0; x < nx; x++) {
      s0 += v0[y * nx + x];
      s1 += v1[y * nx + x];
      p[o + 2 * x + 2] = s0;
      p[o + 2 * x + 3] = s1;
    }
  }
  return p;
}

/** Sums of both interleaved maps over the spans centred on (ix, iy), clipped to the map; written to out[0..1]. */
function spanSum2(p: Float64Array, nx: number, ny: number, ix: number, iy: number, sp: Int32Array, out: Float64Array): void {
  let s0 = 0, s1 = 0;
  const w = 2 * (nx + 1);
  for (let k = 0; k < sp.length; k += 3) {
    const y = iy + sp[k];
    if (y < 0 || y >= ny) continue;
    let a = ix + sp[k + 1], b = ix + sp[k + 2];
    if (a < 0) a = 0;
    if (b > nx - 1) b = nx - 1;
    if (a > b) continue;
    const o = y * w;
    s0 += p[o + 2 * b + 2] - p[o + 2 * a];
    s1 += p[o + 2 * b + 3] - p[o + 2 * a + 1];
  }
  out[0] = s0;
  out[1] = s1;
}

export function ringBackground(counts: ArrayLike<number>, p: RingParams): { excess: Float64Array; significance: Float64Array; alpha: Float64Array } {
  const { nx, ny, binszDeg } = p;
  const n = nx * ny;
  const onSpans = spans(0, p.correlationRadiusDeg / binszDeg);
  const ringSpans = spans(p.innerDeg / binszDeg, p.outerDeg / binszDeg);
  // Exclusion mask: pixel centres within exclusionRadiusDeg of the map centre (the source).
  const cx = (nx - 1) / 2, cy = (ny - 1) / 2;
  const exclR = p.exclusionRadiusDeg / binszDeg;
  const usable = new Float64Array(n), usableCounts = new Float64Array(n), ones = new Float64Array(n).fill(1);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const i = iy * nx + ix;
      usable[i] = Math.hypot(ix - cx, iy - cy) > exclR ? 1 : 0;
      usableCounts[i] = usable[i] * counts[i];
    }
  }
  const pOn = rowPrefix2(counts, ones, nx, ny), pOff = rowPrefix2(usableCounts, usable, nx, ny);
  const on = new Float64Array(2), offS = new Float64Array(2);

  const excess = new Float64Array(n), significance = new Float64Array(n), alpha = new Float64Array(n);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const i = iy * nx + ix;
      spanSum2(pOff, nx, ny, ix, iy, ringSpans, offS);
      const nOff = offS[0], aOff = offS[1];
      if (aOff === 0) continue; // no usable background (ring excluded or off the map): reported as 0
      spanSum2(pOn, nx, ny, ix, iy, onSpans, on);
      const nOn = on[0], aOn = on[1];
      const a = aOn / aOff;
      alpha[i] = a;
      excess[i] = nOn - a * nOff;
      significance[i] = liMaSignificance(nOn, nOff, a);
    }
  }
  return { excess, significance, alpha };
}
