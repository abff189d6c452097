import { expandArrayTasks } from './arraySpec.js';
import { SlurmParseError, firstWordState, type SlurmRow } from './SlurmRow.js';

/** squeue format the parser expects: id | array job id | array task id | job id | state | reason | name */
export const SQUEUE_FORMAT = '%i|%F|%K|%A|%T|%r|%j';

export interface SqueueResult {
  rows: SlurmRow[];
  /** False when squeue could not answer (controller down); an unknown job id is not a failure. */
  ok: boolean;
  errors: string[];
}

/** Parse `squeue -h -r --states=all -o SQUEUE_FORMAT` output, stderr merged (2>&1). */
export function parseSqueue(text: string, exitCode: number): SqueueResult {
  const rows: SlurmRow[] = [];
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (/^(squeue: error:|slurm_load_jobs error:)/.test(line)) {
      errors.push(line.trim());
      continue;
    }
    const f = line.split('|');
    if (f.length < 7) throw new SlurmParseError('squeue', line);
    const [, arrayJobId, taskId, , stateRaw, reason] = f as [string, string, string, string, string, string];
    const state = firstWordState(stateRaw);
    if (!/^\d+$/.test(arrayJobId) || !state) throw new SlurmParseError('squeue', line);
    let tasks: number[] | null = null;
    let grouped = false;
    if (taskId !== 'N/A') {
      const t = expandArrayTasks(taskId);
      if (!t) throw new SlurmParseError('squeue', line);
      tasks = t;
      grouped = t.length > 1 || taskId.startsWith('[');
    }
    rows.push({
      source: 'squeue',
      arrayJobId,
      tasks,
      grouped,
      state,
      reason: reason && reason !== 'None' ? reason : undefined,
      jobName: f.slice(6).join('|'),
    });
  }
  // "Invalid job id specified": none of the asked ids is known any more. That is an answer.
  const onlyUnknownIds = errors.length > 0 && errors.every((e) => /Invalid job id specified/.test(e));
  return { rows, ok: exitCode === 0 || onlyUnknownIds, errors };
}
