import { separationDeg, unitVector, wobbleOffCenters } from '../geometry.js';
import { binIndex } from '../irf/IrfAxis.js';
import { edispKernel } from '../irf/edisp.js';
import type { RunIrfs } from '../irf/readRunIrfs.js';
import type { RunData } from '../RunData.js';
import type { SkyPosition } from '../types.js';
import { RECO_EDGES_TEV, TRUE_CENTERS_TEV } from './energyAxes.js';
import { safeMask, safeThresholdTeV } from './safeThreshold.js';

/** One run's ON/OFF spectrum with its response: gammapy's SpectrumDatasetOnOff after the safe-mask maker. */
export interface SpectrumDataset {
  obsId: number;
  night: string | null;
  start: Date | null;
  livetimeS: number;
  offsetDeg: number;
  pointLike: boolean;
  /** Counts per reconstructed-energy bin (RECO_EDGES_TEV) in the ON and in all OFF regions. */
  counts: Int32Array;
  countsOff: Int32Array;
  alpha: number;
  /** Exposure per true-energy bin (TRUE_EDGES_TEV), m² s, PSF containment included for full-enclosure files. */
  exposure: Float64Array;
  /** Energy-dispersion kernel [true bin][reco bin] (flattened). */
  kernel: Float64Array;
  /** Safe threshold (TeV) and the reco bins at or above it; the lower edge of the first safe bin. */
  safeThresholdTeV: number | null;
  mask: boolean[];
  safeEminTeV: number | null;
  /** ON radius per reco bin (deg): constant for full enclosure, RAD_MAX at the bin centre for point-like files. */
  onRadiusDeg: number[];
}

export interface DatasetOptions {
  source: SkyPosition;
  theta2Cut: number;
  offRegions: number;
}

/**
 * Build the dataset of one run as gammapy 1.0 does with SpectrumDatasetMaker (use_region_center, containment
 * correction for full-enclosure IRFs), ReflectedRegionsBackgroundMaker + WobbleRegionsFinder and
 * SafeMaskMaker(aeff-max, 10 %): see docs/analysis.md.
 */
export function makeSpectrumDataset(run: RunData, irfs: RunIrfs, opts: DatasetOptions): SpectrumDataset {
  const { source } = opts;
  if (!run.energy) throw new RangeError(`run ${run.obsId}: the EVENTS table has no ENERGY column`);
  const offset = separationDeg(run.pointing.ra, run.pointing.dec, source.ra, source.dec);
  const nR = RECO_EDGES_TEV.length - 1;
  const nT = TRUE_CENTERS_TEV.length;

  // ON radius per event energy.
  const fixedRadius = Math.sqrt(opts.theta2Cut);
  const radiusFor = irfs.pointLike && irfs.radMax ? irfs.radMax.forOffset(offset) : () => fixedRadius;
  const inclusive = irfs.pointLike; // gammapy: separation <= RAD_MAX (point-like), pixel circle contains (strict)

  const counts = new Int32Array(nR);
  const countsOff = new Int32Array(nR);
  const regions = [source, ...wobbleOffCenters(run.pointing, source, opts.offRegions)];
  const centers = regions.map((c) => unitVector(c.ra, c.dec));
  // A box in (RA, Dec) holding every region at its largest radius: events outside it need no trigonometry.
  const rMax = irfs.pointLike && irfs.radMax ? Math.max(0, ...Array.from(irfs.radMax.table.data).filter(Number.isFinite)) : fixedRadius;
  const margin = 1e-6;
  const decLo = Math.min(...regions.map((c) => c.dec)) - rMax - margin;
  const decHi = Math.max(...regions.map((c) => c.dec)) + rMax + margin;
  const dra = regions.map((c) => ((((c.ra - source.ra) % 360) + 540) % 360) - 180);
  const cosEdge = Math.cos(Math.min(89.999, Math.max(Math.abs(decLo), Math.abs(decHi))) * (Math.PI / 180));
  const halfRa = decHi >= 90 || decLo <= -90 ? 180 : rMax / cosEdge + margin;
  const raLo = Math.min(...dra) - halfRa, raHi = Math.max(...dra) + halfRa;
  const D2R = Math.PI / 180;
  let lastR = NaN, lastCos = NaN;
  const { ra, dec, energy } = run;
  for (let i = 0; i < ra.length; i++) {
    const d = dec[i];
    if (d < decLo || d > decHi) continue;
    const x0 = ((((ra[i] - source.ra) % 360) + 540) % 360) - 180;
    if (x0 < raLo || x0 > raHi) continue;
    const j = binIndex(RECO_EDGES_TEV, energy[i]);
    if (j < 0) continue;
    const r = radiusFor(energy[i]);
    if (!(r > 0)) continue;
    if (r !== lastR) {
      lastR = r;
      lastCos = Math.cos(r * D2R);
    }
    const [x, y, z] = unitVector(ra[i], d);
    for (let k = 0; k < centers.length; k++) {
      const c = centers[k];
      const dot = x * c[0] + y * c[1] + z * c[2];
      if (inclusive ? dot >= lastCos : dot > lastCos) {
        if (k === 0) counts[j]++;
        else countsOff[j]++;
        break;
      }
    }
  }

  const exposure = new Float64Array(nT);
  const aeffRegion = new Float64Array(nT);
  for (let i = 0; i < nT; i++) {
    const e = TRUE_CENTERS_TEV[i];
    let a = irfs.aeff.evaluate(e, offset);
    if (!irfs.pointLike && irfs.psf) a *= irfs.psf.containment(fixedRadius, offset, e);
    aeffRegion[i] = a;
    exposure[i] = a * run.livetime;
  }
  const kernel = edispKernel(irfs.edisp, offset, TRUE_CENTERS_TEV, RECO_EDGES_TEV);
  const thr = safeThresholdTeV(TRUE_CENTERS_TEV, aeffRegion, 10);
  const mask = safeMask(RECO_EDGES_TEV, thr);
  const first = mask.indexOf(true);
  const onRadiusDeg = Array.from({ length: nR }, (_, j) => radiusFor(Math.sqrt(RECO_EDGES_TEV[j] * RECO_EDGES_TEV[j + 1])));
  return {
    obsId: run.obsId,
    night: run.night,
    start: run.start,
    livetimeS: run.livetime,
    offsetDeg: offset,
    pointLike: irfs.pointLike,
    counts,
    countsOff,
    alpha: 1 / opts.offRegions,
    exposure,
    kernel,
    safeThresholdTeV: thr,
    mask,
    safeEminTeV: first >= 0 ? RECO_EDGES_TEV[first] : null,
    onRadiusDeg,
  };
}
