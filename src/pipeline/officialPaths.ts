import type { PipelineSections } from './config.js';
import { renderTemplate, templateContext } from '../config/template.js';
import type { ClusterFiles } from './ClusterBackend.js';
import type { PlanSubject } from './PipelinePlan.js';

/**
 * Look up each run's official products (config `official_paths`, e.g. lstosa's DL2 made with the same models) on the
 * cluster in one round trip. A run whose official file exists gets that path in place of ASTRAN's own: the stage that
 * would produce it is skipped, later stages read it, and it is never rewritten or removed (it lies under a read-only
 * root). Without official_paths the subject is returned as is, with no round trip.
 */
export async function withOfficialPaths(config: PipelineSections, base: string, subject: PlanSubject, files: Pick<ClusterFiles, 'exists'>): Promise<PlanSubject> {
  const names = Object.keys(config.official_paths);
  if (!names.length || !subject.runs.length) return subject;
  const candidates = subject.runs.flatMap((r) => {
    const ctx = templateContext(config, base, { night: r.night, run: r.runId, source: subject.source, ra: subject.ra, dec: subject.dec, decLine: r.decLine });
    return names.map((name) => ({ runId: r.runId, name, path: renderTemplate(config.official_paths[name], ctx, `official_paths.${name}`) }));
  });
  const flags = await files.exists(candidates.map((c) => c.path));
  const found = new Map<number, Record<string, string>>();
  candidates.forEach((c, i) => {
    if (!flags[i]) return;
    const m = found.get(c.runId) ?? {};
    m[c.name] = c.path;
    found.set(c.runId, m);
  });
  return { ...subject, runs: subject.runs.map((r) => (found.has(r.runId) ? { ...r, paths: { ...r.paths, ...found.get(r.runId) } } : r)) };
}
