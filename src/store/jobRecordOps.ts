/** Logic shared by both JobStore implementations so they cannot drift apart. */
import type { z } from 'zod';
import { isFinal, type JobPatch, type JobRecord, type NewJob } from '../core/JobStore.js';
import { identitySchema, jobErrorSchema, jobOwnerSchema, slurmChargeSchema, jobStateSchema, launchParamsSchema, messageRefSchema, runIdsSchema, threadRefSchema } from './recordSchemas.js';

/** What every stored job must satisfy, checked on write so a bad value fails its writer, not a later reader. */
const FIELD_SCHEMAS: [keyof JobRecord, z.ZodType, boolean][] = [
  ['state', jobStateSchema, false],
  ['params', launchParamsSchema, false],
  ['requester', identitySchema, false],
  ['thread', threadRefSchema, true],
  ['progressMessage', messageRefSchema, true],
  ['runIds', runIdsSchema, false],
  ['error', jobErrorSchema, true],
  ['owner', jobOwnerSchema, true],
  ['charge', slurmChargeSchema, true],
];

export function validateJobRecord(rec: JobRecord): JobRecord {
  for (const [field, schema, nullable] of FIELD_SCHEMAS) {
    const v = rec[field];
    if (nullable && v === null) continue;
    const r = schema.safeParse(v);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new Error(`invalid job ${field}${first?.path.length ? '.' + first.path.join('.') : ''}: ${first?.message ?? 'invalid value'}`);
    }
  }
  return rec;
}

/** Deep copy through JSON: what SQLite gives back, so the in-memory twin behaves the same. */
export function jsonCopy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function newJobRecord(id: string, seq: number, job: NewJob, nowIso: string): JobRecord {
  return validateJobRecord({
    id,
    seq,
    state: 'queued',
    stage: null,
    params: jsonCopy(job.params),
    requester: jsonCopy(job.requester),
    thread: job.thread ? jsonCopy(job.thread) : null,
    progressMessage: null,
    runIds: [...(job.runIds ?? [])],
    createdAt: nowIso,
    updatedAt: nowIso,
    finishedAt: null,
    error: null,
    result: null,
    cancelRequestedBy: null,
    owner: job.owner ? jsonCopy(job.owner) : null,
    charge: job.charge ? jsonCopy(job.charge) : null,
  });
}

/**
 * Apply a patch. Keys present with value `undefined` are ignored (a patch built with spreads of
 * optional values must not wipe columns). Entering a final state stamps finishedAt unless given.
 */
export function applyJobPatch(rec: JobRecord, patch: JobPatch, nowIso: string): JobRecord {
  const next: JobRecord = { ...rec };
  for (const [k, v] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
    if (v === undefined) continue;
    (next as unknown as Record<string, unknown>)[k] = jsonCopy(v);
  }
  if (patch.state !== undefined && isFinal(patch.state) && patch.finishedAt === undefined && next.finishedAt === null) {
    next.finishedAt = nowIso;
  }
  next.updatedAt = nowIso;
  return validateJobRecord(next);
}

/** Meta key under which the job launched by a request is recorded (same transaction as the job). */
export function requestMetaKey(requestKey: string): string {
  return `job-request:${requestKey}`;
}
