import { z } from 'zod';
import type { AnalysisConfig } from '../analysis/config.js';
import type { PipelineSections } from '../pipeline/config.js';

/** The `bot` section: job ids, limits, results folder, polling and the delivery of job messages. */
export const BotConfigSchema = z
  .object({
    name: z.string().default('ASTRAN').describe('The bot\'s name in messages.'),
    job_id_prefix: z.string().regex(/^[A-Z]$/, 'one capital letter').default('A').describe('The letter job ids start with (A-0042).'),
    max_nights: z.number().int().min(1).max(366).default(31).describe('The longest night range one launch may ask for.'),
    progress_edit_interval_s: z.number().min(0).max(600).default(5).describe('Minimum seconds between two edits of a job\'s progress message.'),
    results_dir: z
      .string()
      .default('./astran-out')
      .describe('Where analysis products (images, results.json with its provenance block) are written, one folder per job. Never under data.read_only_roots.'),
    poll_interval_s: z.number().min(0.05).max(3600).default(30).describe('Seconds between polls of the cluster backend (one squeue+sacct round trip for all active jobs).'),
    /**
     * Delivery of job messages through the outbox: a failed post is retried after `retry_initial_s`, doubling up
     * to `retry_max_s`, for at most `patience_s` (a chat platform outage shorter than that is waited out).
     */
    delivery: z
      .object({
        retry_initial_s: z.number().min(0.01).max(3600).default(5).describe('First wait before a failed post is retried.'),
        retry_max_s: z.number().min(0.01).max(86_400).default(300).describe('Longest wait between two retries (the wait doubles up to this).'),
        patience_s: z.number().min(0).max(7 * 86_400).default(6 * 3600).describe('After this long a message still not delivered is reported to `admins` instead.'),
        outage_notice_s: z
          .number()
          .min(0)
          .max(7 * 86_400)
          .default(120)
          .describe("Messages held back this long are a platform outage: the job's owner is told once through the job's other route (their identity on another adapter, the places its standing order notifies), once when it is over, and once if patience_s runs out."),
      })
      .strict()
      .prefault({})
      .describe('Delivery of job messages through the outbox: a chat platform outage shorter than patience_s is waited out.'),
    admins: z
      .object({ adapter: z.string().min(1).describe('The adapter of the admins\' place (slack, mattermost, email).'), channel: z.string().min(1).describe('The channel (or address) there.') })
      .strict()
      .optional()
      .describe('Where a job message that could not be delivered after delivery.patience_s is reported instead.'),
  })
  .strict()
  .prefault({})
  .describe('The bot itself: job ids, limits, results folder, polling and the delivery of job messages.');
export type BotConfig = z.infer<typeof BotConfigSchema>;

/** What the job runner reads: the pipeline's sections and the analysis defaults. */
export type RunnerConfig = PipelineSections & { analysis: AnalysisConfig };

/** What the orchestrator reads: the runner's sections and the `bot` section. */
export type OrchestratorConfig = RunnerConfig & { bot: BotConfig };
