import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import { parseSection } from '../config/sections.js';
import type { LoadedConfig } from './config.js';
import type { Logger } from '../log.js';
import { LocalBackend } from '../pipeline/LocalBackend.js';
import { LocalBackendConfigSchema } from '../pipeline/local/config.js';
import { SlurmBackend } from '../pipeline/slurm/SlurmBackend.js';
import { SLURM_RENAMED_KEYS, SlurmConfigSchema } from '../pipeline/slurm/config.js';
import { readOnlyRoots as readOnlyRootsOf } from '../config/readOnlyRoots.js';

/** The cluster backend named by `pipeline.backend`. */
export async function createConfiguredBackend(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
  /** Told when the cluster becomes unreachable or reachable again (Slurm's SSH connection). */
  onReachability: (reachable: boolean) => void = () => {},
): Promise<ClusterBackend> {
  const { config } = loaded;
  const readOnlyRoots = readOnlyRootsOf(config, loaded.base);
  if (config.pipeline.backend === 'local') {
    return new LocalBackend({
      config: parseSection(LocalBackendConfigSchema, config.backends.local ?? {}, 'backends.local'),
      env,
      log: log.child({ backend: 'local' }),
      readOnlyRoots,
    });
  }
  // The SSH agent socket is the only thing the Slurm backend takes from the environment.
  const slurm = parseSection(SlurmConfigSchema, config.backends.slurm, 'backends.slurm', SLURM_RENAMED_KEYS);
  if (!slurm.private_key_path && !slurm.agent && env.SSH_AUTH_SOCK) slurm.agent = env.SSH_AUTH_SOCK;
  return new SlurmBackend(slurm, {
    log: log.child({ backend: 'slurm' }),
    readOnlyRoots,
    onConnectionChange: (c) => {
      log.warn({ change: c }, 'cluster connection changed');
      onReachability(c.state === 'up');
    },
  });
}
