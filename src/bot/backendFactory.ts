import { resolve } from 'node:path';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import type { Logger } from '../log.js';
import { LocalBackend } from '../pipeline/LocalBackend.js';
import { SlurmBackend } from '../pipeline/slurm/SlurmBackend.js';
import type { SlurmConfigInput } from '../pipeline/slurm/config.js';

/** The cluster backend named by `pipeline.backend`. */
export async function createConfiguredBackend(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
  /** Told when the cluster becomes unreachable or reachable again (Slurm's SSH connection). */
  onReachability: (reachable: boolean) => void = () => {},
): Promise<ClusterBackend> {
  const { config } = loaded;
  if (config.pipeline.backend === 'local') {
        const l = config.backends.local;
    return new LocalBackend({
      config: { workdir: resolve(l.workdir), concurrency: l.concurrency, taskTimeoutSeconds: l.task_timeout_s, killGraceSeconds: l.kill_grace_s },
      env,
      log: log.child({ backend: 'local' }),
    });
  }
  // The SSH agent socket is the only thing the Slurm backend takes from the environment.
  const slurm = { ...(config.backends.slurm as SlurmConfigInput) };
  if (!slurm.privateKeyPath && !slurm.agent && env.SSH_AUTH_SOCK) slurm.agent = env.SSH_AUTH_SOCK;
  return new SlurmBackend(slurm, {
    log: log.child({ backend: 'slurm' }),
    onConnectionChange: (c) => {
      log.warn({ change: c }, 'cluster connection changed');
      onReachability(c.state === 'up');
    },
  });
}
