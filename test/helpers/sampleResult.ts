/**
 * A realistic synthetic AnalysisResult for plot tests: Crab-like θ² peak over flat background,
 * a 100×100 skymap with a Gaussian blob, runs over two nights. Deterministic (seeded).
 */
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisResult, type CumulativePoint, type RunResult } from '../../src/analysis/types.js';

export interface SampleOptions {
  runs?: number;
  seed?: number;
  /** Move result.source away from the map centre (deg on the sky), to test marker placement. */
  sourceDecOffsetDeg?: number;
  sourceRaOffsetDeg?: number;
  /** Excess per minute in the ON region (0: no source). */
  gammaRatePerMin?: number;
}

/** Mulberry32: small seeded PRNG so samples are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(mu: number, r: () => number): number {
  if (mu <= 0) return 0;
  if (mu > 50) return Math.max(0, Math.round(mu + Math.sqrt(mu) * gauss(r)));
  const l = Math.exp(-mu);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Li & Ma eq. 17, signed. */
export function liMa(nOn: number, nOff: number, alpha: number): number {
  if (nOn + nOff === 0) return 0;
  const t1 = nOn > 0 ? nOn * Math.log(((1 + alpha) / alpha) * (nOn / (nOn + nOff))) : 0;
  const t2 = nOff > 0 ? nOff * Math.log((1 + alpha) * (nOff / (nOn + nOff))) : 0;
  return Math.sign(nOn - alpha * nOff) * Math.sqrt(Math.max(0, 2 * (t1 + t2)));
}

export function makeSampleResult(opts: SampleOptions = {}): AnalysisResult {
  const nRuns = opts.runs ?? 4;
  const r = rng(opts.seed ?? 42);
  const gammaPerMin = opts.gammaRatePerMin ?? 12;
  const source = {
    name: 'Crab',
    ra: 83.6333 + (opts.sourceRaOffsetDeg ?? 0) / Math.cos((22.0145 * Math.PI) / 180),
    dec: 22.0145 + (opts.sourceDecOffsetDeg ?? 0),
  };
  const center = { ra: 83.6333, dec: 22.0145 };
  const options = { ...DEFAULT_ANALYSIS_OPTIONS, source: { ra: source.ra, dec: source.dec }, sourceName: source.name };
  const alpha = 1 / options.offRegions;
  const bkgPerMinOn = 6; // background counts per minute in the ON region

  const runs: RunResult[] = [];
  const cumulative: CumulativePoint[] = [];
  let cumOn = 0;
  let cumOff = 0;
  let cumLive = 0;
  for (let i = 0; i < nRuns; i++) {
    const night = i < Math.ceil(nRuns / 2) ? '20231115' : '20231116';
    const firstOfNight = night === '20231115' ? 0 : Math.ceil(nRuns / 2);
    const startMs = Date.parse(night === '20231115' ? '2023-11-15T23:10:00Z' : '2023-11-16T23:05:00Z') + (i - firstOfNight) * 21 * 60_000;
    const live = 1140 + Math.round(r() * 60);
    const min = live / 60;
    const nOff = poisson(bkgPerMinOn * min * options.offRegions, r);
    const nOn = poisson(bkgPerMinOn * min + gammaPerMin * min, r);
    const excess = nOn - alpha * nOff;
    const nEvents = 60_000 + Math.round(r() * 5000);
    runs.push({
      obs_id: 15000 + i * 3,
      start: new Date(startMs).toISOString(),
      night,
      livetime_s: live,
      zenith_deg: 12 + (i % 12) * 3.7,
      n_events: nEvents,
      n_on: nOn,
      n_off: nOff,
      alpha,
      excess,
      significance: liMa(nOn, nOff, alpha),
      event_rate_hz: nEvents / live,
      excess_rate_per_min: excess / min,
      pointing: { ra: center.ra, dec: center.dec + (i % 2 ? -0.4 : 0.4) },
      wobble_offset_deg: 0.4,
      on_radius_deg: Math.sqrt(options.theta2Cut),
      file: `/data/dl3_LST-1.Run${String(15000 + i * 3).padStart(5, '0')}.fits.gz`,
    });
    cumOn += nOn;
    cumOff += nOff;
    cumLive += live;
    cumulative.push({ obs_id: 15000 + i * 3, livetime_s: cumLive, significance: liMa(cumOn, cumOff, alpha), excess: cumOn - alpha * cumOff });
  }
  const totalMin = cumLive / 60;

  // θ²: gammas follow a Gaussian PSF (σ = 0.1°), i.e. exponential in θ²; background is flat in θ².
  const edges = Array.from({ length: options.theta2Bins + 1 }, (_, i) => (i * options.theta2Max) / options.theta2Bins);
  const psf2 = 2 * 0.1 * 0.1;
  const bkgPerBin = (bkgPerMinOn * totalMin * (options.theta2Max / options.theta2Bins)) / options.theta2Cut;
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < options.theta2Bins; i++) {
    const frac = Math.exp(-edges[i] / psf2) - Math.exp(-edges[i + 1] / psf2);
    on.push(poisson(bkgPerBin + gammaPerMin * totalMin * frac * 1.4, r));
    off.push(poisson(bkgPerBin, r));
  }

  // Skymap: flat background plus a Gaussian blob at the centre; excess and significance are
  // correlated over a 0.1° disc (as real maps are), with the background known exactly.
  const nx = 100;
  const ny = 100;
  const counts = new Float64Array(nx * ny);
  const excessMap = new Float64Array(nx * ny);
  const sig = new Float64Array(nx * ny);
  const bPix = 4;
  const blobSigmaPix = 0.1 / options.mapBinszDeg;
  const amp = (gammaPerMin * totalMin * 0.5) / (2 * Math.PI * blobSigmaPix * blobSigmaPix);
  let sum = 0;
  let max = 0;
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const dx = ix + 0.5 - nx / 2;
      const dy = iy + 0.5 - ny / 2;
      const c = poisson(bPix + amp * Math.exp(-(dx * dx + dy * dy) / (2 * blobSigmaPix * blobSigmaPix)), r);
      counts[iy * nx + ix] = c;
      sum += c;
      max = Math.max(max, c);
    }
  }
  const rc = Math.round(0.1 / options.mapBinszDeg);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      let n = 0;
      let npix = 0;
      for (let jy = Math.max(0, iy - rc); jy <= Math.min(ny - 1, iy + rc); jy++) {
        for (let jx = Math.max(0, ix - rc); jx <= Math.min(nx - 1, ix + rc); jx++) {
          if ((jx - ix) ** 2 + (jy - iy) ** 2 > rc * rc) continue;
          n += counts[jy * nx + jx];
          npix++;
        }
      }
      const b = bPix * npix;
      excessMap[iy * nx + ix] = n - b;
      sig[iy * nx + ix] = (n - b) / Math.sqrt(b);
    }
  }

  return {
    source,
    options,
    runs,
    total: {
      n_runs: nRuns,
      livetime_s: cumLive,
      n_events: runs.reduce((s, x) => s + x.n_events, 0),
      n_on: cumOn,
      n_off: cumOff,
      alpha,
      excess: cumOn - alpha * cumOff,
      significance: liMa(cumOn, cumOff, alpha),
      excess_rate_per_min: totalMin > 0 ? (cumOn - alpha * cumOff) / totalMin : 0,
    },
    theta2: { edges_deg2: edges, on, off, alpha: 1 },
    skymap: {
      nx,
      ny,
      binsz_deg: options.mapBinszDeg,
      center,
      counts,
      excess: excessMap,
      significance: sig,
      method: 'ring background (synthetic)',
      sum,
      max,
    },
    cumulative,
    warnings: [],
  };
}
