import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { JobRecord } from '../src/core/JobStore.js';
import { isFinal } from '../src/core/JobStore.js';
import { boolArg } from '../src/dispatch/validation/argSchemas.js';
import { jobLabel, requesterName, sameIdentity } from '../src/dispatch/jobText.js';

export interface JobsArgs {
  /** Absent when not given. */
  mine?: boolean;
}

const RECENT = 10;
const SHOWN = 30;

export const jobs: CommandSpec<JobsArgs> = {
  name: 'jobs',
  summary: 'List active jobs and the most recent finished ones.',
  usage: 'jobs [mine=yes]',
  examples: ['jobs', 'jobs mine=yes'],
  args: [{ name: 'mine', flag: true, description: 'Only your own jobs (yes/no).', example: 'yes', schema: boolArg() }],
  permission: 'viewer',
  sideEffects: 'none',

  async run(ctx, { mine }) {
    const store = ctx.services.store;
    const keep = (j: JobRecord) => !mine || sameIdentity(j.requester, ctx.identity);
    const who = mine ? { requesterUserId: ctx.identity.userId } : {};
    const active = store.listJobs({ ...who, active: true, limit: SHOWN + 1 }).filter(keep).sort((a, b) => b.seq - a.seq);
    // Finished jobs among the latest ones (newest first in both stores).
    const recent = store
      .listJobs({ ...who, limit: 60 })
      .filter((j) => isFinal(j.state) && keep(j))
      .sort((a, b) => b.seq - a.seq)
      .slice(0, RECENT);
    if (!active.length && !recent.length) return { text: mine ? 'You have no jobs yet.' : 'No jobs yet. `/astran help launch` shows how to start one.' };
    const line = (j: JobRecord) => `• ${jobLabel(j)} — ${requesterName(j)}`;
    const out: string[] = [];
    out.push(active.length > SHOWN ? `*Active (more than ${SHOWN})*` : active.length ? `*Active (${active.length})*` : '*Active*: none');
    out.push(...active.slice(0, SHOWN).map(line));
    if (active.length > SHOWN) out.push('…and more: `/astran jobs mine=yes` shows only yours.');
    if (recent.length) out.push(`*Recently finished*`, ...recent.map(line));
    return { text: out.join('\n') };
  },
};
