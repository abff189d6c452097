/**
 * The hot loop of the analysis: one pass over an event list filling ON/OFF counts, the θ² histograms and the
 * counts map. Event directions become unit vectors once; region membership is a dot product compared with
 * cos(radius); θ² bins are found from the chord between unit vectors (no inverse trig), only for events close
 * enough to enter the histogram; events far from the regions and the map skip those tests.
 */
import { separationDeg, unitVector } from './geometry.js';

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;
const R2D2 = R2D * R2D;

export interface KernelEvents {
  ra: ArrayLike<number>;
  dec: ArrayLike<number>;
  energy?: ArrayLike<number>;
}

export interface KernelConfig {
  source: { ra: number; dec: number };
  /** Pointing of the run: every region centre is at (about) the same distance from it. */
  pointing: { ra: number; dec: number };
  offCenters: { ra: number; dec: number }[];
  /** θ² histogram OFF position (mirror, n = 1). */
  mirror: { ra: number; dec: number };
  /** Global ON/OFF radius (deg), used unless radiusForEnergy is given. */
  radiusDeg: number;
  /** Energy-dependent radius (deg) for an event energy in TeV (RAD_MAX); needs energies. */
  radiusForEnergy?: (energyTeV: number) => number;
  /** Largest radius radiusForEnergy can return (deg), for the quick rejection of far events. */
  maxRadiusDeg?: number;
  emin?: number;
  emax?: number;
  /** θ² bin edges (deg², ascending, uniform): gammapy/np.histogram semantics (last bin closed). */
  theta2Edges: Float64Array;
  map: { nx: number; ny: number; binszDeg: number };
}

export interface KernelAccumulator {
  /** Events passing the energy cut. */
  nEvents: number;
  nOn: number;
  nOff: number;
  theta2On: Float64Array;
  theta2Off: Float64Array;
  /** Row-major counts, index iy*nx+ix, ix growing towards decreasing RA. */
  counts: Float64Array;
}

export function newAccumulator(cfg: KernelConfig): KernelAccumulator {
  const nb = cfg.theta2Edges.length - 1;
  return { nEvents: 0, nOn: 0, nOff: 0, theta2On: new Float64Array(nb), theta2Off: new Float64Array(nb), counts: new Float64Array(cfg.map.nx * cfg.map.ny) };
}

/** np.histogram bin of x for uniform edges, with numpy's edge correction; -1 when outside. */
export function histBin(x: number, edges: Float64Array, norm: number): number {
  const nb = edges.length - 1;
  const lo = edges[0];
  if (!(x >= lo) || x > edges[nb]) return -1;
  let i = Math.floor((x - lo) * norm);
  if (i >= nb) i = nb - 1;
  if (x < edges[i]) i--;
  else if (i !== nb - 1 && x >= edges[i + 1]) i++;
  return i;
}

/** Tangent-plane basis at a sky position: centre c, east e (increasing RA), north n. */
function tangentBasis(ra: number, dec: number): { c: number[]; e: number[]; n: number[] } {
  const l = ra * D2R, b = dec * D2R;
  return {
    c: unitVector(ra, dec),
    e: [-Math.sin(l), Math.cos(l), 0],
    n: [-Math.sin(b) * Math.cos(l), -Math.sin(b) * Math.sin(l), Math.cos(b)],
  };
}

/** Chord² between unit vectors for each θ² edge (deg²): θ = 2·asin(chord/2), so the bins can be found without asin. */
function chord2Edges(edges: Float64Array): Float64Array {
  return edges.map((t2) => {
    const h = Math.sin((Math.sqrt(t2) * D2R) / 2);
    return 4 * h * h;
  });
}

/** θ² bin from chord²: first guess from θ² ≈ ch²(1 + ch²/12), then exact comparisons with the chord² edges. */
function chordBin(ch2: number, thr: Float64Array, norm: number, lo: number): number {
  const nb = thr.length - 1;
  if (ch2 > thr[nb] || ch2 < thr[0]) return -1;
  let j = Math.floor((ch2 * R2D2 * (1 + ch2 * (1 / 12)) - lo) * norm);
  if (j < 0) j = 0;
  else if (j > nb - 1) j = nb - 1;
  while (j > 0 && ch2 < thr[j]) j--;
  while (j < nb - 1 && ch2 >= thr[j + 1]) j++;
  return j;
}

/**
 * sin(x) for |x| ≤ π/2 by its Taylor series to x¹⁵ (Horner form): error below 7e-12 rad (4e-10°), four orders of
 * magnitude under the 1e-4° edge tolerance of the gammapy comparison, and ~1.3× faster than Math.sin here.
 */
export function sinSmall(x: number): number {
  const x2 = x * x;
  return (
    x *
    (1 +
      x2 *
        (-1 / 6 +
          x2 * (1 / 120 + x2 * (-1 / 5040 + x2 * (1 / 362880 + x2 * (-1 / 39916800 + x2 * (1 / 6227020800 + x2 * (-1 / 1307674368000))))))))
  );
}

/** cos(x) for |x| ≤ π/2 from its sine: one sine per angle instead of sin and cos. */
function cosFromSin(s: number): number {
  return Math.sqrt((1 - s) * (1 + s));
}

export function runKernel(ev: KernelEvents, cfg: KernelConfig, acc: KernelAccumulator): void {
  const n = ev.ra.length;
  const { ra, dec, energy } = ev;
  const useE = cfg.emin !== undefined || cfg.emax !== undefined;
  if ((useE || cfg.radiusForEnergy) && !energy) throw new Error('energy column needed for the energy cut / RAD_MAX');
  const emin = cfg.emin ?? -Infinity, emax = cfg.emax ?? Infinity;

  // Work in a frame rotated in RA so that the pointing is at RA 0: event RA offsets stay small, which lets the
  // cosine come from the sine (one Math.sin per coordinate). Dot products are unchanged by the rotation.
  const ra0 = cfg.pointing.ra;
  const rot = (p: { ra: number; dec: number }) => ({ ra: p.ra - ra0, dec: p.dec });
  const src = tangentBasis(cfg.source.ra - ra0, cfg.source.dec);
  const [sx, sy, sz] = src.c;
  const [ex, ey, ez] = src.e;
  const [nx_, ny_, nz_] = src.n;
  const mr = rot(cfg.mirror);
  const [mx, my, mz] = unitVector(mr.ra, mr.dec);
  const [px_, , pz_] = unitVector(0, cfg.pointing.dec);
  const nOffC = cfg.offCenters.length;
  const off = new Float64Array(nOffC * 3);
  cfg.offCenters.forEach((c, k) => {
    const r = rot(c);
    off.set(unitVector(r.ra, r.dec), 3 * k);
  });

  // Every region centre lies in an annulus around the pointing; events outside annulus ± radius skip the region tests.
  const rMaxDeg = cfg.radiusForEnergy ? (cfg.maxRadiusDeg ?? 180) : cfg.radiusDeg;
  let wMin = Infinity, wMax = 0;
  for (const c of [cfg.source, ...cfg.offCenters]) {
    const w = separationDeg(cfg.pointing.ra, cfg.pointing.dec, c.ra, c.dec);
    wMin = Math.min(wMin, w);
    wMax = Math.max(wMax, w);
  }
  const margin = 1e-9;
  const cosAnnIn = Math.cos(Math.max(0, wMin - rMaxDeg - margin) * D2R);
  const cosAnnOut = Math.cos(Math.min(180, wMax + rMaxDeg + margin) * D2R);

  const edges = cfg.theta2Edges;
  const nb = edges.length - 1;
  const thr = chord2Edges(edges);
  const t2max = edges[nb];
  // Events with cos(θ) below this cannot enter the θ² histogram (small margin for rounding).
  const cosHist = Math.cos(Math.min(Math.PI, Math.sqrt(t2max) * D2R * (1 + 1e-9) + 1e-12));
  const norm = nb / (t2max - edges[0]);
  const globalCos = Math.cos(cfg.radiusDeg * D2R);
  const rfe = cfg.radiusForEnergy;

  const { nx, ny, binszDeg } = cfg.map;
  const pixPerRad = R2D / binszDeg;
  // Pixel centres at (i - (nx-1)/2)·binsz from the source, as in gammapy's WcsGeom (CRPIX at the map centre).
  const x0 = nx / 2, y0 = ny / 2;
  // A pixel's angular distance from the centre is below its tangent-plane distance: reject beyond the half diagonal.
  const cosMap = Math.cos(Math.min(Math.PI / 2, Math.hypot(nx, ny) * 0.5 * binszDeg * D2R * 1.01 + 1e-9));

  let nEv = 0, nOn = 0, nOff = 0;
  const hOn = acc.theta2On, hOff = acc.theta2Off, counts = acc.counts;
  for (let i = 0; i < n; i++) {
    let cosR = globalCos;
    if (useE || rfe) {
      const e = energy![i];
      if (!(e >= emin && e < emax)) continue;
      if (rfe) cosR = Math.cos(rfe(e) * D2R);
    }
    nEv++;
    let dl = ra[i] - ra0;
    if (dl > 180) dl -= 360;
    else if (dl < -180) dl += 360;
    const l = dl * D2R, b = dec[i] * D2R;
    const small = dl > -90 && dl < 90;
    const sl = small ? sinSmall(l) : Math.sin(l);
    const cl = small ? cosFromSin(sl) : Math.cos(l);
    const sb = sinSmall(b);
    const cb = cosFromSin(sb);
    const vx = cb * cl, vy = cb * sl, vz = sb;

    const ds = vx * sx + vy * sy + vz * sz;
    const dp = vx * px_ + vz * pz_;
    if (dp <= cosAnnIn && dp >= cosAnnOut) {
      if (ds > cosR) nOn++;
      for (let k = 0; k < nOffC; k++) {
        if (vx * off[3 * k] + vy * off[3 * k + 1] + vz * off[3 * k + 2] > cosR) nOff++;
      }
    }
    if (ds >= cosHist) {
      const dx = vx - sx, dy = vy - sy, dz = vz - sz;
      const j = chordBin(dx * dx + dy * dy + dz * dz, thr, norm, edges[0]);
      if (j >= 0) hOn[j]++;
    }
    if (vx * mx + vy * my + vz * mz >= cosHist) {
      const dx = vx - mx, dy = vy - my, dz = vz - mz;
      const j = chordBin(dx * dx + dy * dy + dz * dz, thr, norm, edges[0]);
      if (j >= 0) hOff[j]++;
    }
    // TAN projection about the source: standard coordinates (rad) = (v·e, v·n)/(v·c); x axis flipped (east left).
    if (ds > cosMap) {
      const k = pixPerRad / ds;
      const px = x0 - (vx * ex + vy * ey + vz * ez) * k;
      const py = y0 + (vx * nx_ + vy * ny_ + vz * nz_) * k;
      if (px >= 0 && px < nx && py >= 0 && py < ny) counts[(py | 0) * nx + (px | 0)]++;
    }
  }
  acc.nEvents += nEv;
  acc.nOn += nOn;
  acc.nOff += nOff;
}
