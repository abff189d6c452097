/**
 * A small JSON file per local submission (`<workdir>/.refs/<ref>.json`) with the task states as they
 * were last known. Processes do not outlive a restart under our control, but the orchestrator
 * still holds their refs: from the manifest, `poll` can tell it which tasks had finished and which
 * were lost (so only those are redone), and `logTail` can still show their logs.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const LOCAL_REF_RE = /^local-[0-9a-f]{6,}-\d{1,12}$/;

const taskSchema = z.object({
  index: z.number().int().min(0),
  state: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  logPath: z.string(),
});

export const refManifestSchema = z.object({
  ref: z.string().regex(LOCAL_REF_RE),
  jobId: z.string(),
  stage: z.string(),
  attempt: z.number().int().min(1),
  tasks: z.array(taskSchema),
});
export type RefManifest = z.output<typeof refManifestSchema>;

function manifestPath(workdir: string, ref: string): string {
  return join(workdir, '.refs', `${ref}.json`);
}

/** Write atomically (temp file + rename) so a crash mid-write leaves the previous version. */
export function writeRefManifest(workdir: string, m: RefManifest): void {
  mkdirSync(join(workdir, '.refs'), { recursive: true });
  const p = manifestPath(workdir, m.ref);
  writeFileSync(p + '.tmp', JSON.stringify(m));
  renameSync(p + '.tmp', p);
}

/** The manifest of `ref`, or undefined when there is none or it cannot be read. */
export function readRefManifest(workdir: string, ref: string): RefManifest | undefined {
  if (!LOCAL_REF_RE.test(ref)) return undefined; // never build a path from an unexpected string
  try {
    const r = refManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath(workdir, ref), 'utf8')));
    return r.success && r.data.ref === ref ? r.data : undefined;
  } catch {
    return undefined;
  }
}
