import { z } from 'zod';
import type { RenamedKey } from '../../config/renamedKeys.js';

/** A name Slurm and the shell both take literally: no spaces, quotes or separators. */
const slurmToken = z.string().regex(/^[A-Za-z0-9_.:+-]+$/, 'letters, digits and _ . : + - only');

/** Settings of the Slurm-over-SSH backend (the `backends.slurm` section of the config file); durations in seconds. */
export const SlurmConfigSchema = z
  .object({
    host: z.string().min(1).describe('The cluster\'s login node ASTRAN submits through (SSH).'),
    port: z.number().int().min(1).max(65535).default(22).describe('SSH port of the login node.'),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'a login name').describe('The account ASTRAN logs in and submits as.'),
    private_key_path: z.string().min(1).optional().describe('Private key file; when absent the SSH agent (SSH_AUTH_SOCK of the bot\'s environment) is used.'),
    agent: z.string().min(1).optional().describe('SSH agent socket, e.g. from SSH_AUTH_SOCK (passed in, never read here).'),
    known_hosts_path: z.string().min(1).describe('known_hosts file the login node\'s key is checked against (record it once: ssh-keyscan -t ed25519 HOST > FILE).'),
    allow_first_use: z.boolean().default(false).describe('Trust on first use: accept and record an unknown host key. A changed key is always refused.'),
    remote_workdir: z
      .string()
      .regex(/^\/[^\0\n]*$/, 'an absolute path')
      .refine((p) => !p.split('/').includes('..'), 'no .. segments')
      .describe('Absolute folder on the cluster holding one folder per job and stage attempt (<job>/<stage>-a<attempt>: job.sh, tasks.json, task logs, the version probe\'s output). Never under data.read_only_roots.'),
    partition: slurmToken.optional().describe('Slurm --partition for people without their own (people.<id>.slurm.partition).'),
    account: slurmToken
      .optional()
      .describe("Slurm --account for people without their own (people.<id>.slurm.account) and for every standing order; on Slurm, a launch with neither is refused."),
    qos: slurmToken.optional().describe('Slurm --qos for people without their own (people.<id>.slurm.qos).'),
    time: z.string().regex(/^(\d+-)?\d{1,2}(:\d{2}){0,2}$/).optional().describe('Default Slurm --time of a task, e.g. 02:00:00 or 1-00:00:00 (a stage\'s own `time` wins).'),
    memory: z.string().regex(/^\d+[KMGT]?$/).optional().describe('Default Slurm --mem of a task, e.g. 16G (a stage\'s own `memory` wins).'),
    kill_on_invalid_dep: z.boolean().default(false).describe('Pass --kill-on-invalid-dep=yes so Slurm itself drops stages whose parent failed.'),
    extra_sbatch_args: z
      .array(z.string().regex(/^--[a-z-]+(=[A-Za-z0-9_.:,+\/-]+)?$/))
      .default([])
      .describe('Extra sbatch options from the operator (validated tokens such as --qos=short).'),
    keepalive_interval_s: z.number().min(1).default(15).describe('SSH keepalive: a probe every this many seconds.'),
    keepalive_count_max: z.number().int().min(1).default(3).describe('The connection counts as lost after this many missed keepalives.'),
    ready_timeout_s: z.number().min(1).default(20).describe('Seconds the SSH handshake may take.'),
    reconnect_initial_s: z.number().min(0.05).default(1).describe('First delay before reconnecting (doubling up to reconnect_max_s).'),
    reconnect_max_s: z.number().min(0.1).default(60).describe('Longest delay between two reconnection attempts.'),
    operation_timeout_s: z.number().min(0.1).default(300).describe('How long a cluster call waits for a lost connection to come back before it fails (the job then pauses as an outage).'),
    blocked_grace_s: z
      .number()
      .min(0)
      .default(30)
      .describe('Seconds a task blocked by a failed dependency (DependencyNeverSatisfied) may wait for a retry to re-point it before the backend cancels it (as lstosa\'s cleanup does).'),
    vanish_grace_s: z.number().min(0).default(30).describe('Time a just-submitted task may be missing from squeue and sacct before it counts as vanished.'),
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
