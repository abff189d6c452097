import type { Middleware } from './DispatchContext.js';
import { commandContext } from './DispatchContext.js';
import { bindArgs } from '../parsing/bindArgs.js';
import { renderProblems } from '../validation/Problem.js';

function lead(verb: string): string {
  return verb === 'launch' ? "I can't launch that yet" : `I can't run \`${verb}\` like that`;
}

/** Bind parameters and let the spec validate them; every problem goes in one reply. */
export const validate: Middleware = async (ctx, next) => {
  if (ctx.confirmed) return next();
  const spec = ctx.spec!;
  const { values, problems } = bindArgs(spec, ctx.command!);
  ctx.values = values;
  const r = await spec.validate(commandContext(ctx), values);
  const all = [...problems, ...(r.ok ? [] : r.problems)];
  if (all.length) return ctx.reply({ text: renderProblems(lead(spec.name), all), ephemeral: true, rejected: true });
  ctx.args = (r as { args: unknown }).args;
  return next();
};
