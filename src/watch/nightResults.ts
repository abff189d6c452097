/** What the store knows about a subscription's nights: the watcher's launches and their jobs' results. */
import type { JobRecord, JobStore } from '../core/JobStore.js';
import type { WatchLaunch, WatchStore } from '../core/WatchStore.js';
import type { TrendPoint } from '../plots/renderTrend.js';

/** The night's integral flux from the IRFs (issue #11), when the files carried IRFs. */
export interface NightFlux {
  crab_units: number;
  crab_units_error: number;
  index: number;
  e_min_tev: number;
  e_max_tev: number;
}

export interface NightTotals {
  n_runs: number;
  livetime_s: number;
  excess: number;
  significance: number;
  excess_rate_per_min: number;
  /** Absent or null when the job computed none. */
  flux?: NightFlux | null;
}

function fluxOf(v: unknown): NightFlux | null {
  const f = v as Partial<NightFlux> | null | undefined;
  if (!f || typeof f !== 'object') return null;
  const keys: (keyof NightFlux)[] = ['crab_units', 'crab_units_error', 'index', 'e_min_tev', 'e_max_tev'];
  return keys.every((k) => typeof f[k] === 'number' && Number.isFinite(f[k])) ? (f as NightFlux) : null;
}

/** The numbers of a finished job's result (null when the job has none, e.g. failed or a dry run). */
export function totalsOf(job: JobRecord | undefined): NightTotals | null {
  const t = (job?.result as { total?: Partial<NightTotals> } | null | undefined)?.total;
  if (!job || job.state !== 'done' || !t) return null;
  const keys: (keyof NightTotals)[] = ['n_runs', 'livetime_s', 'excess', 'significance', 'excess_rate_per_min'];
  if (!keys.every((k) => typeof t[k] === 'number')) return null;
  return { ...(t as NightTotals), flux: fluxOf((t as { flux?: unknown }).flux) };
}

export interface NightJobs {
  launches: WatchLaunch[];
  jobs: JobRecord[];
  /** The latest job that finished with a result: it covers every run ready when it was launched. */
  latestDone?: { job: JobRecord; totals: NightTotals };
  /** The latest job of the night, whatever its state. */
  latest?: JobRecord;
}

export function nightJobs(watch: WatchStore, jobs: JobStore, source: string, cutsKey: string, night: string): NightJobs {
  const launches = watch.listLaunches({ source, cutsKey, nightFrom: night, nightTo: night });
  const list = launches.map((l) => (l.jobId ? jobs.getJob(l.jobId) : undefined)).filter((j): j is JobRecord => j !== undefined);
  let latestDone: NightJobs['latestDone'];
  for (const j of list) {
    const t = totalsOf(j);
    if (t) latestDone = { job: j, totals: t };
  }
  return { launches, jobs: list, latestDone, latest: list[list.length - 1] };
}

/** Significance and excess rate per night, from the latest finished job of each night in [from, to]. */
export function trendPoints(watch: WatchStore, jobs: JobStore, source: string, cutsKey: string, from: string, to: string): TrendPoint[] {
  const byNight = new Map<string, TrendPoint>();
  for (const l of watch.listLaunches({ source, cutsKey, nightFrom: from, nightTo: to })) {
    const t = totalsOf(l.jobId ? jobs.getJob(l.jobId) : undefined);
    if (t)
      byNight.set(l.night, {
        night: l.night,
        significance: t.significance,
        excessRatePerMin: t.excess_rate_per_min,
        ...(t.flux ? { fluxCrab: t.flux.crab_units, fluxCrabError: t.flux.crab_units_error } : {}),
      });
  }
  return [...byNight.values()];
}
