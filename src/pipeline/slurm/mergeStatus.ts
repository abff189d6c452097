import type { StageStatus, TaskState, TaskStatus } from '../ClusterBackend.js';
import type { SlurmRow } from './SlurmRow.js';
import { isFinalSlurmState, mapSlurmState } from './slurmState.js';

/** What the backend remembers about one reference between ticks. */
export interface RefMemory {
  /** Task indices submitted (unknown after a restart until seen). */
  indices?: number[];
  /** When this process first asked about the ref (ms). */
  firstSeenMs: number;
  /** When squeue first showed each task final while sacct had no final row for it (ms). */
  finalWithoutDetailSince: Map<number, number>;
  /** Cancelled by the backend because a dependency can never be satisfied (every task). */
  depNeverSatisfied: boolean;
  /** Tasks cancelled by the backend because their dependency can never be satisfied. */
  depNeverTasks?: Set<number>;
  /** When each task was first seen blocked by a failed dependency (ms). */
  blockedSince?: Map<number, number>;
  /** Exit codes from the job's events file, by task: the outcome before sacct has it. */
  events?: Map<number, number>;
  /** Final states seen before: sticky, so a job Slurm has since forgotten keeps its outcome. */
  finals?: Map<number, TaskStatus>;
}

export interface MergeInput {
  squeue: SlurmRow[];
  squeueOk: boolean;
  sacct: SlurmRow[];
  sacctOk: boolean;
  /** Present when accounting was unavailable and scontrol was asked instead. */
  scontrol?: SlurmRow[];
  nowMs: number;
  graceMs: number;
}

const DEP_NEVER = 'DependencyNeverSatisfied';

function statusFrom(row: SlurmRow): TaskStatus & { slurm: string } {
  const m = mapSlurmState(row.state, row.exitCode, row.signal);
  const out: TaskStatus & { slurm: string } = { index: -1, state: m.state, slurm: row.state };
  if (m.reason) out.reason = m.reason;
  if (m.state === 'failed' && row.exitCode !== undefined && !row.signal) out.exitCode = row.exitCode;
  if (m.state === 'completed') out.exitCode = 0;
  if (row.reason === DEP_NEVER) out.reason = DEP_NEVER;
  return out;
}

/** Roll task states up: final only when every task is final. */
export function rollUp(tasks: TaskStatus[]): TaskState {
  if (tasks.length === 0) return 'pending';
  const s = new Set(tasks.map((t) => t.state));
  if (s.has('pending') || s.has('running')) return s.has('running') || s.has('completed') || s.has('failed') || s.has('cancelled') ? 'running' : 'pending';
  if (s.size === 1 && s.has('completed')) return 'completed';
  return s.has('failed') ? 'failed' : 'cancelled';
}

/**
 * Merge squeue (live truth), sacct (history with exit codes, lags ~3 s, grouped pending rows go
 * stale) and, without accounting, scontrol into one status per reference.
 */
export function mergeStatus(ref: string, mem: RefMemory, inp: MergeInput): StageStatus {
  const by = (rows: SlurmRow[] | undefined) => {
    const single = new Map<number, SlurmRow>();
    const grouped = new Map<number, SlurmRow>();
    for (const r of rows ?? []) {
      if (r.arrayJobId !== ref || !r.tasks) continue;
      for (const i of r.tasks) (r.grouped ? grouped : single).set(i, r);
    }
    return { single, grouped };
  };
  const q = by(inp.squeue);
  const a = by(inp.sacct);
  const c = by(inp.scontrol);
  const indices = new Set<number>(mem.indices ?? []);
  for (const m of [q.single, q.grouped, a.single, a.grouped, c.single, c.grouped]) for (const i of m.keys()) indices.add(i);
  const young = inp.nowMs - mem.firstSeenMs < inp.graceMs;
  const tasks: TaskStatus[] = [];

  for (const index of [...indices].sort((x, y) => x - y)) {
    const qRow = q.single.get(index) ?? q.grouped.get(index);
    const detail = [a.single.get(index), c.single.get(index)].find((r) => r && isFinalSlurmState(r.state));
    let st: TaskStatus;
    if (qRow) {
      if (isFinalSlurmState(qRow.state)) {
        const rc = mem.events?.get(index);
        if (detail) st = statusFrom(detail);
        else if (rc !== undefined && !qRow.signal) {
          // The task's own script wrote its exit code: no need to wait for sacct's copy of it.
          st = statusFrom({ ...qRow, exitCode: rc });
        } else {
          // squeue knows the outcome before sacct has the exit code: wait a little for the detail.
          const since = mem.finalWithoutDetailSince.get(index) ?? inp.nowMs;
          mem.finalWithoutDetailSince.set(index, since);
          const detailComing = inp.sacctOk && inp.nowMs - since < inp.graceMs;
          st = detailComing ? { index, state: 'running' } : statusFrom(qRow);
        }
        if (qRow.reason === DEP_NEVER) st.reason = DEP_NEVER;
      } else st = statusFrom(qRow);
    } else if (detail) st = statusFrom(detail);
    else {
      const other = a.single.get(index) ?? c.single.get(index) ?? c.grouped.get(index);
      const groupedOnly = a.grouped.get(index);
      if (other) st = statusFrom(other);
      else if (groupedOnly && !inp.squeueOk) st = statusFrom(groupedOnly);
      else if (inp.squeueOk && (inp.sacctOk || inp.scontrol) && !young) {
        // A pending task cancelled on its own vanishes from squeue, sacct and scontrol alike; a
        // stale grouped sacct row does not count as evidence.
        st = { index, state: 'cancelled', reason: 'vanished from the queue' };
      } else st = { index, state: 'pending' };
    }
    st.index = index;
    if ((mem.depNeverSatisfied || mem.depNeverTasks?.has(index)) && st.state !== 'completed' && st.state !== 'failed') {
      st.state = 'cancelled';
      st.reason = DEP_NEVER;
    }
    const { slurm: _drop, ...clean } = st as TaskStatus & { slurm?: string };
    const finals = (mem.finals ??= new Map());
    const known = finals.get(index);
    if (known && (clean.state === 'pending' || clean.state === 'running' || clean.reason === 'vanished from the queue')) {
      tasks.push({ ...known });
      continue;
    }
    if (clean.state !== 'pending' && clean.state !== 'running') finals.set(index, { ...clean });
    tasks.push(clean);
  }
  return { ref, state: rollUp(tasks), tasks };
}
