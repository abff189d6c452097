import { resolve } from 'node:path';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import type { Logger } from '../log.js';
import { LocalBackend } from '../pipeline/LocalBackend.js';

/** The cluster backend named by `pipeline.backend`. */
export async function createConfiguredBackend(loaded: LoadedConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<ClusterBackend> {
  const { config } = loaded;
  if (config.pipeline.backend === 'local') {
    return new LocalBackend({ config: { workdir: resolve(config.backends.local.workdir), concurrency: config.backends.local.concurrency }, env, log });
  }
  throw new Error('the slurm backend is not wired yet');
}
