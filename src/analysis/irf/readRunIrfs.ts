import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { openFits, openFitsFile, type FitsFile } from '../../fits/FitsFile.js';
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

const MAX_DECOMPRESSED = 2 ** 30;

/**
 * Open a run file for its IRFs. They sit at the end of a DL3 file: a gzip file is inflated in one pass (the lazy
 * reader would re-inflate growing prefixes while it walks the HDUs) and its headers parsed lazily. When the gzip
 * stream is damaged, the lazy reader is used instead: it reads as far as the data goes, so IRFs before the damage
 * still serve and the error names the HDU that is cut.
 */
export function openRunFile(path: string): FitsFile {
  const name = basename(path);
  let bytes: Uint8Array = readFileSync(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new FitsError(name, `decompresses to more than ${MAX_DECOMPRESSED} bytes`);
      return openFitsFile(path);
    }
  }
  return openFits(bytes, name);
}

/**
 * Read the IRFs of one run file. IrfError (naming the file and the HDU) when one is missing or unreadable;
 * a point-like file without a RAD_MAX HDU uses the effective-area header's fixed RAD_MAX, as gammapy does.
 */
export function readRunIrfs(pathOrFile: string | FitsFile): RunIrfs {
  let f: FitsFile;
  try {
    f = typeof pathOrFile === 'string' ? openRunFile(pathOrFile) : pathOrFile;
  } catch (e) {
    if (e instanceof FitsError) throw new IrfError(e.file, 'file', e.problem);
    throw e;
  }
  const name = typeof pathOrFile === 'string' ? basename(pathOrFile) : f.name;
  // A FITS-level failure while one IRF is looked for or read (e.g. the file cut short inside it) names that IRF.
  const step = <T>(hdu: string, read: () => T): T => {
    try {
      return read();
    } catch (e) {
      if (e instanceof FitsError) throw new IrfError(name, hdu, e.problem);
      throw e;
    }
  };
  const aeff = step('AEFF_2D', () => readEffectiveArea(f));
  const edisp = step('EDISP_2D', () => readEnergyDispersion(f));
  const pointLike = aeff.pointLike;
  if (!pointLike) return { aeff, edisp, psf: step('PSF_TABLE', () => readPsfTable(f)), radMax: null, pointLike };
  let radMax = step('RAD_MAX_2D', () => readRadMaxTable(f));
  if (!radMax) {
    const fixed = aeff.table.header.number('RAD_MAX');
    if (fixed === undefined || !(fixed > 0)) throw new IrfError(name, 'RAD_MAX_2D', 'point-like file without a RAD_MAX HDU or RAD_MAX keyword');
    const e = aeff.table.axes[0], o = aeff.table.axes[1];
    const eEdges = e.edges ?? e.centers;
    const oEdges = o.edges ?? o.centers;
    radMax = radMaxFromTable(
      {
        hdu: 'RAD_MAX',
        axes: [edgesAxis('energy', 'log', [eEdges[0], eEdges[eEdges.length - 1]]), edgesAxis('offset', 'lin', [oEdges[0], oEdges[oEdges.length - 1]])],
        data: Float64Array.of(fixed),
        pointLike: true,
        header: aeff.table.header,
      },
      true,
    );
  }
  return { aeff, edisp, psf: null, radMax, pointLike };
}
