import type { AnyCommandSpec, CommandSpec } from '../src/dispatch/CommandSpec.js';
import { textArg } from '../src/dispatch/validation/argSchemas.js';
import { code } from '../src/dispatch/validation/Problem.js';
import { renderHelpFor, renderHelpIndex } from '../src/dispatch/help/renderHelp.js';
import { didYouMean } from '../src/dispatch/help/didYouMean.js';

export interface HelpArgs {
  spec: AnyCommandSpec | null;
}

/** `help` renders from the command specs themselves (passed lazily: help is one of them). */
export function createHelp(specs: () => readonly AnyCommandSpec[]): CommandSpec<HelpArgs> {
  const help: CommandSpec<HelpArgs> = {
    name: 'help',
    summary: 'List the commands, or explain one with its parameters and examples.',
    usage: 'help [COMMAND]',
    examples: ['help', 'help launch'],
    args: [{ name: 'command', positional: true, description: 'A command name, e.g. launch.', example: 'launch', schema: textArg(40) }],
    permission: 'viewer',
    sideEffects: 'none',

    async check(_ctx, parsed) {
      if (typeof parsed.command !== 'string') return { ok: true, args: { spec: null } };
      const name = parsed.command.toLowerCase().replace(/^\/?astran\s*/, '');
      const spec = specs().find((s) => s.name === name);
      if (spec) return { ok: true, args: { spec } };
      const hint = didYouMean(name, specs().map((s) => s.name), { prefix: 'help ' });
      return {
        ok: false,
        problems: [{ message: `There is no command ${code(parsed.command)}.`, fix: hint || `Commands: ${specs().map((s) => s.name).join(', ')}.` }],
      };
    },

    async run(ctx, { spec }) {
      return { text: spec ? renderHelpFor(spec, ctx.services.now()) : renderHelpIndex(specs()), ephemeral: true };
    },
  };
  return help;
}
