/** Slurm --array value for these task indices: ranges compressed ("0-2,5,7-9"), "%M" throttle appended. */
export function arraySpec(indices: readonly number[], maxParallel?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error('no array tasks');
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const i of [...sorted.slice(1), Number.NaN]) {
    if (i === prev + 1) {
      prev = i;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = prev = i;
  }
  return parts.join(',') + (maxParallel && maxParallel > 0 ? `%${maxParallel}` : '');
}

/**
 * Expand an array task expression as Slurm prints it: "3", "[2-3]", "[0-3%2]", "[1,4-6]".
 * Returns undefined when the text is not such an expression.
 */
export function expandArrayTasks(expr: string): number[] | undefined {
  let body = expr;
  if (body.startsWith('[')) {
    if (!body.endsWith(']')) return undefined;
    body = body.slice(1, -1).replace(/%\d+$/, '');
  }
  const out: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (b < a || step < 1 || b - a > 1_000_000) return undefined;
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}
