import type { AnyCommandSpec } from '../CommandSpec.js';
import { exampleValue } from '../CommandSpec.js';

/** `help`: one line per command, from the specs. */
export function renderHelpIndex(specs: readonly AnyCommandSpec[]): string {
  const lines = specs.map((s) => `• \`/astran ${s.usage}\` — ${s.summary}`);
  return ['*ASTRAN commands*', ...lines, 'Details: `/astran help <command>`, e.g. `/astran help launch`.'].join('\n');
}

/** `help launch`: usage, parameters with examples, examples, who may use it, side effects. */
export function renderHelpFor(spec: AnyCommandSpec, now: Date): string {
  const lines = [`*/astran ${spec.usage}* — ${spec.summary}`];
  if (spec.args.length) {
    lines.push('Parameters:');
    for (const a of spec.args) {
      const tags = [a.required ? 'required' : 'optional', a.positional ? 'may be typed without the key' : ''].filter(Boolean).join(', ');
      lines.push(`• \`${a.name}\` (${tags}): ${a.description} Example: \`${a.name}=${exampleValue(a, now)}\``);
    }
  }
  if (spec.examples.length) lines.push('Examples:', ...spec.examples.map((e) => `• \`/astran ${e}\``));
  lines.push(`Who: ${spec.permission} or above. Side effects: ${spec.sideEffects}.`);
  if (spec.confirmation) lines.push(`Asks for confirmation (reply \`yes\` within ${Math.round(spec.confirmation.timeoutMs / 60000)} minutes).`);
  return lines.join('\n');
}
