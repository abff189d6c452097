import type { FitsFile } from '../../fits/FitsFile.js';
import { GridInterpolator } from './gridInterpolator.js';
import { ANGLE_TO_DEG } from './irfUnits.js';
import { IrfError } from './IrfError.js';
import { findIrfHdu, readIrfTable, type IrfTable } from './readIrfTable.js';

/** RAD_MAX_2D: the ON radius (deg) of a point-like file against reconstructed energy and offset. */
export interface RadMax {
  table: IrfTable;
  /**
   * The radius for an event energy at a given offset, as gammapy's `EventList.select_rad_max`:
   * `RadMax2D.evaluate(method="nearest")` (nearest bin centre in log energy / offset), 0 outside the table's edges.
   */
  forOffset(offsetDeg: number): (energyTeV: number) => number;
}

export const RAD_MAX_EXTNAMES = ['RAD_MAX', 'RAD_MAX_2D'] as const;

/** `fixed`: a single-value table made from a RAD_MAX header keyword (gammapy `RadMax2D.from_irf`: no 0 outside). */
export function radMaxFromTable(table: IrfTable, fixed = false): RadMax {
  const g = new GridInterpolator(table.axes, table.data, { method: 'nearest', fillOutside: !fixed });
  return { table, forOffset: (off) => (e) => g.at([e, off]) };
}

export function readRadMaxTable(f: FitsFile): RadMax | null {
  const hdu = findIrfHdu(f, 'RAD_MAX_2D', RAD_MAX_EXTNAMES);
  if (!hdu) return null;
  const table = readIrfTable(f.name, hdu, {
    column: 'RAD_MAX',
    axisNames: ['energy', 'offset'],
    energyName: 'energy',
    dataUnit: (u) => {
      try {
        return ANGLE_TO_DEG(u);
      } catch (e) {
        throw new IrfError(f.name, hdu.name, (e as Error).message);
      }
    },
  });
  return radMaxFromTable(table);
}
