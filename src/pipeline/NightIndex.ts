import { basename, dirname, posix } from 'node:path';
import type { NightIndex, RunInfo } from '../core/services.js';
import type { SourceCatalog, SourceEntry } from '../config/SourceCatalog.js';
import type { LoadedFile } from '../config/loadConfigFile.js';
import type { DataConfig } from './config.js';
import { listObservations, readIndexFiles, type DataStore, type ObservationInfo } from '../analysis/DataStore.js';
import { separationDeg } from '../analysis/geometry.js';
import { renderTemplate } from '../config/template.js';
import { parseRunCatalog, type RunCatalogRow } from './runCatalog.js';
import { dataRunIds, parseRunSummary } from './runSummary.js';
import type { ClusterBackend, ClusterFiles } from './ClusterBackend.js';
import { UserFacingError } from '../core/errors.js';
import { nightRange } from '../util/nights.js';
import type { Logger } from '../log.js';

/** Pointings within this distance of a source belong to it when the index's object name is not in the source list. */
const POINTING_MATCH_DEG = 2.5;
/** Run-catalog coordinates within this distance name the same source. */
const CATALOG_MATCH_DEG = 0.5;
/** GADF index file names, preferred first (as the analysis's own DataStore looks for them). */
const OBS_INDEX_NAMES = ['obs-index.fits.gz', 'obs-index.fits'];
const HDU_INDEX_NAMES = ['hdu-index.fits.gz', 'hdu-index.fits'];

function countByNight(runs: RunInfo[]): { night: string; runs: number }[] {
  const m = new Map<string, number>();
  for (const r of runs) m.set(r.night, (m.get(r.night) ?? 0) + 1);
  return [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([night, runs]) => ({ night, runs }));
}

export interface ObsIndexNightIndexOptions {
  /** The DL3 data store folder holding obs-index/hdu-index (data.dl3_store), as the cluster sees it. */
  dir: string;
  sources: SourceCatalog;
  /** Where the index and the run files are: the cluster backend (local disk, or Slurm over SSH). */
  files: Pick<ClusterBackend, 'stat' | 'exists' | 'fetch'>;
  /** Local folder for the copies of the index files (FITS, gzipped: fetched as files, not read as text). */
  cacheDir: string;
  log: Logger;
}

/**
 * Nights from a DL3 data store's obs-index, read through the cluster backend like every other catalogue: a bot host
 * without the data file system sees the same index as the compute nodes. The index pair is fetched (it is gzipped
 * FITS) only when its size or mtime changed; each query then checks in one round trip which runs' files exist on the
 * cluster, and runs whose file is absent are skipped.
 */
export class ObsIndexNightIndex implements NightIndex {
  private cached: { key: string; store: DataStore } | null = null;
  private loading: { key: string; p: Promise<DataStore> } | null = null;

  constructor(private readonly o: ObsIndexNightIndexOptions) {}

  private async store(): Promise<DataStore> {
    const names = [...OBS_INDEX_NAMES, ...HDU_INDEX_NAMES];
    const paths = names.map((n) => posix.join(this.o.dir, n));
    const stats = await this.o.files.stat(paths);
    const obsAt = OBS_INDEX_NAMES.findIndex((_, i) => stats[i] !== null);
    if (obsAt < 0) {
      this.o.log.error({ dir: basename(this.o.dir) }, 'the DL3 data store has no obs-index on the cluster');
      throw new UserFacingError('I cannot find the DL3 index of the data store.', 'Tell an ASTRAN admin: data.dl3_store must point at a folder with obs-index.fits.gz.');
    }
    const hduAt = HDU_INDEX_NAMES.findIndex((_, i) => stats[OBS_INDEX_NAMES.length + i] !== null);
    const want = [paths[obsAt]!, ...(hduAt >= 0 ? [paths[OBS_INDEX_NAMES.length + hduAt]!] : [])];
    const key = want.map((p) => `${p}:${stats[paths.indexOf(p)]!.size}:${stats[paths.indexOf(p)]!.mtimeMs}`).join('|');
    if (this.cached?.key === key) return this.cached.store;
    // One download per index version: concurrent queries wait for it instead of writing the same local copies.
    if (this.loading?.key !== key) {
      const p = this.o.files.fetch(want, this.o.cacheDir).then((local) => {
        const store = readIndexFiles(this.o.dir, local[0]!, local[1]);
        this.cached = { key, store };
        return store;
      });
      this.loading = { key, p };
      p.catch(() => undefined).finally(() => {
        if (this.loading?.p === p) this.loading = null;
      });
    }
    return this.loading.p;
  }

  private matches(source: SourceEntry, object: string | null, ra: number, dec: number): boolean {
    const named = object ? this.o.sources.resolve(object) : undefined;
    if (named) return named.name === source.name;
    return separationDeg(ra, dec, source.ra, source.dec) <= POINTING_MATCH_DEG;
  }

  private async all(source: SourceEntry, from?: string, to?: string): Promise<RunInfo[]> {
    let picked: ObservationInfo[];
    try {
      const store = await this.store();
      const listed = listObservations(store, { nightFrom: from, nightTo: to }).filter((o) => o.night !== null && o.file !== null && this.matches(source, o.object, o.raPnt, o.decPnt));
      // The run files as the cluster sees them (one round trip); runs the index lists without a file are skipped.
      const there = await this.o.files.exists(listed.map((o) => o.file!));
      const absent = there.filter((x) => !x).length;
      if (absent) this.o.log.debug({ absent }, 'obs-index lists runs whose files are absent; they are skipped');
      picked = listed.filter((_, i) => there[i]);
    } catch (e) {
      catalogueUnavailable(e, this.o.log);
    }
    return picked.map((o) => ({ runId: o.obsId, night: o.night!, source: source.name, start: o.start ?? undefined }));
  }

  async runs(source: SourceEntry, nightFrom: string, nightTo: string): Promise<RunInfo[]> {
    return this.all(source, nightFrom, nightTo);
  }

  async nights(source: SourceEntry): Promise<{ night: string; runs: number }[]> {
    return countByNight(await this.all(source));
  }
}

export interface RunCatalogIndexOptions {
  /** RunCatalog path template ({base}, {night}). */
  catalog: string;
  /** RunSummary path template; when the night's file is present only its DATA runs count. */
  summary?: string;
  base: string;
  sources: SourceCatalog;
  /** Where the catalogues are read: the cluster backend (local disk or Slurm over SSH). */
  files: ClusterFiles;
  log: Logger;
}

interface Cached<T> {
  size: number;
  mtimeMs: number;
  value: T;
}

/** The cluster was unreachable or answered nonsense while reading catalogues. */
function catalogueUnavailable(err: unknown, log: Logger): never {
  if (err instanceof UserFacingError) throw err;
  log.error({ err }, 'cannot read the night catalogues on the cluster');
  throw new UserFacingError('I cannot read the night catalogues on the cluster right now.', 'Try again in a few minutes; if it persists, tell an ASTRAN admin.');
}

/**
 * Nights from LST RunCatalog_YYYYMMDD.ecsv files (one per night), read through the cluster backend: a bot host without
 * the data file system sees the same catalogues as the compute nodes. When the night's RunSummary is present only runs
 * with run_type DATA are kept (as lstosa does). Parsed files are cached by (size, mtime): one stat round trip per query,
 * one read round trip for files that changed.
 */
export class RunCatalogNightIndex implements NightIndex {
  private readonly catalogs = new Map<string, Cached<RunCatalogRow[]>>();
  private readonly summaries = new Map<string, Cached<Set<number> | null>>();

  constructor(private readonly o: RunCatalogIndexOptions) {}

  private catalogFile(night: string): string {
    return renderTemplate(this.o.catalog, { base: this.o.base, night }, 'data.run_catalog');
  }

  private summaryFile(night: string): string | undefined {
    return this.o.summary ? renderTemplate(this.o.summary, { base: this.o.base, night }, 'data.run_summary') : undefined;
  }

  /** Read (or reuse) the files whose stat changed; parse errors make the file count as `fallback`. */
  private async load<T>(paths: string[], cache: Map<string, Cached<T>>, parse: (text: string, file: string) => T, fallback: T): Promise<(T | undefined)[]> {
    const stats = await this.o.files.stat(paths);
    const stale = paths.filter((p, i) => {
      const st = stats[i];
      const c = cache.get(p);
      return st !== null && !(c && c.size === st.size && c.mtimeMs === st.mtimeMs);
    });
    const texts = stale.length ? await this.o.files.readText(stale) : [];
    stale.forEach((p, i) => {
      const st = stats[paths.indexOf(p)]!;
      const text = texts[i];
      if (text === null) {
        cache.delete(p);
        return;
      }
      let value: T;
      try {
        value = parse(text, basename(p));
      } catch (e) {
        this.o.log.error({ err: e, file: basename(p) }, 'unreadable night catalogue; ignored');
        value = fallback;
      }
      cache.set(p, { size: st.size, mtimeMs: st.mtimeMs, value });
    });
    return paths.map((p, i) => (stats[i] === null ? undefined : cache.get(p)?.value));
  }

  /** Rows of each night (DATA runs only when the RunSummary is there). */
  private async rows(nights: string[]): Promise<Map<string, RunCatalogRow[]>> {
    const out = new Map<string, RunCatalogRow[]>();
    if (nights.length === 0) return out;
    try {
      const cats = await this.load(nights.map((n) => this.catalogFile(n)), this.catalogs, (t, f) => parseRunCatalog(t, f), [] as RunCatalogRow[]);
      const sumPaths = nights.map((n) => this.summaryFile(n)).filter((p): p is string => p !== undefined);
      const sums = sumPaths.length ? await this.load(sumPaths, this.summaries, (t, f) => dataRunIds(parseRunSummary(t, f)), null) : [];
      nights.forEach((n, i) => {
        const rows = cats[i] ?? [];
        const data = sums[i];
        out.set(n, data ? rows.filter((r) => data.has(r.run_id)) : rows);
      });
    } catch (e) {
      catalogueUnavailable(e, this.o.log);
    }
    return out;
  }

  private matches(source: SourceEntry, r: RunCatalogRow): boolean {
    const named = this.o.sources.resolve(r.source_name);
    if (named) return named.name === source.name;
    return r.source_ra !== null && r.source_dec !== null && separationDeg(r.source_ra, r.source_dec, source.ra, source.dec) <= CATALOG_MATCH_DEG;
  }

  private collect(source: SourceEntry, rows: Map<string, RunCatalogRow[]>): RunInfo[] {
    const out: RunInfo[] = [];
    for (const [night, rs] of rows) for (const r of rs) if (this.matches(source, r)) out.push({ runId: r.run_id, night, source: source.name, pointingDec: r.source_dec ?? undefined });
    return out;
  }

  async runs(source: SourceEntry, nightFrom: string, nightTo: string): Promise<RunInfo[]> {
    return this.collect(source, await this.rows(nightRange(nightFrom, nightTo)));
  }

  /** Scans the catalogue folder through the backend (the night must appear only in the file name). */
  async nights(source: SourceEntry): Promise<{ night: string; runs: number }[]> {
    const probe = this.catalogFile('99999999');
    const dir = dirname(probe);
    const [pre, post] = basename(probe).split('99999999');
    if (dir.includes('99999999')) return [];
    let names: string[] | null;
    try {
      names = await this.o.files.list(dir);
    } catch (e) {
      catalogueUnavailable(e, this.o.log);
    }
    const nights = (names ?? [])
      .filter((n) => n.startsWith(pre) && n.endsWith(post) && /^\d{8}$/.test(n.slice(pre.length, n.length - post.length)))
      .map((n) => n.slice(pre.length, n.length - post.length));
    return countByNight(this.collect(source, await this.rows(nights)));
  }
}

/**
 * The night index named by `data.night_index`. Catalogues and DL3 indexes are read through `files` (the cluster
 * backend); copies of the (binary) DL3 index files go to `cacheDir` on the bot host.
 */
export function createNightIndex(
  loaded: Pick<LoadedFile<{ data: DataConfig }>, 'config' | 'base' | 'sources'>,
  log: Logger,
  files: ClusterFiles & Pick<ClusterBackend, 'fetch'>,
  cacheDir: string,
): NightIndex {
  const d = loaded.config.data;
  if (d.night_index === 'run_catalog')
    return new RunCatalogNightIndex({ catalog: d.run_catalog!, summary: d.run_summary, base: loaded.base, sources: loaded.sources, files, log });
  return new ObsIndexNightIndex({ dir: renderTemplate(d.dl3_store!, { base: loaded.base }, 'data.dl3_store'), sources: loaded.sources, files, cacheDir, log });
}
