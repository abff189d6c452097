/** Time helpers for DL3 headers: run start from DATE-OBS/TIME-OBS or TSTART + MJDREF, and the night of a run. */

const MJD_UNIX_EPOCH = 40587; // MJD of 1970-01-01

/** Parse DATE-OBS (YYYY-MM-DD, optionally with a time) plus optional TIME-OBS into a Date (taken as UTC). */
export function parseDateObs(dateObs: string | undefined, timeObs: string | undefined): Date | undefined {
  if (!dateObs) return undefined;
  const d = dateObs.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?))?$/.exec(d);
  if (!m) return undefined;
  let hh = m[4], mm = m[5], ss = m[6];
  if (hh === undefined && timeObs) {
    const t = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(timeObs.trim());
    if (!t) return undefined;
    [hh, mm, ss] = [t[1], t[2], t[3]];
  }
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(hh ?? 0), +(mm ?? 0), 0) + Math.round(parseFloat(ss ?? '0') * 1000);
  const out = new Date(ms);
  return Number.isFinite(out.getTime()) ? out : undefined;
}

/** MET seconds (TSTART) relative to MJDREFI + MJDREFF → Date. Time-scale offsets (TT−UTC ≈ 1 min) are ignored: only the night matters. */
export function metToDate(met: number, mjdrefi: number, mjdreff: number): Date {
  const mjd = mjdrefi + mjdreff + met / 86400;
  return new Date(Math.round((mjd - MJD_UNIX_EPOCH) * 86400000));
}

export { nightOf } from '../util/nights.js';
