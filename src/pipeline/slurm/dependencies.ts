import type { TaskDependency, TaskRef } from '../ClusterBackend.js';

/** How a submission's dependencies reach Slurm: one --dependency for the array, then narrowed per task. */
export interface CompiledDependencies {
  /** The --dependency value (undefined: none). */
  sbatch?: string;
  /**
   * Tasks whose own dependencies are fewer than the array's: `scontrol update JobId=<ref>_<index>
   * Dependency=<expr>` right after sbatch ('' clears). Until then they wait for more than they need, never less.
   */
  narrow: { index: number; expr: string }[];
}

/** `afterok:1_0:1_2:7` for these tasks and whole submissions ('' for none). */
export function afterokExpr(tasks: readonly TaskRef[], whole: readonly string[] = []): string {
  const ids = [...new Set([...whole, ...tasks.map((t) => `${t.ref}_${t.index}`)])];
  return ids.length ? `afterok:${ids.join(':')}` : '';
}

/**
 * Turn "every task waits for these whole submissions" plus "task i waits for these single tasks" into Slurm terms:
 * - no per-task waits: `afterok:<refs>`;
 * - every task i waits for exactly task i of one parent A that has every index this array has: `aftercorr:A`
 *   (task i starts as soon as A's task i succeeded; a failed A_i blocks only this array's task i);
 * - otherwise (arrays do not line up): the array waits for the union, then each task is narrowed to its own list.
 * `parentIndices(ref)` gives the task indices of a parent submission when known (undefined: unknown).
 */
export function compileDependencies(
  indices: readonly number[],
  dependsOn: readonly string[] = [],
  taskDependsOn: readonly TaskDependency[] = [],
  parentIndices: (ref: string) => readonly number[] | undefined = () => undefined,
): CompiledDependencies {
  const whole = [...new Set(dependsOn)];
  const own = new Map<number, TaskRef[]>();
  for (const d of taskDependsOn) own.set(d.index, [...(own.get(d.index) ?? []), ...d.on]);
  if (own.size === 0) return { sbatch: whole.length ? `afterok:${whole.join(':')}` : undefined, narrow: [] };

  // aftercorr when every task waits for exactly the same index of one parent that has all our indices.
  const first = own.get(indices[0]!)?.[0];
  const parent = first?.ref;
  const known = parent ? parentIndices(parent) : undefined;
  const aligned =
    parent !== undefined &&
    known !== undefined &&
    indices.every((i) => {
      const l = own.get(i);
      return l !== undefined && l.length === 1 && l[0]!.ref === parent && l[0]!.index === i && known.includes(i);
    });
  if (aligned) return { sbatch: [`aftercorr:${parent}`, ...(whole.length ? [`afterok:${whole.join(':')}`] : [])].join(','), narrow: [] };

  const all = indices.flatMap((i) => own.get(i) ?? []);
  const union = afterokExpr(all, whole);
  const narrow: { index: number; expr: string }[] = [];
  for (const i of indices) {
    const expr = afterokExpr(own.get(i) ?? [], whole);
    if (expr !== union) narrow.push({ index: i, expr });
  }
  return { sbatch: union || undefined, narrow };
}
