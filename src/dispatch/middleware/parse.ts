import type { Middleware } from './DispatchContext.js';
import type { AnyCommandSpec } from '../CommandSpec.js';
import { parseCommand } from '../parsing/parseCommand.js';
import { code, renderProblems } from '../validation/Problem.js';
import { didYouMean } from '../help/didYouMean.js';

/** Parse the text and find the command spec; syntax errors and unknown verbs are answered here. */
export function parse(specs: readonly AnyCommandSpec[]): Middleware {
  const names = specs.map((s) => s.name);
  const list = names.map((n) => `\`${n}\``).join(', ');
  return async (ctx, next) => {
    if (ctx.confirmed) return next();
    if (!ctx.text) return ctx.reply({ text: `Hi! I run next-day analyses. Commands: ${list}. Try \`/astran help\`.`, ephemeral: true });
    const r = parseCommand(ctx.text);
    if (!r.ok) return ctx.reply({ text: renderProblems("I couldn't read that command", r.problems), ephemeral: true, rejected: true });
    const cmd = r.command;
    ctx.command = cmd;
    if (!cmd.verb) {
      // key=value pairs with no verb: most likely a launch with the verb forgotten.
      const launchLike = cmd.pairs.some((p) => p.key === 'source' || p.key === 'date');
      return ctx.reply({
        text: `Start with a command (${list}).${launchLike && names.includes('launch') ? ` Did you mean ${code('/astran launch ' + ctx.text, 200)}?` : ''}`,
        ephemeral: true,
        rejected: true,
      });
    }
    const spec = specs.find((s) => s.name === cmd.verb);
    if (!spec) {
      const hint = didYouMean(cmd.verb, names);
      return ctx.reply({
        text: `I don't know the command ${code(cmd.rawVerb)}. ${hint ? hint + ' ' : ''}Commands: ${list} (\`/astran help\`).`,
        ephemeral: true,
        rejected: true,
      });
    }
    ctx.spec = spec;
    return next();
  };
}
