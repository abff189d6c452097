import type { Identity } from '../core/types.js';
import type { Person } from '../core/services.js';
import type { JobRecord, JobStore } from '../core/JobStore.js';
import { sameIdentityKey } from '../people/identityKey.js';

/**
 * Whether a job is the sender's own. Jobs belong to people: one launched by mail is cancelled from Slack by the same
 * person. A job with a recorded owner belongs to that person only; a job without one (launched before its requester
 * was a configured person, or by an identity of no person) belongs to its requester identity, and to the person who
 * has that identity now.
 */
export function ownsJob(job: JobRecord, identity: Identity, person: Person | undefined): boolean {
  if (job.owner) return person !== undefined && job.owner.person === person.id;
  if (sameIdentityKey(job.requester, identity)) return true;
  return person !== undefined && person.identities.some((i) => sameIdentityKey(i, job.requester));
}

/** The sender's jobs (as ownsJob decides), newest first, at most `max`; `active`: only unfinished ones. */
export function ownJobs(store: JobStore, identity: Identity, person: Person | undefined, max = 50, active = false): JobRecord[] {
  const userIds = [...new Set([identity.userId, ...(person?.identities.map((i) => i.userId) ?? [])])];
  // The store filter is a superset (user ids of any adapter, any letter case for e-mail is handled below).
  const found = store.listJobs({ owner: { person: person?.id, userIds: caseVariants(userIds) }, ...(active ? { active: true } : {}), limit: max * 2 + 10 });
  return found
    .filter((j) => ownsJob(j, identity, person))
    .sort((a, b) => b.seq - a.seq)
    .slice(0, max);
}

/** E-mail user ids are stored as the adapter saw them; the lower-case form is what people and the access list use. */
function caseVariants(ids: string[]): string[] {
  return [...new Set(ids.flatMap((id) => (id.includes('@') ? [id, id.toLowerCase()] : [id])))];
}
