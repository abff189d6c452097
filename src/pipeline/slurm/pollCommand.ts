import { SACCT_FIELDS, parseSacct } from './parseSacct.js';
import { parseScontrol } from './parseScontrol.js';
import { SQUEUE_FORMAT, parseSqueue } from './parseSqueue.js';
import type { SlurmRow } from './SlurmRow.js';
import { shellJoin } from './shq.js';
import { SLURM_ID_RE } from './naming.js';

const MARK = '@@ASTRAN';

/**
 * One remote command answering for every reference at once: squeue (live), sacct (history) and,
 * only when sacct fails (accounting down or disabled), scontrol per job.
 */
export function buildPollCommand(refs: readonly string[]): string {
  if (refs.length === 0 || refs.some((r) => !SLURM_ID_RE.test(r))) throw new Error('poll: invalid job references');
  const ids = refs.join(',');
  const squeue = shellJoin(['squeue', '-h', '-r', '--states=all', '-j', ids, '-o', SQUEUE_FORMAT]);
  const sacct = shellJoin(['sacct', '-n', '-P', '-X', '-j', ids, '-o', SACCT_FIELDS]);
  const loop = refs.map((r) => shellJoin(['scontrol', '-o', 'show', 'job', r]) + ' 2>/dev/null').join('; ');
  return [
    `echo ${MARK}-SQUEUE; ${squeue} 2>&1; echo "${MARK}-RC $?"`,
    `echo ${MARK}-SACCT; ${sacct} 2>/dev/null; rc=$?; echo "${MARK}-RC $rc"`,
    `if [ "$rc" -ne 0 ]; then echo ${MARK}-SCONTROL; ${loop}; echo "${MARK}-RC 0"; fi`,
  ].join('\n');
}

export interface PollOutput {
  squeue: SlurmRow[];
  squeueOk: boolean;
  sacct: SlurmRow[];
  sacctOk: boolean;
  scontrol?: SlurmRow[];
}

/** Split and parse the combined output of buildPollCommand. */
export function parsePollOutput(stdout: string): PollOutput {
  const sections = new Map<string, { body: string; rc: number }>();
  const re = new RegExp(`^${MARK}-(SQUEUE|SACCT|SCONTROL)\\n([\\s\\S]*?)^${MARK}-RC (\\d+)$`, 'gm');
  for (const m of stdout.matchAll(re)) sections.set(m[1]!, { body: m[2]!, rc: Number(m[3]) });
  const q = sections.get('SQUEUE');
  const a = sections.get('SACCT');
  if (!q || !a) throw new Error('poll: incomplete output from the cluster');
  const sq = parseSqueue(q.body, q.rc);
  const out: PollOutput = { squeue: sq.rows, squeueOk: sq.ok, sacct: a.rc === 0 ? parseSacct(a.body) : [], sacctOk: a.rc === 0 };
  const c = sections.get('SCONTROL');
  if (c) out.scontrol = parseScontrol(c.body);
  return out;
}

/**
 * The poll's rows of one array job. `rowsByRef` groups them once per poll, so each watched ref costs its own rows only
 * (not a scan of every job's rows): the cost of a tick grows with the tasks reported, not with jobs × tasks.
 */
export function rowsByRef(p: PollOutput): (ref: string) => PollOutput {
  const empty = (): PollOutput => ({ squeue: [], squeueOk: p.squeueOk, sacct: [], sacctOk: p.sacctOk, ...(p.scontrol ? { scontrol: [] } : {}) });
  const groups = new Map<string, PollOutput>();
  const group = (ref: string) => {
    let g = groups.get(ref);
    if (!g) groups.set(ref, (g = empty()));
    return g;
  };
  for (const r of p.squeue) group(r.arrayJobId).squeue.push(r);
  for (const r of p.sacct) group(r.arrayJobId).sacct.push(r);
  for (const r of p.scontrol ?? []) group(r.arrayJobId).scontrol!.push(r);
  return (ref) => groups.get(ref) ?? empty();
}

