import { z } from 'zod';
import type { FluxHistoryPoint } from '../analysis/types.js';
import type { JobRecord, JobStore } from '../core/JobStore.js';

const Flux = z.object({ index: z.number(), crab_units: z.number(), crab_units_error: z.number() }).loose();
/** The parts of a stored job result the light curve needs (the result is stored JSON: parse, do not trust). */
const StoredResult = z
  .object({
    total: z.object({ flux: Flux.nullable().optional() }).loose().optional(),
    nights: z.array(z.object({ night: z.string().regex(/^\d{8}$/), flux: Flux.nullable() }).loose()).optional(),
  })
  .loose();

const sameCuts = (a: JobRecord['params'], b: JobRecord['params']) =>
  a.theta2_cut === b.theta2_cut && a.off_regions === b.off_regions && a.emin === b.emin && a.emax === b.emax;

const sameTarget = (a: JobRecord['params'], b: JobRecord['params']) =>
  a.source === b.source && (a.target === undefined) === (b.target === undefined) && (!a.target || (a.target.ra === b.target!.ra && a.target.dec === b.target!.dec));

/**
 * Earlier nights of the same source and cuts from finished jobs, for the light curve: one point per night before the
 * job's first night, from the latest job that covered it (a one-night job's total flux, or a night of a longer job),
 * and only fluxes computed with the same index Γ (Crab units depend on it). Unreadable stored results are skipped.
 */
export function fluxHistory(store: Pick<JobStore, 'listJobs'>, job: JobRecord, index: number): FluxHistoryPoint[] {
  const byNight = new Map<string, FluxHistoryPoint>();
  for (const j of store.listJobs()) {
    // listJobs is newest first: the first job seen for a night wins.
    if (j.id === job.id || j.state !== 'done' || !sameTarget(j.params, job.params) || !sameCuts(j.params, job.params)) continue;
    const r = StoredResult.safeParse(j.result);
    if (!r.success) continue;
    const points: { night: string; flux: z.infer<typeof Flux> | null | undefined }[] =
      j.params.nightFrom === j.params.nightTo ? [{ night: j.params.nightFrom, flux: r.data.total?.flux }] : (r.data.nights ?? []);
    for (const p of points) {
      if (!p.flux || p.flux.index !== index || !(p.night < job.params.nightFrom) || byNight.has(p.night)) continue;
      byNight.set(p.night, { night: p.night, crab_units: p.flux.crab_units, crab_units_error: p.flux.crab_units_error });
    }
  }
  return [...byNight.values()].sort((a, b) => a.night.localeCompare(b.night));
}
