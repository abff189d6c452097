import type { TaskState } from '../ClusterBackend.js';

const PENDING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'STAGE_OUT', 'SIGNALING', 'RESIZING', 'SUSPENDED', 'STOPPED']);
/** Final states that are failures, reported by their Slurm name. */
const NAMED_FAILURES = new Set(['TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'SPECIAL_EXIT']);

export function isFinalSlurmState(s: string): boolean {
  return !PENDING.has(s) && !RUNNING.has(s) && (s === 'COMPLETED' || s === 'FAILED' || s === 'CANCELLED' || s === 'REVOKED' || NAMED_FAILURES.has(s));
}

/** Map a Slurm state (and exit code) to the backend's task state and a plain-words reason. */
export function mapSlurmState(state: string, exitCode?: number, signal?: number): { state: TaskState; reason?: string } {
  if (PENDING.has(state)) return { state: 'pending' };
  if (RUNNING.has(state)) return { state: 'running' };
  if (state === 'COMPLETED') return { state: 'completed' };
  if (state === 'CANCELLED' || state === 'REVOKED') return { state: 'cancelled', reason: state };
  if (NAMED_FAILURES.has(state)) return { state: 'failed', reason: state };
  if (state === 'FAILED') {
    if (signal) return { state: 'failed', reason: `killed by signal ${signal}` };
    if (exitCode !== undefined) return { state: 'failed', reason: `non-zero exit code ${exitCode}` };
    return { state: 'failed', reason: 'non-zero exit code' };
  }
  // A state this code does not know (newer Slurm): keep waiting rather than guess an outcome.
  return { state: 'running', reason: `unknown Slurm state ${state}` };
}
