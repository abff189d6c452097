import type { AnyCommandSpec, ArgValues } from '../CommandSpec.js';
import { exampleValue } from '../CommandSpec.js';
import type { Problem } from './Problem.js';
import { code } from './Problem.js';

export interface CheckedArgs {
  /** Values that passed their schema, by key. */
  parsed: Record<string, unknown>;
  problems: Problem[];
  /** Required parameters that were not given. */
  missing: string[];
}

/** Run every given value through its zod schema and list missing required parameters. */
export function checkArgs(spec: AnyCommandSpec, values: ArgValues, now: Date): CheckedArgs {
  const parsed: Record<string, unknown> = {};
  const problems: Problem[] = [];
  const missing: string[] = [];
  for (const arg of spec.args) {
    if (!(arg.name in values)) {
      if (arg.required || (arg.requiredUnless && !arg.requiredUnless.some((k) => k in values))) missing.push(arg.name);
      continue;
    }
    const r = arg.schema.safeParse(values[arg.name]);
    if (r.success) parsed[arg.name] = r.data;
    else {
      problems.push({
        message: `${arg.name}=${code(values[arg.name])} ${r.error.issues[0]?.message ?? 'is not valid.'}`,
        fix: `Example: \`${arg.name}=${quoteValue(exampleValue(arg, now))}\`.`,
      });
    }
  }
  return { parsed, problems, missing };
}

/** Quote a value for a usage example when it has spaces. */
export function quoteValue(v: string): string {
  return /[\s"]/.test(v) ? (v.includes('"') ? `'${v}'` : `"${v}"`) : v;
}

/**
 * "Missing date. Try: `/astran launch source=Crab date=20231207`": the user's own values, with the
 * missing ones filled from the spec's examples.
 */
export function missingProblem(spec: AnyCommandSpec, values: ArgValues, missing: string[], now: Date): Problem {
  const parts: string[] = [];
  for (const arg of spec.args) {
    if (arg.name in values) parts.push(`${arg.name}=${quoteValue(values[arg.name].replace(/[`<>]/g, ''))}`);
    else if (missing.includes(arg.name)) parts.push(`${arg.name}=${quoteValue(exampleValue(arg, now))}`);
  }
  const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
  let example = `/astran ${spec.name} ${parts.join(' ')}`;
  if (example.length > 300) example = example.slice(0, 299) + '…';
  return { message: `Missing ${list}.`, fix: `Try: \`${example}\`` };
}
