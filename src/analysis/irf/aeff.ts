import type { FitsFile } from '../../fits/FitsFile.js';
import { GridInterpolator } from './gridInterpolator.js';
import { AREA_TO_M2 } from './irfUnits.js';
import { IrfError } from './IrfError.js';
import { findIrfHdu, readIrfTable, type IrfTable } from './readIrfTable.js';

/** AEFF_2D: effective area (m²) against true energy (TeV) and offset (deg). */
export interface EffectiveArea {
  table: IrfTable;
  pointLike: boolean;
  /** gammapy `EffectiveAreaTable2D.evaluate(energy_true, offset)`. */
  evaluate(energyTrue: number, offsetDeg: number): number;
}

export const AEFF_EXTNAMES = ['EFFECTIVE AREA', 'AEFF', 'EFFECTIVE_AREA', 'AEFF_2D'] as const;

function units(file: string, hdu: string) {
  return (u: string) => {
    try {
      return AREA_TO_M2(u);
    } catch (e) {
      throw new IrfError(file, hdu, (e as Error).message);
    }
  };
}

export function effectiveAreaFromTable(table: IrfTable): EffectiveArea {
  const g = new GridInterpolator(table.axes, table.data);
  return { table, pointLike: table.pointLike, evaluate: (e, off) => g.at([e, off]) };
}

/** Read the AEFF_2D HDU of a DL3 file; IrfError naming the HDU when absent or malformed. */
export function readEffectiveArea(f: FitsFile): EffectiveArea {
  const hdu = findIrfHdu(f, 'AEFF_2D', AEFF_EXTNAMES);
  if (!hdu) throw new IrfError(f.name, 'AEFF_2D', 'no effective-area HDU (AEFF_2D) in the file');
  const table = readIrfTable(f.name, hdu, { column: 'EFFAREA', axisNames: ['energy_true', 'offset'], dataUnit: units(f.name, hdu.name) });
  return effectiveAreaFromTable(table);
}
