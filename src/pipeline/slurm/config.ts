import { z } from 'zod';

/** A name Slurm and the shell both take literally: no spaces, quotes or separators. */
const slurmToken = z.string().regex(/^[A-Za-z0-9_.:+-]+$/, 'letters, digits and _ . : + - only');

/** Settings of the Slurm-over-SSH backend (the `cluster.slurm` section of the config file). */
export const SlurmConfigSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'a login name'),
    /** Private key file; when absent the SSH agent (`agent`) is used. */
    privateKeyPath: z.string().min(1).optional(),
    /** SSH agent socket, e.g. from SSH_AUTH_SOCK (passed in, never read here). */
    agent: z.string().min(1).optional(),
    /** known_hosts file the server key is checked against. */
    knownHostsPath: z.string().min(1),
    /** Trust-on-first-use: accept AND record an unknown host key. A changed key is always refused. */
    allowFirstUse: z.boolean().default(false),
    /** Absolute directory on the cluster under which every job gets <jobId>/<stage>-a<attempt>. */
    remoteWorkdir: z
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
    killOnInvalidDep: z.boolean().default(false),
    /** Extra sbatch options from the operator (validated tokens such as --qos=short). */
    extraSbatchArgs: z.array(z.string().regex(/^--[a-z-]+(=[A-Za-z0-9_.:,+\/-]+)?$/)).default([]),
    keepaliveIntervalMs: z.number().int().min(1000).default(15_000),
    keepaliveCountMax: z.number().int().min(1).default(3),
    readyTimeoutMs: z.number().int().min(1000).default(20_000),
    /** Reconnect back-off: first delay, doubling up to the maximum. */
    reconnectInitialMs: z.number().int().min(50).default(1_000),
    reconnectMaxMs: z.number().int().min(100).default(60_000),
    /** How long an operation waits for the connection to come back before it fails. */
    operationTimeoutMs: z.number().int().min(100).default(300_000),
    /** Time a just-submitted task may be missing from squeue and sacct before it counts as vanished. */
    vanishGraceMs: z.number().int().min(0).default(30_000),
  })
  .strict();

export type SlurmConfig = z.output<typeof SlurmConfigSchema>;
export type SlurmConfigInput = z.input<typeof SlurmConfigSchema>;
