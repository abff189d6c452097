import { posix } from 'node:path';

/** ASTRAN job ids (A-0042) and stage names (dl1_to_dl2) as they may appear in Slurm names and paths. */
export const JOB_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** No '-' in stage names, so a Slurm job name parses back unambiguously from the right. */
export const STAGE_RE = /^[A-Za-z0-9_]{1,64}$/;
/** A Slurm job id as the backend's reference (array job id). */
export const SLURM_ID_RE = /^[0-9]{1,12}$/;

export interface StageKey {
  jobId: string;
  stage: string;
  attempt: number;
}

export function jobName(k: StageKey): string {
  return `astran-${k.jobId}-${k.stage}-a${k.attempt}`;
}

/** `astran:<job>:<stage>:<attempt>` and, when known, `:requester=<who>` (a validated word, see requesterTag). */
export function jobComment(k: StageKey & { requester?: string }): string {
  return `astran:${k.jobId}:${k.stage}:${k.attempt}${k.requester ? `:requester=${k.requester}` : ''}`;
}

/** Inverse of jobName; undefined for jobs ASTRAN did not submit. */
export function parseJobName(name: string): StageKey | undefined {
  const m = /^astran-(.+)-([A-Za-z0-9_]+)-a([1-9][0-9]{0,5})$/.exec(name);
  if (!m || !JOB_ID_RE.test(m[1]!)) return undefined;
  return { jobId: m[1]!, stage: m[2]!, attempt: Number(m[3]) };
}

/** <remote_workdir>/<jobId>/<stage>-a<attempt> */
export function stageWorkdir(root: string, k: StageKey): string {
  return posix.join(root, k.jobId, `${k.stage}-a${k.attempt}`);
}

export function taskLogPath(workdir: string, index: number): string {
  return posix.join(workdir, `task-${index}.log`);
}
