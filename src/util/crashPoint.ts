/**
 * Named crash points for the kill tests (test/integration/crashRecovery.test.ts): when the environment variable
 * ASTRAN_CRASH_AT names this point, the process SIGKILLs itself right here, as `kill -9` from outside would, but at an
 * exact step. Unset (always, in production) it costs one string comparison. Points in use:
 *   after_sbatch       — a stage was submitted to the cluster, its Slurm id not yet recorded
 *   summary_upload     — the job's final summary is recorded in the outbox, its upload to the platform under way
 *   mail_accepted      — Postfix accepted a mail (detail: its subject), the bot has not recorded it yet
 * A point can be limited to one place by appending `@<text>` (matched against `detail`, e.g. the stage name).
 */
export function crashPoint(name: string, detail = ''): void {
  const at = process.env.ASTRAN_CRASH_AT;
  if (!at) return;
  const [point, where] = at.split('@', 2);
  if (point !== name || (where !== undefined && where !== detail)) return;
  process.kill(process.pid, 'SIGKILL');
}
