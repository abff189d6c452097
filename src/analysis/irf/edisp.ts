import type { FitsFile } from '../../fits/FitsFile.js';
import { GridInterpolator, lowerIndex, nodeEdges } from './gridInterpolator.js';
import { DIMENSIONLESS } from './irfUnits.js';
import { IrfError } from './IrfError.js';
import { findIrfHdu, readIrfTable, type IrfTable } from './readIrfTable.js';

/** EDISP_2D: migration (E_reco / E_true) probability density against true energy, migration and offset. */
export interface EnergyDispersion {
  table: IrfTable;
  /** gammapy `EnergyDispersion2D.evaluate(energy_true, migra, offset)`. */
  evaluate(energyTrue: number, migra: number, offsetDeg: number): number;
}

export const EDISP_EXTNAMES = ['ENERGY DISPERSION', 'EDISP', 'ENERGY_DISPERSION', 'EDISP_2D'] as const;

export function energyDispersionFromTable(table: IrfTable): EnergyDispersion {
  // gammapy's EnergyDispersion2D._mask_out_bounds: 0 only outside both the true-energy and the migration edges, or
  // outside the offset edges (beyond the true-energy range the migration density is extrapolated).
  const g = new GridInterpolator(table.axes, table.data, { outside: (inv) => (inv[0] && inv[1]) || inv[2] });
  return { table, evaluate: (e, m, off) => g.at([e, m, off]) };
}

export function readEnergyDispersion(f: FitsFile): EnergyDispersion {
  const hdu = findIrfHdu(f, 'EDISP_2D', EDISP_EXTNAMES);
  if (!hdu) throw new IrfError(f.name, 'EDISP_2D', 'no energy-dispersion HDU (EDISP_2D) in the file');
  const table = readIrfTable(f.name, hdu, {
    column: 'MATRIX',
    axisNames: ['energy_true', 'migra', 'offset'],
    dataUnit: (u) => {
      try {
        return DIMENSIONLESS(u);
      } catch (e) {
        throw new IrfError(f.name, hdu.name, (e as Error).message);
      }
    },
  });
  if (!table.axes[1].edges) throw new IrfError(f.name, hdu.name, 'the migration axis has nodes (MIGRA_LO = MIGRA_HI); bins are needed');
  return energyDispersionFromTable(table);
}

/**
 * The energy-dispersion kernel at one offset, as gammapy 1.0's `make_edisp_kernel_map` + `to_edisp_kernel_map`
 * (use_region_center=True): the migration density at the IRF's migration bin centres and the given true-energy bin
 * centres, normalised per true energy (sum of density × bin width = 1), its cumulative sum at the migration bin edges
 * interpolated linearly (constant beyond the ends) at E_reco edge / E_true centre, and differenced per reco bin
 * (negative differences clipped to 0). Returns [true bin i][reco bin j] flattened as i * nReco + j.
 */
export function edispKernel(ed: EnergyDispersion, offsetDeg: number, trueCenters: ArrayLike<number>, recoEdges: ArrayLike<number>): Float64Array {
  const [eAx, migra] = ed.table.axes;
  if (!migra.edges) throw new IrfError('', ed.table.hdu, 'the migration axis has nodes, not bins');
  const mEdges = migra.edges;
  const nM = migra.centers.length;
  const nT = trueCenters.length;
  const nR = recoEdges.length - 1;
  const out = new Float64Array(nT * nR);
  const cum = new Float64Array(nM + 1);
  const density = densityAtOffset(ed, offsetDeg);
  if (!density) return out; // offset outside the table: gammapy gives 0 everywhere
  const nE = eAx.centers.length;
  const lnE = eAx.centers.map(Math.log);
  for (let i = 0; i < nT; i++) {
    const et = trueCenters[i];
    // Migration density at the table's migration centres (exact nodes: no migration weights), linear in log E_true.
    let ie = 0, t = 0;
    if (nE > 1) {
      const x = Math.log(et);
      ie = lowerIndex(lnE, x);
      t = (x - lnE[ie]) / (lnE[ie + 1] - lnE[ie]);
    }
    cum[0] = 0;
    for (let k = 0; k < nM; k++) {
      let v = density[k * nE + ie];
      if (nE > 1 && t !== 0) v = (1 - t) * v + t * density[k * nE + ie + 1];
      if (!(v > 0)) v = 0; // clip (and NaN → 0)
      cum[k + 1] = cum[k] + v * (mEdges[k + 1] - mEdges[k]);
    }
    const total = cum[nM];
    if (!(total > 0)) continue; // gammapy: 0/0 → nan_to_num → 0
    let prev = interpCumulative(mEdges, cum, recoEdges[0] / et) / total;
    for (let j = 0; j < nR; j++) {
      const next = interpCumulative(mEdges, cum, recoEdges[j + 1] / et) / total;
      out[i * nR + j] = Math.max(0, next - prev);
      prev = next;
    }
  }
  return out;
}

/**
 * The migration table interpolated (linearly, extrapolating within the edges) to one offset: [migra k][energy e],
 * or null when the offset is outside the offset edges. Energies outside the energy edges are still extrapolated:
 * EDISP values are zeroed only outside both the energy and the migration edges, and the kernel uses migration
 * centres, which are inside.
 */
function densityAtOffset(ed: EnergyDispersion, offsetDeg: number): Float64Array | null {
  const [eAx, mAx, oAx] = ed.table.axes;
  const nE = eAx.centers.length, nM = mAx.centers.length, nO = oAx.centers.length;
  const oEdges = oAx.edges ?? nodeEdges(oAx);
  if (!(offsetDeg >= oEdges[0] && offsetDeg <= oEdges[oEdges.length - 1])) return null;
  let io = 0, t = 0;
  if (nO > 1) {
    io = lowerIndex(oAx.centers, offsetDeg);
    t = (offsetDeg - oAx.centers[io]) / (oAx.centers[io + 1] - oAx.centers[io]);
  }
  const d = ed.table.data;
  const out = new Float64Array(nE * nM);
  for (let k = 0; k < nM; k++) {
    for (let e = 0; e < nE; e++) {
      const base = e + nE * k;
      const a = d[base + nE * nM * io];
      out[k * nE + e] = nO > 1 && t !== 0 ? (1 - t) * a + t * d[base + nE * nM * (io + 1)] : a;
    }
  }
  return out;
}

/** Piecewise-linear interpolation of the cumulative values (at the edges), constant beyond both ends. */
function interpCumulative(edges: Float64Array, cum: Float64Array, m: number): number {
  const n = edges.length;
  if (!(m > edges[0])) return cum[0];
  if (m >= edges[n - 1]) return cum[n - 1];
  let a = 0, b = n - 2;
  while (a < b) {
    const mid = (a + b + 1) >> 1;
    if (edges[mid] <= m) a = mid;
    else b = mid - 1;
  }
  const t = (m - edges[a]) / (edges[a + 1] - edges[a]);
  return cum[a] + t * (cum[a + 1] - cum[a]);
}
