import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { JobRecord } from '../src/core/JobStore.js';
import type { CommandContext } from '../src/core/services.js';
import { jobIdArg } from '../src/dispatch/validation/argSchemas.js';
import { code } from '../src/dispatch/validation/Problem.js';
import { ownJobs } from '../src/dispatch/ownership.js';

export type StatusArgs = { job: JobRecord } | { job: null };

/** The sender's jobs (their person's, from any adapter), newest first. */
export function jobsOf(ctx: CommandContext, max = 50): JobRecord[] {
  return ownJobs(ctx.services.store, ctx.identity, ctx.person, max);
}

export function unknownJobFix(ctx: CommandContext): string {
  const mine = jobsOf(ctx, 5).slice(0, 3).map((j) => `\`${j.id}\``);
  return mine.length ? `Your recent jobs: ${mine.join(', ')}. \`/astran jobs\` lists all.` : '`/astran jobs` lists recent and active jobs.';
}

export const status: CommandSpec<StatusArgs> = {
  name: 'status',
  summary: "Show a job's stage, runs done, elapsed time and last events (in a job's thread, that job; else your latest).",
  usage: 'status [JOB]',
  examples: ['status A-0042', 'status'],
  args: [{ name: 'job', positional: true, description: 'Job id, e.g. A-0042 (optional in a job thread).', example: 'A-0042', schema: jobIdArg() }],
  permission: 'viewer',
  sideEffects: 'none',

  async check(ctx, parsed) {
    if (typeof parsed.job === 'string') {
      const job = ctx.services.store.getJob(parsed.job);
      if (!job) return { ok: false, problems: [{ message: `There is no job ${code(parsed.job)}.`, fix: unknownJobFix(ctx) }] };
      return { ok: true, args: { job } };
    }
    if (ctx.threadJob) return { ok: true, args: { job: ctx.threadJob } };
    return { ok: true, args: { job: jobsOf(ctx, 1)[0] ?? null } };
  },

  async run(ctx, args) {
    if (!args.job) {
      return { text: 'You have no jobs yet. `/astran status A-0042` shows any job, `/astran jobs` lists recent ones, `/astran help launch` explains how to start one.', ephemeral: true };
    }
    return { text: ctx.services.jobs.describe(args.job) };
  },
};
