import type { JobRecord } from '../core/JobStore.js';
import { userText } from '../core/userText.js';

/**
 * Who launched a job, for `jobs`, cancel refusals and thread headers: the person's configured name, else the platform's
 * display name, else the identity. Marked as user text (src/core/userText.ts): each adapter escapes it by its
 * platform's rules, so it shows as typed and can neither mention, link nor format.
 */
export function requesterName(job: Pick<JobRecord, 'owner' | 'requester'>): string {
  if (job.owner) return userText(job.owner.name);
  return userText(job.requester.displayName || `${job.requester.adapter}:${job.requester.userId}`);
}
