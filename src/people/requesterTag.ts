import type { JobRecord } from '../core/JobStore.js';

/** What the Slurm job comment may carry as the requester: one word of safe characters (the comment goes into sbatch). */
export const REQUESTER_TAG_RE = /^[A-Za-z0-9][A-Za-z0-9_.@+:-]{0,79}$/;

/**
 * How the Slurm job comment names a job's requester: the person's id (`alice`); for a requester who is no configured
 * person, their `adapter:userId` with anything but letters, digits and _ . @ + : - replaced by `_` (an address is
 * user-controlled text). Always matches REQUESTER_TAG_RE.
 */
export function requesterTag(job: Pick<JobRecord, 'owner' | 'requester'>): string {
  if (job.owner && REQUESTER_TAG_RE.test(job.owner.person)) return job.owner.person;
  const raw = `${job.requester.adapter}:${job.requester.userId}`.replace(/[^A-Za-z0-9_.@+:-]/g, '_').slice(0, 80);
  return REQUESTER_TAG_RE.test(raw) ? raw : 'unknown';
}
