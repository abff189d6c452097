import type { Identity } from '../core/types.js';
import type { JobRecord } from '../core/JobStore.js';

/** `A-0042 (Crab Nebula, 20231207, stage dl1_to_dl2)` — what a job is, in one line. */
export function jobLabel(job: JobRecord): string {
  const p = job.params;
  const nights = p.nightFrom === p.nightTo ? p.nightFrom : `${p.nightFrom}..${p.nightTo}`;
  const where = job.state === 'running' && job.stage ? `stage ${job.stage}` : job.state.replace('_', ' ');
  return `${job.id} (${p.source}, ${nights}, ${where})`;
}

/** Stable "adapter:userId" form used by authorization, ownership and confirmations. */
export function identityKey(id: Identity): string {
  return `${id.adapter}:${id.userId}`;
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.adapter === b.adapter && a.userId === b.userId;
}

export function requesterName(job: JobRecord): string {
  return job.requester.displayName || identityKey(job.requester);
}
