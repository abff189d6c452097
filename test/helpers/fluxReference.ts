/** The committed gammapy 1.0 flux reference (scripts/gammapy/flux_reference.py) and the runs it was made from. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRun } from '../../src/analysis/RunData.js';
import { readRunIrfs } from '../../src/analysis/irf/readRunIrfs.js';
import { makeSpectrumDataset, type SpectrumDataset } from '../../src/analysis/flux/spectrumDataset.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FLUX_REF = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/gammapy/flux_reference.json'), 'utf8'));

export function runFile(group: { pointlike: boolean }, obsId: number): string {
  const id = String(obsId).padStart(6, '0');
  return group.pointlike
    ? join(ROOT, `test/fixtures/pointlike/pointlike_obs_id_${id}.fits.gz`)
    : join(ROOT, `test/fixtures/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_${id}.fits.gz`);
}

const cache = new Map<string, SpectrumDataset[]>();

/** ASTRAN's datasets for a reference group (θ² cut and OFF regions as in the reference), cached per test file. */
export function groupDatasets(name: string): SpectrumDataset[] {
  const hit = cache.get(name);
  if (hit) return hit;
  const g = FLUX_REF.groups[name];
  const ds = g.runs.map((r: { obs_id: number }) => {
    const f = runFile(g, r.obs_id);
    return makeSpectrumDataset(readRun(f), readRunIrfs(f), { source: g.source, theta2Cut: FLUX_REF.theta2_cut, offRegions: FLUX_REF.n_off_regions });
  });
  cache.set(name, ds);
  return ds;
}
