/** `sbatch --parsable` prints "jobid" or "jobid;cluster". Anything else is an error. */
export function parseSbatch(stdout: string): string {
  const line = stdout.trim();
  const m = /^(\d{1,12})(?:;[A-Za-z0-9_-]+)?$/.exec(line);
  if (!m) throw new Error(`unexpected sbatch output: ${JSON.stringify(line.slice(0, 200))}`);
  return m[1]!;
}
