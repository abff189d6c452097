/**
 * Compute-node names must not reach chat: drop them from the lines the job script and slurmstepd write into a
 * task log (`astran: task 0 run 1807 start … on cn042`, `*** JOB 12 ON cn042 CANCELLED AT … ***`). The full log
 * stays on the cluster for operators.
 */
export function scrubNodeNames(log: string): string {
  return log
    .replace(/^(astran: task \S+ run \S+ start \S+) on \S+$/gm, '$1')
    .replace(/(\*\*\* (?:JOB|STEP) \S+) ON \S+ /g, '$1 ');
}
