import type { z } from 'zod';

/**
 * A config key that was renamed (snake_case everywhere, durations in seconds): where it was, relative to its
 * section, with `*` for any list index (`stages.*.mem`); its new name; and the factor from the old unit to the
 * new one (`deadline_h` → `deadline_s`: 3600).
 */
export interface RenamedKey {
  from: string;
  to: string;
  scale?: number;
}

/** One problem of a config section, its path relative to the section. */
export interface SectionIssue {
  path: (string | number)[];
  message: string;
}

function pattern(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? '*' : String(p))).join('.');
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/**
 * zod's issues as config problems, where an old key name gets a "did you mean" naming the new key (with the
 * value converted to the new unit), and the "required" complaint about the new key it stands for is dropped.
 */
export function explainIssues(issues: readonly z.core.$ZodIssue[], value: unknown, renamed: readonly RenamedKey[] = []): SectionIssue[] {
  const byOld = new Map(renamed.map((r) => [r.from, r]));
  const out: SectionIssue[] = [];
  // Exact paths of new keys whose old name was used.
  const standIns = new Set<string>();
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') continue;
    for (const k of i.keys) {
      const r = byOld.get(pattern([...i.path, k]));
      if (r) standIns.add(JSON.stringify([...i.path, r.to]));
    }
  }
  for (const i of issues) {
    const path = i.path as (string | number)[];
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) {
        const r = byOld.get(pattern([...path, k]));
        if (!r) {
          out.push({ path, message: `Unrecognized key: "${k}"` });
          continue;
        }
        const old = at(value, [...path, k]);
        const shown = r.scale !== undefined && typeof old === 'number' ? `${r.to}: ${Number((old * r.scale).toPrecision(12))}` : r.to;
        const why = r.scale !== undefined ? ' (keys are snake_case and durations are in seconds now)' : ' (keys are snake_case now)';
        out.push({ path: [...path, k], message: `renamed; did you mean \`${shown}\`?${why}` });
      }
      continue;
    }
    // The new key is "required" only because the old name was used: one message is enough.
    if (standIns.has(JSON.stringify(path)) && at(value, path) === undefined) continue;
    out.push({ path, message: i.message });
  }
  return out;
}
