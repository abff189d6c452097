/** Settings of the `local` cluster backend (section `backend.local` of the config file). */
import { z } from 'zod';

export const localBackendConfigSchema = z.object({
  /** Where task logs go: <workdir>/<jobId>/<stage>-a<attempt>/task-<index>.log */
  workdir: z.string().min(1),
  /** Max tasks running at once across all submissions. */
  concurrency: z.number().int().min(1).max(256).default(2),
  /** Per-task wall-clock limit; absent = none. A task over it is killed and reported as TIMEOUT. */
  taskTimeoutSeconds: z.number().positive().optional(),
  /** SIGTERM first; SIGKILL the process group after this many seconds if it is still alive. */
  killGraceSeconds: z.number().positive().default(5),
});

export type LocalBackendConfig = z.output<typeof localBackendConfigSchema>;
