import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { NightIndex, RunInfo } from '../core/services.js';
import type { SourceCatalog, SourceEntry } from '../config/SourceCatalog.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import { openDataStore, listObservations, type DataStore } from '../analysis/DataStore.js';
import { separationDeg } from '../analysis/geometry.js';
import { renderTemplate } from '../config/template.js';
import { parseRunCatalog, type RunCatalogRow } from './runCatalog.js';
import { nightRange } from '../util/nights.js';
import type { Logger } from '../log.js';

/** Pointings within this distance of a source belong to it when the index's object name is not in the source list. */
const POINTING_MATCH_DEG = 2.5;
/** Run-catalog coordinates within this distance name the same source. */
const CATALOG_MATCH_DEG = 0.5;

function countByNight(runs: RunInfo[]): { night: string; runs: number }[] {
  const m = new Map<string, number>();
  for (const r of runs) m.set(r.night, (m.get(r.night) ?? 0) + 1);
  return [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([night, runs]) => ({ night, runs }));
}

/** Nights from a DL3 data store's obs-index (reloaded when the index file changes). Runs whose file is absent are skipped. */
export class ObsIndexNightIndex implements NightIndex {
  private cached: { mtimeMs: number; store: DataStore } | null = null;

  constructor(
    private readonly dir: string,
    private readonly sources: SourceCatalog,
    private readonly log: Logger,
  ) {}

  private store(): DataStore {
    const idx = ['obs-index.fits.gz', 'obs-index.fits'].map((n) => `${this.dir}/${n}`).find((p) => existsSync(p));
    const mtimeMs = idx ? statSync(idx).mtimeMs : -1;
    if (!this.cached || this.cached.mtimeMs !== mtimeMs) {
      const store = openDataStore(this.dir);
      const absent = store.observations.filter((o) => o.file === null).length;
      if (absent) this.log.debug({ absent }, 'obs-index lists runs whose files are absent; they are skipped');
      this.cached = { mtimeMs, store };
    }
    return this.cached.store;
  }

  private matches(source: SourceEntry, object: string | null, ra: number, dec: number): boolean {
    const named = object ? this.sources.resolve(object) : undefined;
    if (named) return named.name === source.name;
    return separationDeg(ra, dec, source.ra, source.dec) <= POINTING_MATCH_DEG;
  }

  private all(source: SourceEntry, from?: string, to?: string): RunInfo[] {
    return listObservations(this.store(), { nightFrom: from, nightTo: to, requireFile: true })
      .filter((o) => o.night !== null && this.matches(source, o.object, o.raPnt, o.decPnt))
      .map((o) => ({ runId: o.obsId, night: o.night!, source: source.name, start: o.start ?? undefined }));
  }

  async runs(source: SourceEntry, nightFrom: string, nightTo: string): Promise<RunInfo[]> {
    return this.all(source, nightFrom, nightTo);
  }

  async nights(source: SourceEntry): Promise<{ night: string; runs: number }[]> {
    return countByNight(this.all(source));
  }
}

/** Nights from LST RunCatalog_YYYYMMDD.ecsv files (one per night). */
export class RunCatalogNightIndex implements NightIndex {
  private readonly cache = new Map<string, { mtimeMs: number; rows: RunCatalogRow[] }>();

  constructor(
    private readonly template: string,
    private readonly base: string,
    private readonly sources: SourceCatalog,
    private readonly log: Logger,
  ) {}

  private file(night: string): string {
    return renderTemplate(this.template, { base: this.base, night }, 'data.run_catalog');
  }

  private rows(night: string): RunCatalogRow[] {
    const f = this.file(night);
    if (!existsSync(f)) return [];
    const mtimeMs = statSync(f).mtimeMs;
    const c = this.cache.get(f);
    if (c && c.mtimeMs === mtimeMs) return c.rows;
    try {
      const rows = parseRunCatalog(readFileSync(f, 'utf8'), basename(f));
      this.cache.set(f, { mtimeMs, rows });
      return rows;
    } catch (e) {
      this.log.error({ err: e, night }, 'unreadable run catalog; its night is treated as empty');
      return [];
    }
  }

  private matches(source: SourceEntry, r: RunCatalogRow): boolean {
    const named = this.sources.resolve(r.source_name);
    if (named) return named.name === source.name;
    return r.source_ra !== null && r.source_dec !== null && separationDeg(r.source_ra, r.source_dec, source.ra, source.dec) <= CATALOG_MATCH_DEG;
  }

  async runs(source: SourceEntry, nightFrom: string, nightTo: string): Promise<RunInfo[]> {
    const out: RunInfo[] = [];
    for (const night of nightRange(nightFrom, nightTo))
      for (const r of this.rows(night)) if (this.matches(source, r)) out.push({ runId: r.run_id, night, source: source.name });
    return out;
  }

  /** Scans the catalog folder (the night must appear only in the file name). */
  async nights(source: SourceEntry): Promise<{ night: string; runs: number }[]> {
    const probe = this.file('99999999');
    const dir = dirname(probe);
    const [pre, post] = basename(probe).split('99999999');
    if (!existsSync(dir) || dir.includes('99999999')) return [];
    const nights = readdirSync(dir)
      .filter((n) => n.startsWith(pre) && n.endsWith(post) && /^\d{8}$/.test(n.slice(pre.length, n.length - post.length)))
      .map((n) => n.slice(pre.length, n.length - post.length));
    const out: RunInfo[] = [];
    for (const night of nights) for (const r of this.rows(night)) if (this.matches(source, r)) out.push({ runId: r.run_id, night, source: source.name });
    return countByNight(out);
  }
}

export function createNightIndex(loaded: LoadedConfig, log: Logger): NightIndex {
  const d = loaded.config.data;
  if (d.night_index === 'run_catalog') return new RunCatalogNightIndex(d.run_catalog!, loaded.base, loaded.sources, log);
  return new ObsIndexNightIndex(renderTemplate(d.dl3_store!, { base: loaded.base }, 'data.dl3_store'), loaded.sources, log);
}
