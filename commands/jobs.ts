import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { JobRecord } from '../src/core/JobStore.js';
import { isFinal } from '../src/core/JobStore.js';
import { boolArg } from '../src/dispatch/validation/argSchemas.js';
import { jobLabel, requesterName } from '../src/dispatch/jobText.js';
import { ownJobs } from '../src/dispatch/ownership.js';

export interface JobsArgs {
  /** Absent when not given. */
  mine?: boolean;
}

const RECENT = 10;
const SHOWN = 30;

export const jobs: CommandSpec<JobsArgs> = {
  name: 'jobs',
  summary: 'List active jobs and the most recent finished ones, with who launched each (`jobs mine`: only yours, from any of your chats and mail).',
  usage: 'jobs [mine]',
  examples: ['jobs', 'jobs mine'],
  args: [{ name: 'mine', flag: true, description: 'Only your own jobs, launched from any of your identities (yes/no).', example: 'yes', schema: boolArg() }],
  permission: 'viewer',
  sideEffects: 'none',

  async run(ctx, { mine }) {
    const store = ctx.services.store;
    // Jobs belong to people: `mine` lists the jobs of every identity of the sender's person.
    const list = (o: { active?: boolean; limit: number }) =>
      mine ? ownJobs(store, ctx.identity, ctx.person, o.limit, o.active) : store.listJobs(o).sort((a, b) => b.seq - a.seq);
    const active = list({ active: true, limit: SHOWN + 1 });
    // Finished jobs among the latest ones (newest first in both stores).
    const recent = list({ limit: 60 })
      .filter((j) => isFinal(j.state))
      .slice(0, RECENT);
    if (!active.length && !recent.length) return { text: mine ? 'You have no jobs yet.' : 'No jobs yet. `/astran help launch` shows how to start one.' };
    const line = (j: JobRecord) => `• ${jobLabel(j)} — ${requesterName(j)}`;
    const out: string[] = [];
    out.push(active.length > SHOWN ? `*Active (more than ${SHOWN})*` : active.length ? `*Active (${active.length})*` : '*Active*: none');
    out.push(...active.slice(0, SHOWN).map(line));
    if (active.length > SHOWN) out.push('…and more: `/astran jobs mine` shows only yours.');
    if (recent.length) out.push(`*Recently finished*`, ...recent.map(line));
    return { text: out.join('\n') };
  },
};
