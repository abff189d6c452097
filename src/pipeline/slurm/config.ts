import { z } from 'zod';
import type { RenamedKey } from '../../config/renamedKeys.js';

/** A name Slurm and the shell both take literally: no spaces, quotes or separators. */
const slurmToken = z.string().regex(/^[A-Za-z0-9_.:+-]+$/, 'letters, digits and _ . : + - only');

/** Settings of the Slurm-over-SSH backend (the `backends.slurm` section of the config file); durations in seconds. */
export const SlurmConfigSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'a login name'),
    /** Private key file; when absent the SSH agent (`agent`) is used. */
    private_key_path: z.string().min(1).optional(),
    /** SSH agent socket, e.g. from SSH_AUTH_SOCK (passed in, never read here). */
    agent: z.string().min(1).optional(),
    /** known_hosts file the server key is checked against. */
    known_hosts_path: z.string().min(1),
    /** Trust-on-first-use: accept AND record an unknown host key. A changed key is always refused. */
    allow_first_use: z.boolean().default(false),
    /** Absolute directory on the cluster under which every job gets <jobId>/<stage>-a<attempt>. */
    remote_workdir: z
      .string()
      .regex(/^\/[^\0\n]*$/, 'an absolute path')
      .refine((p) => !p.split('/').includes('..'), 'no .. segments'),
    partition: slurmToken.optional(),
    account: slurmToken.optional(),
    /** Slurm --time, e.g. 02:00:00 or 1-00:00:00. */
    time: z.string().regex(/^(\d+-)?\d{1,2}(:\d{2}){0,2}$/).optional(),
    /** Slurm --mem, e.g. 16G. */
    memory: z.string().regex(/^\d+[KMGT]?$/).optional(),
    /** Pass --kill-on-invalid-dep=yes so Slurm itself drops stages whose parent failed. */
    kill_on_invalid_dep: z.boolean().default(false),
    /** Extra sbatch options from the operator (validated tokens such as --qos=short). */
    extra_sbatch_args: z.array(z.string().regex(/^--[a-z-]+(=[A-Za-z0-9_.:,+\/-]+)?$/)).default([]),
    /** SSH keepalive: a probe every this many seconds; the connection counts as lost after keepalive_count_max missed. */
    keepalive_interval_s: z.number().min(1).default(15),
    keepalive_count_max: z.number().int().min(1).default(3),
    /** Seconds the SSH handshake may take. */
    ready_timeout_s: z.number().min(1).default(20),
    /** Reconnect back-off: first delay, doubling up to the maximum. */
    reconnect_initial_s: z.number().min(0.05).default(1),
    reconnect_max_s: z.number().min(0.1).default(60),
    /** How long an operation waits for the connection to come back before it fails. */
    operation_timeout_s: z.number().min(0.1).default(300),
    /**
     * Seconds a task blocked by a failed dependency (DependencyNeverSatisfied) may wait for a retry to re-point it
     * before the backend cancels it and reports it (lstosa's cleanup does the same from cron).
     */
    blocked_grace_s: z.number().min(0).default(30),
    /** Time a just-submitted task may be missing from squeue and sacct before it counts as vanished. */
    vanish_grace_s: z.number().min(0).default(30),
  })
  .strict();

export type SlurmConfig = z.output<typeof SlurmConfigSchema>;
export type SlurmConfigInput = z.input<typeof SlurmConfigSchema>;

/** Keys renamed when the config moved to snake_case and seconds: check-config suggests the new name. */
export const SLURM_RENAMED_KEYS: readonly RenamedKey[] = [
  { from: 'privateKeyPath', to: 'private_key_path' },
  { from: 'knownHostsPath', to: 'known_hosts_path' },
  { from: 'allowFirstUse', to: 'allow_first_use' },
  { from: 'remoteWorkdir', to: 'remote_workdir' },
  { from: 'killOnInvalidDep', to: 'kill_on_invalid_dep' },
  { from: 'extraSbatchArgs', to: 'extra_sbatch_args' },
  { from: 'keepaliveIntervalMs', to: 'keepalive_interval_s', scale: 1e-3 },
  { from: 'keepaliveCountMax', to: 'keepalive_count_max' },
  { from: 'readyTimeoutMs', to: 'ready_timeout_s', scale: 1e-3 },
  { from: 'reconnectInitialMs', to: 'reconnect_initial_s', scale: 1e-3 },
  { from: 'reconnectMaxMs', to: 'reconnect_max_s', scale: 1e-3 },
  { from: 'operationTimeoutMs', to: 'operation_timeout_s', scale: 1e-3 },
  { from: 'vanishGraceMs', to: 'vanish_grace_s', scale: 1e-3 },
  { from: 'mem', to: 'memory' },
];
