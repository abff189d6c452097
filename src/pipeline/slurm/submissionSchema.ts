import { z } from 'zod';
import { JOB_ID_RE, SLURM_ID_RE, STAGE_RE } from './naming.js';
import { SLURM_NAME_RE } from '../../people/config.js';
import { REQUESTER_TAG_RE } from '../../people/requesterTag.js';

const noNul = z.string().refine((s) => !s.includes('\0'), 'NUL byte');
const absPath = z.string().regex(/^\/[^\0]*$/, 'absolute path');

/** What the backend accepts from the orchestrator: checked before anything reaches the cluster. */
export const StageSubmissionSchema = z.object({
  jobId: z.string().regex(JOB_ID_RE),
  stage: z.string().regex(STAGE_RE),
  attempt: z.number().int().min(1).max(999),
  tasks: z
    .array(
      z.object({
        index: z.number().int().min(0).max(10_000),
        runId: z.number().int().min(0),
        argv: z.array(noNul).min(1).refine((a) => a[0]!.length > 0, 'empty program name'),
        inputs: z.array(absPath),
        outputs: z.array(absPath),
        staging: absPath.optional(),
      }),
    )
    .min(1)
    .refine((t) => new Set(t.map((x) => x.index)).size === t.length, 'duplicate task index'),
  dependsOn: z.array(z.string().regex(SLURM_ID_RE)).optional(),
  taskDependsOn: z
    .array(
      z.object({
        index: z.number().int().min(0).max(10_000),
        on: z.array(z.object({ ref: z.string().regex(SLURM_ID_RE), index: z.number().int().min(0).max(10_000) })).min(1),
      }),
    )
    .optional(),
  setup: z.array(noNul).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), noNul).optional(),
  maxParallel: z.number().int().min(1).max(10_000).optional(),
  // Kept (not stripped) so the job script creates output folders and sbatch gets per-stage resources.
  mkdirs: z.array(absPath).optional(),
  // Same rule as the stage config (src/pipeline/config.ts), so whatever config accepts is submitted as is.
  time: z.string().regex(/^[0-9:-]+$/).optional(),
  mem: z.string().regex(/^\d+[KMGT]?$/).optional(),
  probe: z.array(noNul).min(1).refine((a) => a[0]!.length > 0, 'empty program name').optional(),
  // The requester's Slurm names and the comment's requester: validated again here, the last stop before sbatch.
  account: z.string().regex(SLURM_NAME_RE).optional(),
  partition: z.string().regex(SLURM_NAME_RE).optional(),
  qos: z.string().regex(SLURM_NAME_RE).optional(),
  requester: z.string().regex(REQUESTER_TAG_RE).optional(),
});
