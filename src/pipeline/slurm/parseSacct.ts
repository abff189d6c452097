import { expandArrayTasks } from './arraySpec.js';
import { SlurmParseError, firstWordState, parseExitCode, type SlurmRow } from './SlurmRow.js';

/** sacct fields the parser expects, in order (with -n -P -X). */
export const SACCT_FIELDS = 'JobID,JobIDRaw,JobName,State,ExitCode';

/** Parse `sacct -n -P -X -o SACCT_FIELDS` output (stdout only). Step rows (1_0.batch) are skipped. */
export function parseSacct(text: string): SlurmRow[] {
  const rows: SlurmRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split('|');
    if (f.length !== 5) throw new SlurmParseError('sacct', line);
    const [jobId, , jobName, stateRaw, exit] = f as [string, string, string, string, string];
    if (/^\d+(_\S+)?\.\S+$/.test(jobId)) continue; // a step row
    const m = /^(\d+)(?:_(\d+|\[[0-9,%:-]+\]))?$/.exec(jobId);
    const state = firstWordState(stateRaw);
    const ec = parseExitCode(exit);
    if (!m || !state || !ec) throw new SlurmParseError('sacct', line);
    let tasks: number[] | null = null;
    let grouped = false;
    if (m[2] !== undefined) {
      const t = expandArrayTasks(m[2]);
      if (!t) throw new SlurmParseError('sacct', line);
      tasks = t;
      grouped = m[2].startsWith('[');
    }
    rows.push({ source: 'sacct', arrayJobId: m[1]!, tasks, grouped, state, exitCode: ec.exitCode, signal: ec.signal, jobName });
  }
  return rows;
}
