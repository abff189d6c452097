/**
 * Safe low-energy threshold as gammapy 1.0 `SafeMaskMaker(methods=["aeff-max"], aeff_percent)`: the first energy at
 * which the effective area (exposure / livetime at the region centre, containment included) reaches `percent` % of
 * its maximum, found on the log–log interpolation of the values at the true-energy bin centres (gammapy's
 * TemplateSpectralModel.inverse: a 101-point log scan between the first positive centre and the last centre, then
 * a bracketed root). When there is no crossing, the first centre with a positive area. Null when the area is all 0.
 */
const TINY = 1.1754943508222875e-38; // numpy.finfo(float32).tiny, gammapy's log-scale floor

export function safeThresholdTeV(centers: ArrayLike<number>, aeff: ArrayLike<number>, percent = 10): number | null {
  const n = centers.length;
  let max = 0, first = -1;
  for (let i = 0; i < n; i++) {
    if (aeff[i] > max) max = aeff[i];
    if (first < 0 && aeff[i] > 0) first = i;
  }
  if (!(max > 0)) return null;
  const lx = Array.from(centers, (c) => Math.log(c));
  const ly = Array.from(aeff, (v) => Math.log(Math.max(v, TINY)));
  const model = (e: number): number => {
    const x = Math.log(e);
    let i = 0;
    while (i < n - 2 && lx[i + 1] <= x) i++;
    const t = (x - lx[i]) / (lx[i + 1] - lx[i]);
    const v = Math.exp(ly[i] + t * (ly[i + 1] - ly[i]));
    return v - TINY <= TINY ? 0 : v;
  };
  const thr = (percent / 100) * max;
  const f = (e: number) => model(e) - thr;
  const eMin = centers[first], eMax = centers[n - 1];
  const a = Math.log(eMin), b = Math.log(eMax);
  const NBIN = 100;
  let prevX = eMin, prevS = Math.sign(f(eMin));
  for (let k = 1; k <= NBIN; k++) {
    const x = Math.exp(a + ((b - a) * k) / NBIN);
    const s = Math.sign(f(x));
    if (s !== prevS) return bisect(f, prevX, x);
    prevX = x;
    prevS = s;
  }
  return eMin;
}

function bisect(f: (x: number) => number, lo: number, hi: number): number {
  let flo = f(lo);
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}

/** gammapy `Geom.energy_mask(energy_min)`: a reco bin is safe when its lower edge is ≥ the threshold. */
export function safeMask(recoEdges: ArrayLike<number>, thresholdTeV: number | null): boolean[] {
  const n = recoEdges.length - 1;
  return Array.from({ length: n }, (_, j) => thresholdTeV !== null && recoEdges[j] >= thresholdTeV);
}
