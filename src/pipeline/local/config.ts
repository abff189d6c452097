import { z } from 'zod';

/** Settings of the local cluster backend (the `backends.local` section of the config file); durations in seconds. */
export const LocalBackendConfigSchema = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(2).describe('Most tasks running at once across all submissions.'),
    workdir: z
      .string()
      .min(1)
      .default('./.astran/work')
      .describe('Task logs (<workdir>/<job>/<stage>-a<attempt>/task-<index>.log) and the local copies of DL3 files and indexes (cache/); relative: to the current folder. Never under data.read_only_roots.'),
    task_timeout_s: z.number().positive().optional().describe('Per-task wall-clock limit (absent: none); a task over it is killed and reported as TIMEOUT. A stage\'s `time` wins.'),
    kill_grace_s: z.number().positive().default(5).describe('SIGTERM first; SIGKILL the process group after this many seconds if it is still alive.'),
  })
  .strict();

export type LocalBackendConfig = z.output<typeof LocalBackendConfigSchema>;
export type LocalBackendConfigInput = z.input<typeof LocalBackendConfigSchema>;
