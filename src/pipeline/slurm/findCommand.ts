import { SACCT_FIELDS, parseSacct } from './parseSacct.js';
import { SQUEUE_FORMAT, parseSqueue } from './parseSqueue.js';
import type { SlurmRow } from './SlurmRow.js';
import { shellJoin } from './shq.js';

/** One remote command listing this user's jobs named `name`: live (squeue) and from the last 30 days (sacct). */
export function buildFindCommand(name: string): string {
  const q = shellJoin(['squeue', '-h', '-r', '--states=all', '--me', '-n', name, '-o', SQUEUE_FORMAT]);
  const a = shellJoin(['sacct', '-n', '-P', '-X', '--name', name, '-S', 'now-30days', '-o', SACCT_FIELDS]);
  return `${q} 2>&1; echo "@@ASTRAN-RC $?"; echo @@ASTRAN-SACCT; ${a} 2>/dev/null`;
}

/** The newest array job named `name` (ids grow) and the task indices seen for it. */
export function parseFindOutput(stdout: string, name: string): { ref: string; tasks: number[] } | undefined {
  const [qPart = '', aPart = ''] = stdout.split('@@ASTRAN-SACCT\n');
  const m = /@@ASTRAN-RC (\d+)\n?$/.exec(qPart);
  if (!m) throw new Error('findSubmitted: incomplete output from the cluster');
  const rows: SlurmRow[] = [...parseSqueue(qPart.slice(0, m.index), Number(m[1])).rows, ...parseSacct(aPart)].filter((r) => r.jobName === name);
  if (rows.length === 0) return undefined;
  const ref = rows.map((r) => r.arrayJobId).sort((x, y) => Number(y) - Number(x))[0]!;
  const tasks = new Set<number>();
  for (const r of rows) if (r.arrayJobId === ref) for (const i of r.tasks ?? []) tasks.add(i);
  return { ref, tasks: [...tasks].sort((x, y) => x - y) };
}
