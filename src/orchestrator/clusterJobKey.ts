import { randomBytes } from 'node:crypto';
import type { JobStore } from '../core/JobStore.js';

const META_KEY = 'store_id';

/**
 * The name a job carries on the cluster: `<store id>_<job id>`, e.g. `k3f9a2_A-0042`. Job ids restart at A-0001 with a
 * new database; without the store's own random id, a restarted bot looking for "its" stage by Slurm job name could
 * find a job an earlier database submitted under the same id, and never submit its own.
 */
export function clusterJobKey(store: JobStore, jobId: string): string {
  let id = store.getMeta(META_KEY);
  if (!id) {
    id = randomBytes(4).toString('hex').slice(0, 6);
    store.setMeta(META_KEY, id);
  }
  return `${id}_${jobId}`;
}
