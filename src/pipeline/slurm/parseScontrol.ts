import { expandArrayTasks } from './arraySpec.js';
import { SlurmParseError, firstWordState, parseExitCode, type SlurmRow } from './SlurmRow.js';


/** Parse `scontrol -o show job ID` output: one `Key=Value ...` record per line (stderr discarded). */
export function parseScontrol(text: string): SlurmRow[] {
  const rows: SlurmRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const kv = new Map<string, string>();
    for (const m of line.matchAll(/(?:^|\s)([A-Za-z/:]+)=(\S*)/g)) if (!kv.has(m[1]!)) kv.set(m[1]!, m[2]!);
    const jobId = kv.get('JobId');
    const state = firstWordState(kv.get('JobState') ?? '');
    const ec = parseExitCode(kv.get('ExitCode') ?? '');
    if (!jobId || !/^\d+$/.test(jobId) || !state || !ec) throw new SlurmParseError('scontrol', line);
    const arrayJobId = kv.get('ArrayJobId') ?? jobId;
    const taskExpr = kv.get('ArrayTaskId');
    let tasks: number[] | null = null;
    let grouped = false;
    if (taskExpr !== undefined) {
      const t = expandArrayTasks(taskExpr.includes('-') || taskExpr.includes(',') ? `[${taskExpr}]` : taskExpr);
      if (!t) throw new SlurmParseError('scontrol', line);
      tasks = t;
      grouped = t.length > 1;
    }
    const reason = kv.get('Reason');
    rows.push({
      source: 'scontrol',
      arrayJobId,
      tasks,
      grouped,
      state,
      reason: reason && reason !== 'None' ? reason : undefined,
      exitCode: ec.exitCode,
      signal: ec.signal,
      jobName: kv.get('JobName'),
    });
  }
  return rows;
}
