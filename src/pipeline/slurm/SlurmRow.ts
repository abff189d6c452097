/** One line of squeue / sacct / scontrol output, normalised. */
export interface SlurmRow {
  source: 'squeue' | 'sacct' | 'scontrol';
  /** Array job id = the backend reference. */
  arrayJobId: string;
  /** Task indices the row covers; null when the row is the whole job without task detail. */
  tasks: number[] | null;
  /** Row stands for several never-started tasks ("1_[2-3]"); such rows can go stale in sacct. */
  grouped: boolean;
  /** First word of the state, upper case ("CANCELLED by 1001" -> CANCELLED). */
  state: string;
  reason?: string;
  exitCode?: number;
  signal?: number;
  jobName?: string;
}

/** Output that does not have the expected shape: the poll fails loudly instead of guessing. */
export class SlurmParseError extends Error {
  constructor(what: string, line: string) {
    super(`unexpected ${what} output: ${JSON.stringify(line.slice(0, 200))}`);
    this.name = 'SlurmParseError';
  }
}

/** "3:0" -> exit 3, signal 0 */
export function parseExitCode(s: string): { exitCode: number; signal: number } | undefined {
  const m = /^(\d+):(\d+)$/.exec(s);
  return m ? { exitCode: Number(m[1]), signal: Number(m[2]) } : undefined;
}

export function firstWordState(s: string): string | undefined {
  const w = s.trim().split(/\s+/)[0] ?? '';
  return /^[A-Z_]+$/.test(w) ? w : undefined;
}
