import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { JobRecord } from '../src/core/JobStore.js';
import { isFinal } from '../src/core/JobStore.js';
import { roleAtLeast } from '../src/core/services.js';
import { jobIdArg } from '../src/dispatch/validation/argSchemas.js';
import { code } from '../src/dispatch/validation/Problem.js';
import { jobLabel, requesterName } from '../src/dispatch/jobText.js';
import { ownsJob } from '../src/dispatch/ownership.js';
import { jobsOf, unknownJobFix } from './status.js';

export interface CancelArgs {
  job: JobRecord;
}

const CONFIRM_MS = 2 * 60_000;

export const cancel: CommandSpec<CancelArgs> = {
  name: 'cancel',
  summary: 'Stop a job and its cluster work (asks for confirmation; in a job’s thread the id may be left out). Launchers cancel their own jobs; admins any.',
  usage: 'cancel JOB',
  examples: ['cancel A-0042', 'cancel'],
  args: [{ name: 'job', positional: true, description: 'Job id, e.g. A-0042 (optional in the job’s thread).', example: 'A-0042', schema: jobIdArg() }],
  permission: 'launcher',
  sideEffects: "cancels the job's cluster work and marks it cancelled",
  confirmation: {
    timeoutMs: CONFIRM_MS,
    prompt: (_ctx, { job }) => `Cancel ${jobLabel(job)}? Reply \`yes\` within ${CONFIRM_MS / 60_000} minutes.`,
  },

  async check(ctx, parsed) {
    let job: JobRecord | undefined;
    if (typeof parsed.job === 'string') {
      job = ctx.services.store.getJob(parsed.job);
      if (!job) return { ok: false, problems: [{ message: `There is no job ${code(parsed.job)}.`, fix: unknownJobFix(ctx) }] };
    } else if (ctx.threadJob) job = ctx.threadJob;
    else {
      const active = jobsOf(ctx).find((j) => !isFinal(j.state));
      return { ok: false, problems: [{ message: 'Which job?', fix: `Try: \`/astran cancel ${active?.id ?? 'A-0042'}\` (or type \`cancel\` in the job's thread).` }] };
    }
    // Jobs belong to people: a job launched by mail is cancelled from Slack by the same person.
    if (!ownsJob(job, ctx.identity, ctx.person) && !roleAtLeast(ctx.role, 'admin')) {
      return { ok: false, problems: [{ message: `${job.id} was launched by ${requesterName(job)}; you can cancel only your own jobs.`, fix: 'Ask them or an ASTRAN admin.' }] };
    }
    if (isFinal(job.state)) return { ok: false, problems: [{ message: `${job.id} has already finished (${job.state}); there is nothing to cancel.` }] };
    if (job.cancelRequestedBy) return { ok: false, problems: [{ message: `${job.id} is already being cancelled.`, fix: `Follow it in its thread or with \`/astran status ${job.id}\`.` }] };
    return { ok: true, args: { job } };
  },

  async run(ctx, { job }) {
    // Re-read: the job may have finished while we waited for the confirmation.
    const fresh = ctx.services.store.getJob(job.id) ?? job;
    if (isFinal(fresh.state)) return { text: `${fresh.id} finished meanwhile (${fresh.state}); nothing to cancel.` };
    // The thread names who cancelled: the person's configured name where there is one.
    await ctx.services.jobs.cancel(fresh, ctx.person ? { ...ctx.identity, displayName: ctx.person.name } : ctx.identity);
    return { text: `Cancelling ${fresh.id}. Its thread will say when the cluster work has stopped.` };
  },
};
