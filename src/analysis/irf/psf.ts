import type { FitsFile } from '../../fits/FitsFile.js';
import { GridInterpolator } from './gridInterpolator.js';
import { PSF_TO_PER_SR } from './irfUnits.js';
import { IrfError } from './IrfError.js';
import { findIrfHdu, readIrfTable, type IrfTable } from './readIrfTable.js';
import type { IrfAxis } from './IrfAxis.js';

/** PSF_TABLE: radial PSF density (sr⁻¹) against true energy, offset and radius. */
export interface PsfTable {
  table: IrfTable;
  /**
   * Fraction of the PSF within `radDeg`, as gammapy 1.0 `PSF3D.containment(rad, offset, energy_true)`: the cumulative
   * sum of density × 2π·r·Δr over the radius bins (nodes at the upper bin edges), interpolated like any IRF.
   */
  containment(radDeg: number, offsetDeg: number, energyTrue: number): number;
}

export const PSF_EXTNAMES = ['PSF', 'POINT SPREAD FUNCTION', 'PSF_TABLE', 'PSF_2D_TABLE'] as const;

const SR_PER_DEG2 = (Math.PI / 180) ** 2;

export function psfFromTable(table: IrfTable): PsfTable {
  const [eAxis, oAxis, rAxis] = table.axes;
  if (!rAxis.edges) throw new IrfError('', table.hdu, 'the radius axis has nodes, not bins');
  const nE = eAxis.centers.length, nO = oAxis.centers.length, nR = rAxis.centers.length;
  // Weight of each radius bin: 2π·r·Δr in sr. Cumulative sums run along the radius (the slowest index), so they are
  // accumulated plane by plane over all (energy, offset) pairs at once.
  const w = new Float64Array(nR);
  for (let ir = 0; ir < nR; ir++) w[ir] = (rAxis.edges[ir + 1] - rAxis.edges[ir]) * 2 * Math.PI * rAxis.centers[ir] * SR_PER_DEG2;
  const plane = nE * nO;
  const d = table.data;
  const cum = new Float64Array(d.length);
  for (let k = 0; k < plane; k++) cum[k] = d[k] * w[0];
  for (let ir = 1; ir < nR; ir++) {
    const base = ir * plane, prev = base - plane, wr = w[ir];
    for (let k = 0; k < plane; k++) cum[base + k] = cum[prev + k] + d[base + k] * wr;
  }
  const upper = rAxis.edges.subarray(1);
  const cumAxis: IrfAxis = { name: 'rad', scale: 'lin', edges: null, centers: Float64Array.from(upper) };
  const g = new GridInterpolator([eAxis, oAxis, cumAxis], cum);
  return { table, containment: (r, off, e) => g.at([e, off, r]) };
}

export function readPsfTable(f: FitsFile): PsfTable {
  const hdu = findIrfHdu(f, 'PSF_TABLE', PSF_EXTNAMES);
  if (!hdu) throw new IrfError(f.name, 'PSF_TABLE', 'no PSF HDU (PSF_TABLE) in the file');
  const table = readIrfTable(f.name, hdu, {
    column: 'RPSF',
    axisNames: ['energy_true', 'offset', 'rad'],
    dataUnit: (u) => {
      try {
        return PSF_TO_PER_SR(u);
      } catch (e) {
        throw new IrfError(f.name, hdu.name, (e as Error).message);
      }
    },
  });
  if (!table.axes[2].edges) throw new IrfError(f.name, hdu.name, 'the radius axis has nodes (RAD_LO = RAD_HI); bins are needed');
  return psfFromTable(table);
}
