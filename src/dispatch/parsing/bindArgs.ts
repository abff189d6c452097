import type { AnyCommandSpec, ArgValues } from '../CommandSpec.js';
import type { ParsedCommand } from './parseCommand.js';
import { canonicalKey } from './parseCommand.js';
import type { Problem } from '../validation/Problem.js';
import { code } from '../validation/Problem.js';
import { didYouMean } from '../help/didYouMean.js';
import { quoteValue } from '../validation/checkArgs.js';

/**
 * Map a parsed command onto a spec's parameters: positionals onto the positional parameter,
 * bare flags (`dry_run`) to `yes`, and report unknown keys (with "did you mean"), repeated keys and
 * stray words — all at once.
 */
export function bindArgs(spec: AnyCommandSpec, cmd: ParsedCommand): { values: ArgValues; problems: Problem[] } {
  const values: ArgValues = Object.create(null);
  const problems: Problem[] = [];
  const names = spec.args.map((a) => a.name);
  const positional = spec.args.find((a) => a.positional);
  const set = (key: string, value: string, shown: string) => {
    if (key in values) {
      problems.push({ message: `${code(shown)} is given twice.`, fix: `Keep one ${key}=… .` });
      return;
    }
    values[key] = value;
  };

  for (const pair of cmd.pairs) {
    if (names.includes(pair.key)) {
      set(pair.key, pair.value, pair.rawKey);
      continue;
    }
    const hint = didYouMean(pair.key, names);
    problems.push({
      message: `\`${spec.name}\` has no parameter ${code(pair.rawKey)}.`,
      fix: hint
        ? hint
        : names.length
          ? `Its parameters are ${names.map((n) => `\`${n}\``).join(', ')}.`
          : `It takes no parameters.`,
    });
  }

  let positionalUsed = false;
  for (const word of cmd.positionals) {
    const flag = spec.args.find((a) => a.flag && a.name === canonicalKey(word));
    if (flag) {
      set(flag.name, 'yes', word);
      continue;
    }
    if (positional && !positionalUsed) {
      positionalUsed = true;
      set(positional.name, word, positional.name);
      continue;
    }
    // Most likely the value of the first required parameter not given yet (`launch Crab` → source=Crab).
    const given = new Set(cmd.pairs.map((p) => p.key));
    const guess = spec.args.find((a) => a.required && !given.has(a.name)) ?? spec.args[0];
    problems.push({
      message: `I don't know what to do with ${code(word)}.`,
      fix:
        guess && !positional
          ? `Write parameters as key=value, e.g. \`${guess.name}=${quoteValue(word.replace(/[`<>]/g, '')).slice(0, 60)}\`.`
          : `Usage: \`/astran ${spec.usage}\`.`,
    });
  }
  return { values, problems };
}
