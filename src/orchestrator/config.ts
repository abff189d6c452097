import { z } from 'zod';
import type { AnalysisConfig } from '../analysis/config.js';
import type { PipelineSections } from '../pipeline/config.js';

/** The `bot` section: job ids, limits, results folder, polling and the delivery of job messages. */
export const BotConfigSchema = z
  .object({
    name: z.string().default('ASTRAN'),
    job_id_prefix: z.string().regex(/^[A-Z]$/, 'one capital letter').default('A'),
    max_nights: z.number().int().min(1).max(366).default(31),
    /** Minimum seconds between two edits of a job's progress message. */
    progress_edit_interval_s: z.number().min(0).max(600).default(5),
    /** Where analysis products (images, JSON) are written, one folder per job. */
    results_dir: z.string().default('./astran-out'),
    /** Seconds between polls of the cluster backend (one call for all active jobs). */
    poll_interval_s: z.number().min(0.05).max(3600).default(30),
    /**
     * Delivery of job messages through the outbox: a failed post is retried after `retry_initial_s`, doubling up
     * to `retry_max_s`, for at most `patience_s` (a chat platform outage shorter than that is waited out).
     */
    delivery: z
      .object({
        retry_initial_s: z.number().min(0.01).max(3600).default(5),
        retry_max_s: z.number().min(0.01).max(86_400).default(300),
        patience_s: z.number().min(0).max(7 * 86_400).default(6 * 3600),
      })
      .strict()
      .prefault({}),
    /** Where a job message that could not be delivered after `delivery.patience_s` is reported instead. */
    admins: z.object({ adapter: z.string().min(1), channel: z.string().min(1) }).strict().optional(),
  })
  .strict()
  .prefault({});
export type BotConfig = z.infer<typeof BotConfigSchema>;

/** What the job runner reads: the pipeline's sections and the analysis defaults. */
export type RunnerConfig = PipelineSections & { analysis: AnalysisConfig };

/** What the orchestrator reads: the runner's sections and the `bot` section. */
export type OrchestratorConfig = RunnerConfig & { bot: BotConfig };
