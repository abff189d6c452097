/**
 * A DL3 data store: a GADF folder with obs-index/hdu-index, or a plain list of DL3 files.
 * Used by the CLI and by the bot core to resolve which runs exist in which night.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readFits } from '../fits/FitsFile.js';
import { FitsError } from '../fits/FitsError.js';
import { separationDeg } from './geometry.js';
import { readRunHeader } from './RunData.js';
import { metToDate, nightOf, parseDateObs } from './timeUtil.js';
import { isValidNight } from '../util/nights.js';

export interface ObservationInfo {
  obsId: number;
  /** YYYYMMDD: UTC date of start − 12 h; null when the start time is unknown. */
  night: string | null;
  /** ISO 8601 UTC start, or null. */
  start: string | null;
  object: string | null;
  raPnt: number;
  decPnt: number;
  livetime: number | null;
  zenith: number | null;
  /** Absolute path of the run's events file, or null when the index lists it but the file is absent. */
  file: string | null;
}

export interface DataStore {
  /** Folder of the index files, or null for a plain file list. */
  dir: string | null;
  observations: ObservationInfo[];
}

export interface ObservationFilter {
  /** Runs whose pointing is within radiusDeg (default 3) of this position. */
  position?: { ra: number; dec: number };
  radiusDeg?: number;
  /** Nights, inclusive, YYYYMMDD. */
  nightFrom?: string;
  nightTo?: string;
  runs?: number[];
  /** Drop runs whose file is absent (default false: they are listed with file null). */
  requireFile?: boolean;
}

const INDEX_NAMES = ['obs-index.fits.gz', 'obs-index.fits'];
const HDU_INDEX_NAMES = ['hdu-index.fits.gz', 'hdu-index.fits'];

function firstExisting(dir: string, names: string[]): string | undefined {
  for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  return undefined;
}

function col(t: import('../fits/BinTable.js').BinTable, name: string): ArrayLike<number> | null {
  return t.hasColumn(name) ? t.numeric(name) : null;
}

function finiteOrNull(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** Read the obs-index and hdu-index of a GADF folder; runs whose events file is absent get `file: null`. */
function openIndexed(dir: string, obsIndex: string): DataStore {
  const store = readIndexFiles(dir, obsIndex, firstExisting(dir, HDU_INDEX_NAMES));
  return { dir, observations: store.observations.map((o) => ({ ...o, file: o.file && existsSync(o.file) ? o.file : null })) };
}

/**
 * The observations of a GADF index pair read from these (local) files, with each run's events file as the hdu-index
 * names it, resolved against `dir` (the folder the index lives in, which may be on the cluster) and NOT checked:
 * the caller decides where to look. `file` is null for a run the hdu-index does not list.
 */
export function readIndexFiles(dir: string, obsIndex: string, hduIndex: string | undefined): DataStore {
  const obs = readFits(obsIndex).table('OBS_INDEX');
  const ids = obs.numeric('OBS_ID');
  const raP = obs.numeric('RA_PNT'), decP = obs.numeric('DEC_PNT');
  const live = col(obs, 'LIVETIME'), zen = col(obs, 'ZEN_PNT'), alt = col(obs, 'ALT_PNT'), tstart = col(obs, 'TSTART');
  const objects = obs.hasColumn('OBJECT') ? obs.strings('OBJECT') : null;
  const dates = obs.hasColumn('DATE-OBS') ? obs.strings('DATE-OBS') : null;
  const times = obs.hasColumn('TIME-OBS') ? obs.strings('TIME-OBS') : null;
  const mjdi = obs.header.number('MJDREFI'), mjdf = obs.header.number('MJDREFF') ?? 0;

  // hdu-index: OBS_ID + HDU_TYPE 'events' → FILE_DIR/FILE_NAME relative to the index folder (or BASE_DIR).
  const files = new Map<number, string>();
  if (hduIndex) {
    const h = readFits(hduIndex).hdus.find((x) => x.table)?.table;
    if (!h) throw new FitsError(basename(hduIndex), 'no table HDU');
    const base = h.header.string('BASE_DIR')?.trim();
    const root = base ? resolve(dir, base) : dir;
    const hid = h.numeric('OBS_ID'), type = h.strings('HDU_TYPE'), fdir = h.strings('FILE_DIR'), fname = h.strings('FILE_NAME');
    for (let i = 0; i < h.nrows; i++) {
      if (type[i].toLowerCase() !== 'events') continue;
      files.set(hid[i], resolve(root, fdir[i], fname[i]));
    }
  }
  const observations: ObservationInfo[] = [];
  for (let i = 0; i < obs.nrows; i++) {
    let start = parseDateObs(dates?.[i], times?.[i]) ?? null;
    if (!start && tstart && mjdi !== undefined && Number.isFinite(tstart[i])) start = metToDate(tstart[i], mjdi, mjdf);
    const z = zen ? zen[i] : alt ? 90 - alt[i] : NaN;
    const path = files.get(ids[i]);
    observations.push({
      obsId: ids[i],
      night: start ? nightOf(start) : null,
      start: start ? start.toISOString() : null,
      object: objects?.[i] || null,
      raPnt: raP[i],
      decPnt: decP[i],
      livetime: finiteOrNull(live?.[i]),
      zenith: finiteOrNull(z),
      file: path ?? null,
    });
  }
  return { dir, observations };
}

/** Build a store from DL3 files directly (no index): reads each file's EVENTS header (no event data). */
export function storeFromFiles(paths: string[]): DataStore {
  const observations = paths.map((p): ObservationInfo => {
    const r = readRunHeader(p);
    return {
      obsId: r.obsId,
      night: r.night,
      start: r.start ? r.start.toISOString() : null,
      object: r.object,
      raPnt: r.pointing.ra,
      decPnt: r.pointing.dec,
      livetime: r.livetime,
      zenith: r.zenith,
      file: resolve(p),
    };
  });
  return { dir: null, observations };
}

/** Open a folder: with an obs-index, use it; otherwise every *.fits / *.fits.gz in it (not recursive) is a run. */
export function openDataStore(dir: string): DataStore {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new FitsError(basename(abs), 'not a directory');
  const idx = firstExisting(abs, INDEX_NAMES);
  if (idx) return openIndexed(abs, idx);
  const files = readdirSync(abs)
    .filter((n) => /\.fits(\.gz)?$/i.test(n) && !/index/i.test(n))
    .sort()
    .map((n) => join(abs, n));
  return storeFromFiles(files);
}

/** Validated night or night range: `YYYYMMDD` or `YYYYMMDD..YYYYMMDD` (real calendar dates, first ≤ last). */
export function parseNightRange(s: string): { from: string; to: string } | undefined {
  const m = /^(\d{8})(?:\.\.(\d{8}))?$/.exec(s.trim());
  if (!m) return undefined;
  const from = m[1], to = m[2] ?? m[1];
  return isValidNight(from) && isValidNight(to) && from <= to ? { from, to } : undefined;
}

/** Observations matching the filter, in start-time order (unknown starts last, then by id). */
export function listObservations(store: DataStore, filter: ObservationFilter = {}): ObservationInfo[] {
  const radius = filter.radiusDeg ?? 3;
  const runs = filter.runs ? new Set(filter.runs) : null;
  const out = store.observations.filter((o) => {
    if (runs && !runs.has(o.obsId)) return false;
    if (filter.position && !(separationDeg(o.raPnt, o.decPnt, filter.position.ra, filter.position.dec) <= radius)) return false;
    if (filter.nightFrom && (o.night === null || o.night < filter.nightFrom)) return false;
    if (filter.nightTo && (o.night === null || o.night > filter.nightTo)) return false;
    if (filter.requireFile && o.file === null) return false;
    return true;
  });
  return out.sort((a, b) => (a.start ?? '\uffff').localeCompare(b.start ?? '\uffff') || a.obsId - b.obsId);
}

