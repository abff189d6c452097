import type { Identity } from '../core/types.js';
import type { JobRecord } from '../core/JobStore.js';
import { userText } from '../core/userText.js';

/** `A-0042 (Crab Nebula, 20231207, stage dl1_to_dl2)` — what a job is, in one line. */
export function jobLabel(job: JobRecord): string {
  const p = job.params;
  const nights = p.nightFrom === p.nightTo ? p.nightFrom : `${p.nightFrom}..${p.nightTo}`;
  const where = job.state === 'running' && job.stage ? `stage ${job.stage}` : job.state.replace('_', ' ');
  // A target of opportunity is named by whoever launched it; catalogue names are configuration.
  return `${job.id} (${p.target ? userText(p.source) : p.source}, ${nights}, ${where})`;
}

/** Stable "adapter:userId" form used by authorization, ownership and confirmations. */
export function identityKey(id: Identity): string {
  return `${id.adapter}:${id.userId}`;
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.adapter === b.adapter && a.userId === b.userId;
}

/** Who launched a job (the person's name, else the display name, else the identity): src/people/requesterName.ts. */
export { requesterName } from '../people/requesterName.js';
