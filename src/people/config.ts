/**
 * The `people` config section: each person, with their identities on any adapter, one role, and optionally their own
 * Slurm account, partition and QoS. Registered by the bot assembly (src/bot/configSections.ts).
 */
import { z } from 'zod';
import { ROLES } from '../core/services.js';
import { parseIdentity } from './identityKey.js';

/** A person's id (the key under `people`): what job ownership and the Slurm job comment record. */
export const PERSON_ID_RE = /^[a-z][a-z0-9_.-]{0,31}$/;
/** A Slurm account, partition or QoS name: taken literally by Slurm and by the shell. */
export const SLURM_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;

/**
 * A display name: letters (any script), digits, spaces and . ' ’ ( ) -. No markdown, mention or link characters: the
 * name is shown in every chat and goes into nothing else.
 */
const NAME_RE = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .'’()-]{0,79}$/u;

const slurmName = z.string().regex(SLURM_NAME_RE, 'a Slurm name: letters, digits and _ . + - (at most 64)');

export const PersonSchema = z
  .object({
    /** Shown in `jobs`, thread headers and cancel notices; default: the person's id. */
    name: z
      .string()
      .regex(NAME_RE, "letters, digits, spaces and . ' ( ) - only (at most 80)")
      .optional()
      .describe("Display name shown in `jobs`, thread headers and cancel notices (letters, digits, spaces, . ' ( ) -); default: the person's id."),
    /** viewer (look), launcher (+ launch, cancel own jobs), admin (+ cancel any job). */
    role: z
      .enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` })
      .describe('The same on every identity: viewer (status, jobs, help…), launcher (+ launch, cancel own jobs, subscribe), admin (+ cancel any job).'),
    /** `slack:U…`, `mattermost:<user id>`, `console:<user>`, `email:<address>` or a bare e-mail address. */
    identities: z
      .array(
        z.string().refine((s) => parseIdentity(s) !== null, {
          error: 'must look like slack:U0123ABCD, mattermost:<user id>, console:<user>, email:alice@iac.es or alice@iac.es (no wildcards)',
        }),
      )
      .min(1, 'at least one identity')
      .describe(
        'How this person reaches ASTRAN: slack:U0123ABCD, mattermost:<user id>, console:<user>, email:alice@iac.es or just alice@iac.es. An identity belongs to one person; jobs belong to the person (cancel and `jobs mine` from any of them).',
      ),
    /** Their own Slurm settings; anything left out falls back to backends.slurm (account, partition, qos). */
    slurm: z
      .object({
        account: slurmName.optional().describe("sbatch --account for this person's launches; without it, backends.slurm.account (and with neither, launch is refused)."),
        partition: slurmName.optional().describe('sbatch --partition for their launches; default backends.slurm.partition.'),
        qos: slurmName.optional().describe('sbatch --qos for their launches; default backends.slurm.qos.'),
      })
      .strict()
      .optional()
      .describe("This person's own Slurm settings; what is left out falls back to backends.slurm."),
  })
  .strict()
  .describe('One person, under their id (lower-case letters, digits, _ . -; e.g. alice): recorded as the owner of their jobs and named in the Slurm job comment.');

// Ids are checked beside the entries (not as record keys), so a bad id and its entry's problems show in one run.
export const PeopleConfigSchema = z.record(z.string(), PersonSchema).check(
  z.superRefine(
    (people, ctx) => {
      for (const id of Object.keys(people ?? {}))
        if (!PERSON_ID_RE.test(id)) ctx.addIssue({ code: 'custom', path: [id], message: 'a person id: lower-case letters, digits and _ . - (at most 32), e.g. alice' });
    },
    { when: (p) => p.value !== null && typeof p.value === 'object' },
  ),
);

export type PersonConfig = z.infer<typeof PersonSchema>;
export type PeopleConfig = z.infer<typeof PeopleConfigSchema>;
