/**
 * zod schemas for the JSON columns of the job store. Rows are validated on read so a hand-edited or
 * half-written row gives a clear error naming the row and column instead of a crash further down.
 */
import { z } from 'zod';
import { JOB_STATES } from '../core/JobStore.js';
import { PERSON_ID_RE, SLURM_NAME_RE } from '../people/config.js';

const YYYYMMDD = z.string().regex(/^\d{8}$/);

// looseObject: keep keys added by newer code instead of silently dropping them on a round trip.
export const launchParamsSchema = z.looseObject({
  source: z.string().min(1),
  target: z.object({ ra: z.number().min(0).lt(360), dec: z.number().min(-90).max(90) }).optional(),
  runDecLines: z.record(z.string(), z.object({ line: z.string().regex(/^dec_(min_)?\d{3,4}$/), dec: z.number(), pointingDec: z.number() })).optional(),
  nightFrom: YYYYMMDD,
  nightTo: YYYYMMDD,
  runs: z.array(z.number().int()).optional(),
  theta2_cut: z.number().optional(),
  off_regions: z.number().int().optional(),
  emin: z.number().optional(),
  emax: z.number().optional(),
  dry_run: z.boolean().optional(),
  force: z.boolean().optional(),
});

export const identitySchema = z.looseObject({
  adapter: z.string().min(1),
  userId: z.string().min(1),
  displayName: z.string().optional(),
  isBot: z.boolean().optional(),
});

// A person id and Slurm names follow the same rules as their config.

export const jobOwnerSchema = z.object({ person: z.string().regex(PERSON_ID_RE), name: z.string().min(1).max(200) });

export const slurmChargeSchema = z
  .object({ account: z.string().regex(SLURM_NAME_RE).optional(), partition: z.string().regex(SLURM_NAME_RE).optional(), qos: z.string().regex(SLURM_NAME_RE).optional() })
  .strict();

export const threadRefSchema = z.object({ adapter: z.string().min(1), key: z.string().min(1) });

export const messageRefSchema = z.object({ thread: threadRefSchema, id: z.string().min(1) });

export const jobErrorSchema = z.object({ id: z.string(), message: z.string(), detail: z.string().optional() });

export const runIdsSchema = z.array(z.number().int().nonnegative());

export const jobStateSchema = z.enum(JOB_STATES);

/** Any JSON value (result, event data, submission detail): only parseability is checked. */
export const jsonValueSchema = z.unknown();
