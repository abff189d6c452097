import { basename } from 'node:path';
import { openFitsFile, type FitsFile } from '../../fits/FitsFile.js';
import { FitsError } from '../../fits/FitsError.js';
import { AEFF_EXTNAMES, readEffectiveArea, type EffectiveArea } from './aeff.js';
import { findIrfHdu } from './readIrfTable.js';
import { readEnergyDispersion, type EnergyDispersion } from './edisp.js';
import { edgesAxis } from './IrfAxis.js';
import { IrfError } from './IrfError.js';
import { readPsfTable, type PsfTable } from './psf.js';
import { radMaxFromTable, readRadMaxTable, type RadMax } from './radMax.js';

/** The IRFs a flux needs: AEFF and EDISP always; PSF for full-enclosure files, RAD_MAX for point-like ones. */
export interface RunIrfs {
  aeff: EffectiveArea;
  edisp: EnergyDispersion;
  psf: PsfTable | null;
  radMax: RadMax | null;
  pointLike: boolean;
}

/** Whether a DL3 file carries IRFs at all (an effective-area HDU): decides if a flux is attempted. */
export function hasIrfs(f: FitsFile): boolean {
  return findIrfHdu(f, 'AEFF_2D', AEFF_EXTNAMES) !== undefined;
}

/**
 * Read the IRFs of one run file. IrfError (naming the file and the HDU) when one is missing or unreadable;
 * a point-like file without a RAD_MAX HDU uses the effective-area header's fixed RAD_MAX, as gammapy does.
 */
export function readRunIrfs(pathOrFile: string | FitsFile): RunIrfs {
  let f: FitsFile;
  try {
    f = typeof pathOrFile === 'string' ? openFitsFile(pathOrFile) : pathOrFile;
  } catch (e) {
    if (e instanceof FitsError) throw new IrfError(e.file, 'file', e.problem);
    throw e;
  }
  const name = typeof pathOrFile === 'string' ? basename(pathOrFile) : f.name;
  try {
    const aeff = readEffectiveArea(f);
    const edisp = readEnergyDispersion(f);
    const pointLike = aeff.pointLike;
    if (pointLike) {
      let radMax = readRadMaxTable(f);
      if (!radMax) {
        const fixed = aeff.table.header.number('RAD_MAX');
        if (fixed === undefined || !(fixed > 0)) throw new IrfError(name, 'RAD_MAX_2D', 'point-like file without a RAD_MAX HDU or RAD_MAX keyword');
        const e = aeff.table.axes[0], o = aeff.table.axes[1];
        const eEdges = e.edges ?? e.centers;
        const oEdges = o.edges ?? o.centers;
        radMax = radMaxFromTable({
          hdu: 'RAD_MAX',
          axes: [edgesAxis('energy', 'log', [eEdges[0], eEdges[eEdges.length - 1]]), edgesAxis('offset', 'lin', [oEdges[0], oEdges[oEdges.length - 1]])],
          data: Float64Array.of(fixed),
          pointLike: true,
          header: aeff.table.header,
        }, true);
      }
      return { aeff, edisp, psf: null, radMax, pointLike };
    }
    return { aeff, edisp, psf: readPsfTable(f), radMax: null, pointLike };
  } catch (e) {
    if (e instanceof FitsError) throw new IrfError(name, 'file', e.problem);
    throw e;
  }
}
