import { openFitsFile, type FitsFile } from '../fits/FitsFile.js';
import { FitsError } from '../fits/FitsError.js';
import type { BinTable } from '../fits/BinTable.js';
import type { FitsHeader } from '../fits/FitsHeader.js';
import { metToDate, nightOf, parseDateObs } from './timeUtil.js';

/** Energy-dependent (optionally offset-dependent) ON radius from a RAD_MAX HDU (GADF RAD_MAX_2D). */
export interface RadMaxTable {
  energyLo: Float64Array;
  energyHi: Float64Array;
  thetaLo: Float64Array;
  thetaHi: Float64Array;
  /** Flattened [itheta * nE + ie] (FITS TDIM order: energy fastest), degrees. */
  radMax: Float64Array;
}

/** Header facts of one DL3 run. */
export interface RunHeader {
  file: string;
  obsId: number;
  object: string | null;
  raObj: number | null;
  decObj: number | null;
  pointing: { ra: number; dec: number };
  livetime: number;
  start: Date | null;
  night: string | null;
  zenith: number | null;
}

/** One DL3 run: the header facts and the EVENTS columns needed by the analysis. */
export interface RunData extends RunHeader {
  ra: Float32Array | Float64Array;
  dec: Float32Array | Float64Array;
  energy: Float32Array | Float64Array | null;
  radMax: RadMaxTable | null;
}

function num(h: FitsHeader, key: string): number | null {
  const v = h.number(key);
  return v === undefined || !Number.isFinite(v) ? null : v;
}

function floatCol(t: BinTable, name: string): Float32Array | Float64Array {
  const a = t.numeric(name);
  return a instanceof Float32Array || a instanceof Float64Array ? a : Float64Array.from(a);
}

/** Start of the run: DATE-OBS/TIME-OBS, else TSTART + MJDREF. */
export function runStart(h: FitsHeader): Date | null {
  const d = parseDateObs(h.string('DATE-OBS'), h.string('TIME-OBS'));
  if (d) return d;
  const tstart = num(h, 'TSTART');
  if (tstart === null) return null;
  let mjdi = num(h, 'MJDREFI'), mjdf = num(h, 'MJDREFF');
  const mjdref = num(h, 'MJDREF');
  if (mjdi === null && mjdref !== null) [mjdi, mjdf] = [Math.floor(mjdref), mjdref - Math.floor(mjdref)];
  if (mjdi === null) return null;
  return metToDate(tstart, mjdi, mjdf ?? 0);
}

/** RAD_MAX table from its BinTable (null when absent or empty). `file` names the file in errors. */
export function radMaxFromTable(t: BinTable | undefined, file: string): RadMaxTable | null {
  if (!t || t.nrows < 1) return null;
  const table: RadMaxTable = {
    energyLo: t.float64('ENERG_LO'),
    energyHi: t.float64('ENERG_HI'),
    thetaLo: t.hasColumn('THETA_LO') ? t.float64('THETA_LO') : Float64Array.of(0),
    thetaHi: t.hasColumn('THETA_HI') ? t.float64('THETA_HI') : Float64Array.of(180),
    radMax: t.float64('RAD_MAX'),
  };
  const expected = table.energyLo.length * table.thetaLo.length;
  if (table.radMax.length < expected) throw new FitsError(file, `RAD_MAX has ${table.radMax.length} values, expected ${expected}`);
  return table;
}

function readRadMax(f: FitsFile): RadMaxTable | null {
  return radMaxFromTable(f.find('RAD_MAX')?.table, f.name);
}

/** The POINTING HDU of a file, looked for only when the EVENTS header lacks the pointing. */
export type FindPointing = () => { header: FitsHeader; table?: BinTable } | undefined;

/** Does the EVENTS header lack what only a POINTING HDU can then give (RA/Dec or altitude of the pointing)? */
export function needsPointingHdu(events: FitsHeader): boolean {
  return num(events, 'RA_PNT') === null || num(events, 'DEC_PNT') === null || num(events, 'ALT_PNT') === null;
}

function pointingZenith(findPointing: FindPointing, h: FitsHeader): number | null {
  const alt = num(h, 'ALT_PNT');
  if (alt !== null) return 90 - alt;
  const p = findPointing()?.table;
  if (p && p.nrows > 0 && p.hasColumn('ALT_PNT')) {
    const a = p.numeric('ALT_PNT');
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    return 90 - s / a.length;
  }
  return null;
}

function pointingRaDec(findPointing: FindPointing, h: FitsHeader, file: string): { ra: number; dec: number } {
  const ra = num(h, 'RA_PNT'), dec = num(h, 'DEC_PNT');
  if (ra !== null && dec !== null) return { ra, dec };
  // LST files may carry the pointing only in the POINTING HDU (header or columns).
  const p = findPointing();
  if (p) {
    const pr = num(p.header, 'RA_PNT'), pd = num(p.header, 'DEC_PNT');
    if (pr !== null && pd !== null) return { ra: pr, dec: pd };
    const t = p.table;
    if (t && t.nrows > 0 && t.hasColumn('RA_PNT') && t.hasColumn('DEC_PNT')) return { ra: t.numeric('RA_PNT')[0], dec: t.numeric('DEC_PNT')[0] };
  }
  throw new FitsError(file, 'EVENTS header has no RA_PNT/DEC_PNT and there is no POINTING HDU');
}

/** Header facts of a run from its primary and EVENTS headers (and the POINTING HDU when those lack the pointing). */
export function runFacts(primary: FitsHeader, h: FitsHeader, findPointing: FindPointing, file: string, path: string): RunHeader {
  const obsId = num(h, 'OBS_ID') ?? num(primary, 'OBS_ID');
  if (obsId === null) throw new FitsError(file, 'EVENTS header has no OBS_ID');
  const livetime = num(h, 'LIVETIME');
  if (livetime === null) throw new FitsError(file, 'EVENTS header has no LIVETIME');
  const start = runStart(h) ?? runStart(primary);
  return {
    file: path,
    obsId,
    object: h.string('OBJECT')?.trim() || null,
    raObj: num(h, 'RA_OBJ'),
    decObj: num(h, 'DEC_OBJ'),
    pointing: pointingRaDec(findPointing, h, file),
    livetime,
    start,
    night: start ? nightOf(start) : null,
    zenith: pointingZenith(findPointing, h),
  };
}

function headerFacts(f: FitsFile, path: string): RunHeader {
  const h = f.header('EVENTS');
  if (!h) throw new FitsError(f.name, 'no HDU named EVENTS');
  return runFacts(f.primary().header, h, () => f.find('POINTING'), f.name, path);
}

/**
 * Header facts of a DL3 file without decoding any column. Files are parsed lazily: for a gzip file only the bytes up
 * to the EVENTS header (and a POINTING HDU when the EVENTS header lacks the pointing) are inflated.
 */
export function readRunHeader(path: string): RunHeader {
  return headerFacts(openFitsFile(path), path);
}

/**
 * Read one DL3 file: header facts plus the RA, DEC and ENERGY columns of EVENTS (no other column is decoded).
 * The RAD_MAX HDU is looked for only when `radMax` is asked for (it may sit after large IRF HDUs).
 */
export function readRun(path: string, opts: { radMax?: boolean } = {}): RunData {
  const f = openFitsFile(path);
  const facts = headerFacts(f, path);
  const ev = f.table('EVENTS');
  return {
    ...facts,
    ra: floatCol(ev, 'RA'),
    dec: floatCol(ev, 'DEC'),
    energy: ev.hasColumn('ENERGY') ? floatCol(ev, 'ENERGY') : null,
    radMax: opts.radMax ? readRadMax(f) : null,
  };
}

/** ON radius (deg) for an event energy from a RAD_MAX table at a given offset; clamps to the table's ends. */
export function radMaxLookup(t: RadMaxTable, offsetDeg: number): (energyTeV: number) => number {
  const nE = t.energyLo.length;
  let it = 0;
  for (let j = 0; j < t.thetaLo.length; j++) if (offsetDeg >= t.thetaLo[j]) it = j;
  const row = t.radMax.subarray(it * nE, it * nE + nE);
  const lo = t.energyLo;
  return (e: number) => {
    // Bins are few (tens): a binary search over the lower edges.
    let a = 0, b = nE - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (lo[m] <= e) a = m;
      else b = m - 1;
    }
    return row[a];
  };
}
