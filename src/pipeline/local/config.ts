import { z } from 'zod';

/** Settings of the local cluster backend (the `backends.local` section of the config file); durations in seconds. */
export const LocalBackendConfigSchema = z
  .object({
    /** Max tasks running at once across all submissions. */
    concurrency: z.number().int().min(1).max(64).default(2),
    /** Where task logs go: <workdir>/<jobId>/<stage>-a<attempt>/task-<index>.log (relative: to the current directory). */
    workdir: z.string().min(1).default('./.astran/work'),
    /** Per-task wall-clock limit; absent = none. A task over it is killed and reported as TIMEOUT. */
    task_timeout_s: z.number().positive().optional(),
    /** SIGTERM first; SIGKILL the process group after this many seconds if it is still alive. */
    kill_grace_s: z.number().positive().default(5),
  })
  .strict();

export type LocalBackendConfig = z.output<typeof LocalBackendConfigSchema>;
export type LocalBackendConfigInput = z.input<typeof LocalBackendConfigSchema>;
