/** Shared by the Slurm integration tests and bench: start the real test cluster and build backends against it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/log.js';
import { SlurmBackend, type SlurmBackendOptions } from '../../src/pipeline/slurm/SlurmBackend.js';
import type { SlurmConfigInput } from '../../src/pipeline/slurm/config.js';
import type { StageStatus } from '../../src/pipeline/ClusterBackend.js';

export const SLURM_SH = fileURLToPath(new URL('../../scripts/services/slurm.sh', import.meta.url));
export const ENV_FILE = '/var/lib/astran-ci/slurm.env';

/** Run scripts/services/slurm.sh with one action (root only; throws when it fails). */
export function clusterCtl(action: string): string {
  return execFileSync(SLURM_SH, [action], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
}

export interface ClusterEnv {
  host: string;
  port: number;
  user: string;
  key: string;
  knownHosts: string;
}

/** Bring the cluster up (idempotent) and read the env file it writes. */
export function ensureCluster(): ClusterEnv {
  clusterCtl('up');
  const env: Record<string, string> = {};
  for (const line of readFileSync(ENV_FILE, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return {
    host: env.ASTRAN_TEST_SSH_HOST!,
    port: Number(env.ASTRAN_TEST_SSH_PORT),
    user: env.ASTRAN_TEST_SSH_USER!,
    key: env.ASTRAN_TEST_SSH_KEY!,
    knownHosts: env.ASTRAN_TEST_SSH_KNOWN_HOSTS!,
  };
}

export function backendConfig(env: ClusterEnv, over: Partial<SlurmConfigInput> = {}): SlurmConfigInput {
  return {
    host: env.host,
    port: env.port,
    user: env.user,
    private_key_path: env.key,
    known_hosts_path: env.knownHosts,
    remote_workdir: `/home/${env.user}/astran-work`,
    partition: 'debug',
    reconnect_initial_s: 0.2,
    reconnect_max_s: 1,
    operation_timeout_s: 60,
    vanish_grace_s: 5,
    // Nothing re-points blocked tasks in most tests: clean them up quickly.
    blocked_grace_s: 2,
    ...over,
  };
}

export function makeBackend(env: ClusterEnv, over: Partial<SlurmConfigInput> = {}, opts: Partial<SlurmBackendOptions> = {}): SlurmBackend {
  return new SlurmBackend(backendConfig(env, over), { log: silentLogger, ...opts });
}

/** Poll until every ref is final (or the deadline passes); returns the last statuses. */
export async function waitFinal(b: SlurmBackend, refs: string[], timeoutMs = 60_000, everyMs = 500): Promise<Map<string, StageStatus>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const st = await b.poll(refs);
    if ([...st.values()].every((s) => ['completed', 'failed', 'cancelled'].includes(s.state))) return st;
    if (Date.now() > end) throw new Error('timeout waiting for final states: ' + JSON.stringify([...st.values()]));
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Poll until pred holds. */
export async function waitUntil(b: SlurmBackend, refs: string[], pred: (st: Map<string, StageStatus>) => boolean, timeoutMs = 30_000): Promise<Map<string, StageStatus>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const st = await b.poll(refs);
    if (pred(st)) return st;
    if (Date.now() > end) throw new Error('timeout: ' + JSON.stringify([...st.values()]));
    await new Promise((r) => setTimeout(r, 300));
  }
}

export const uniq = (p: string) => `${p}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
