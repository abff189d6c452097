/**
 * Single-quote one word for a POSIX shell. The only quoting function of the Slurm backend: every
 * remote command is assembled from argv arrays through it, so no value is ever parsed by the shell.
 */
export function shq(word: string): string {
  if (word.includes('\0')) throw new Error('NUL byte in a shell word');
  // Words of only these characters mean the same quoted or not ('=' excluded: a leading NAME=x is an assignment).
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(word)) return word;
  return "'" + word.replace(/'/g, `'\\''`) + "'";
}

/** Quote each element and join: a command line that runs exactly `argv`. */
export function shellJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty argv');
  return argv.map(shq).join(' ');
}
