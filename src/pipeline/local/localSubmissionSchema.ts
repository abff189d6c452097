/**
 * Checks a StageSubmission before the local backend acts on it. jobId and stage become directory
 * names, so they must be plain path components; argv/env go to execve, which rejects NUL bytes.
 */
import { z } from 'zod';

const pathComponent = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be letters, digits, ".", "_" or "-" (a plain directory name)');
const noNul = z.string().refine((s) => !s.includes('\u0000'), 'must not contain NUL bytes');

export const localSubmissionSchema = z.object({
  jobId: pathComponent,
  stage: pathComponent,
  attempt: z.number().int().min(1),
  tasks: z
    .array(
      z.object({
        index: z.number().int().min(0),
        runId: z.number().int(),
        argv: z.array(noNul).min(1).refine((a) => a[0].length > 0, 'argv[0] must name a program'),
        inputs: z.array(z.string()),
        outputs: z.array(z.string()),
        staging: z.string().min(1).optional(),
      }),
    )
    .min(1)
    .refine((ts) => new Set(ts.map((t) => t.index)).size === ts.length, 'task indices must be unique'),
  dependsOn: z.array(z.string()).optional(),
  taskDependsOn: z
    .array(z.object({ index: z.number().int().min(0), on: z.array(z.object({ ref: z.string(), index: z.number().int().min(0) })).min(1) }))
    .optional(),
  setup: z.array(z.string()).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'invalid environment variable name'), noNul).optional(),
  maxParallel: z.number().int().min(1).optional(),
  mkdirs: z.array(noNul.min(1)).optional(),
  time: z.string().optional(),
  mem: z.string().optional(),
  probe: z.array(noNul).min(1).refine((a) => a[0].length > 0, 'argv[0] must name a program').optional(),
});
