import type { Middleware } from './DispatchContext.js';
import { commandContext } from './DispatchContext.js';
import { bindArgs } from '../parsing/bindArgs.js';
import { checkArgs, missingProblem } from '../validation/checkArgs.js';
import { renderProblems, type Problem } from '../validation/Problem.js';

function lead(verb: string): string {
  return verb === 'launch' ? "I can't launch that yet" : `I can't run \`${verb}\` like that`;
}

/**
 * Validate centrally, the way hubot's CommandBus does: bind the words to the spec's parameters, list the
 * missing required ones, run every value through its zod schema, then the spec's own domain check.
 * Every problem goes in one reply; nothing runs unless there is none.
 */
export const validate: Middleware = async (ctx, next) => {
  if (ctx.confirmed) return next();
  const spec = ctx.spec!;
  const now = ctx.services.now();
  const { values, problems: unbound } = bindArgs(spec, ctx.command!);
  ctx.values = values;
  const { parsed, problems: invalid, missing } = checkArgs(spec, values, now);
  const problems: Problem[] = [...unbound, ...(missing.length ? [missingProblem(spec, values, missing, now)] : []), ...invalid];
  let args: unknown = parsed;
  let refused = problems.length > 0;
  if (spec.check && ((missing.length === 0 && invalid.length === 0) || spec.checkPartial)) {
    const r = await spec.check(commandContext(ctx), parsed, values);
    if (r.ok) args = r.args;
    else {
      refused = true;
      problems.push(...r.problems);
    }
  }
  // A check may refuse without adding a problem only when the central checks found one; never run on an empty refusal.
  if (refused && !problems.length) problems.push({ message: 'Something is missing.', fix: `Usage: \`/astran ${spec.usage}\`.` });
  if (refused) return ctx.reply({ text: renderProblems(lead(spec.name), problems), ephemeral: true, rejected: true });
  ctx.args = args;
  return next();
};
