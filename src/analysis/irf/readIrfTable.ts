import type { FitsFile, FitsHdu } from '../../fits/FitsFile.js';
import { FitsError } from '../../fits/FitsError.js';
import type { BinTable } from '../../fits/BinTable.js';
import { axisCenters, type AxisName, type AxisScale, type IrfAxis } from './IrfAxis.js';
import { IrfError } from './IrfError.js';

/** A GADF IRF table read the way gammapy 1.0 reads it (`IRF.from_table(format="gadf-dl3")`). */
export interface IrfTable {
  hdu: string;
  axes: IrfAxis[];
  /** Values of the first row, first axis fastest (FITS TDIM order), converted to the unit asked for. */
  data: Float64Array;
  /** HDUCLAS3 is POINT-LIKE. */
  pointLike: boolean;
  header: FitsHdu['header'];
}

/** Column prefixes gammapy understands (`IRF_DL3_AXES_SPECIFICATION`) and the axes they make. */
const PREFIXES: Record<string, { name: AxisName; scale: AxisScale; kind: 'energy' | 'angle' | 'none' }> = {
  THETA: { name: 'offset', scale: 'lin', kind: 'angle' },
  ENERG: { name: 'energy_true', scale: 'log', kind: 'energy' },
  ETRUE: { name: 'energy_true', scale: 'log', kind: 'energy' },
  RAD: { name: 'rad', scale: 'lin', kind: 'angle' },
  MIGRA: { name: 'migra', scale: 'lin', kind: 'none' },
};

const ENERGY_UNITS: Record<string, number> = { tev: 1, gev: 1e-3, mev: 1e-6, kev: 1e-9, ev: 1e-12 };
const ANGLE_UNITS: Record<string, number> = { deg: 1, degree: 1, degrees: 1, rad: 180 / Math.PI, arcmin: 1 / 60, arcsec: 1 / 3600 };

function unitFactor(kind: 'energy' | 'angle' | 'none', unit: string | undefined, what: string, file: string, hdu: string): number {
  const u = (unit ?? '').trim().toLowerCase();
  if (kind === 'none') {
    if (u !== '' && u !== 'dimensionless') throw new IrfError(file, hdu, `column ${what} has unit "${unit}", expected none`);
    return 1;
  }
  const table = kind === 'energy' ? ENERGY_UNITS : ANGLE_UNITS;
  if (u === '') return 1; // GADF default units: TeV and deg
  const f = table[u];
  if (f === undefined) throw new IrfError(file, hdu, `column ${what} has unit "${unit}", expected ${kind === 'energy' ? 'an energy (TeV)' : 'an angle (deg)'}`);
  return f;
}

/** The first row of a vector column as float64, times `factor` (the typed-array constructor converts in one go). */
function firstRow(t: BinTable, col: string, factor = 1): Float64Array {
  const a = t.numeric(col);
  const per = t.info(col).repeat;
  const out = new Float64Array(a.subarray(0, per));
  if (factor !== 1) for (let i = 0; i < per; i++) out[i] *= factor;
  return out;
}

/**
 * Find an IRF HDU in a DL3 file: by HDUCLAS4 (AEFF_2D, EDISP_2D, PSF_TABLE, RAD_MAX_2D), else by one of the usual
 * EXTNAMEs. Returns undefined when absent.
 */
export function findIrfHdu(f: FitsFile, hduclas4: string, extnames: readonly string[]): FitsHdu | undefined {
  const isIt = (h: FitsHdu) => (h.header.string('HDUCLAS4') ?? '').trim().toUpperCase() === hduclas4;
  // The usual EXTNAME first: the file is then parsed (and inflated) only as far as that HDU. Looking for a name
  // the file lacks walks to its end: damage there must not hide an HDU found under another name.
  let damage: unknown;
  for (const n of extnames) {
    try {
      const h = f.find(n);
      if (h && (isIt(h) || !h.header.has('HDUCLAS4'))) return h;
    } catch (e) {
      damage ??= e;
    }
  }
  if (damage) throw damage;
  return f.hdus.find((h) => h.index > 0 && isIt(h));
}

/**
 * Read an IRF table: axes from the `<PREFIX>_LO/_HI` columns present (first row), the data column's first row.
 * `axisNames` lists the axes the IRF needs, in data order (first = fastest); `dataUnit` converts the values
 * (a function of the TUNIT string returning the factor to the wanted unit, or throwing).
 * `energyName` renames the energy axis (RAD_MAX and background tables are in reconstructed energy).
 */
export function readIrfTable(
  fileName: string,
  hdu: FitsHdu,
  opts: { column: string; axisNames: readonly AxisName[]; dataUnit: (unit: string) => number; energyName?: AxisName },
): IrfTable {
  const hduName = hdu.name || `HDU ${hdu.index}`;
  const t = hdu.table;
  if (!t) throw new IrfError(fileName, hduName, 'is not a binary table');
  if (t.nrows < 1) throw new IrfError(fileName, hduName, 'has no rows');
  try {
    const axes: IrfAxis[] = [];
    for (const [prefix, spec] of Object.entries(PREFIXES)) {
      if (!t.hasColumn(`${prefix}_LO`) || !t.hasColumn(`${prefix}_HI`)) continue;
      const name = spec.name === 'energy_true' && opts.energyName ? opts.energyName : spec.name;
      if (axes.some((a) => a.name === name)) continue; // ENERG and ETRUE both present: the first wins, as in gammapy
      const fLo = unitFactor(spec.kind, t.info(`${prefix}_LO`).unit, `${prefix}_LO`, fileName, hduName);
      const fHi = unitFactor(spec.kind, t.info(`${prefix}_HI`).unit, `${prefix}_HI`, fileName, hduName);
      const lo = firstRow(t, `${prefix}_LO`).map((x) => x * fLo);
      const hi = firstRow(t, `${prefix}_HI`).map((x) => x * fHi);
      if (lo.length !== hi.length || lo.length === 0) throw new IrfError(fileName, hduName, `${prefix}_LO and ${prefix}_HI differ in length`);
      const scale = spec.scale;
      let allClose = true;
      for (let i = 0; i < lo.length; i++) if (!(Math.abs(lo[i] - hi[i]) <= 1e-8 + 1e-5 * Math.abs(hi[i]))) allClose = false;
      if (allClose) {
        axes.push({ name, scale, edges: null, centers: Float64Array.from(hi) });
      } else {
        const edges = new Float64Array(lo.length + 1);
        edges.set(lo);
        edges[lo.length] = hi[hi.length - 1];
        for (let i = 1; i < edges.length; i++) {
          if (!(edges[i] > edges[i - 1])) throw new IrfError(fileName, hduName, `${prefix} bins are not increasing`);
        }
        if (scale === 'log' && !(edges[0] > 0)) throw new IrfError(fileName, hduName, `${prefix} energies must be positive`);
        axes.push({ name, scale, edges, centers: axisCenters(edges, scale) });
      }
    }
    const ordered = opts.axisNames.map((n) => {
      const a = axes.find((x) => x.name === n);
      if (!a) throw new IrfError(fileName, hduName, `has no ${n.replace('_', ' ')} axis`);
      return a;
    });
    if (!t.hasColumn(opts.column)) throw new IrfError(fileName, hduName, `has no ${opts.column} column`);
    const factor = opts.dataUnit(t.info(opts.column).unit ?? '');
    const expected = ordered.reduce((n, a) => n * a.centers.length, 1);
    const data = firstRow(t, opts.column, factor);
    if (data.length !== expected) throw new IrfError(fileName, hduName, `${opts.column} has ${data.length} values, the axes need ${expected}`);
    const pointLike = (hdu.header.string('HDUCLAS3') ?? '').trim().toUpperCase() === 'POINT-LIKE';
    return { hdu: hduName, axes: ordered, data, pointLike, header: hdu.header };
  } catch (e) {
    if (e instanceof FitsError) throw new IrfError(fileName, hduName, e.problem);
    throw e;
  }
}
