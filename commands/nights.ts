import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { SourceEntry } from '../src/config/SourceCatalog.js';
import { textArg } from '../src/dispatch/validation/argSchemas.js';
import { code } from '../src/dispatch/validation/Problem.js';
import { formatDidYouMean } from '../src/dispatch/help/didYouMean.js';

export interface NightsArgs {
  source: SourceEntry;
}

const SHOWN = 30;

export const nights: CommandSpec<NightsArgs> = {
  name: 'nights',
  summary: 'List the nights that have runs of a source, newest first, with run counts.',
  usage: 'nights source=NAME',
  examples: ['nights source=Crab', 'nights source="PKS 2155-304"'],
  args: [{ name: 'source', required: true, positional: true, description: 'Source name or alias from `/astran sources`.', example: 'Crab', schema: textArg() }],
  permission: 'viewer',
  sideEffects: 'none',

  async check(ctx, parsed) {
    const name = parsed.source as string;
    const source = ctx.services.sources.resolve(name);
    if (source) return { ok: true, args: { source } };
    const near = ctx.services.sources.suggest(name);
    return {
      ok: false,
      problems: [{ message: `I don't know the source ${code(name)}.`, fix: near.length ? formatDidYouMean(near) : '`/astran sources` lists the known sources.' }],
    };
  },

  async run(ctx, { source }) {
    const list = (await ctx.services.nights.nights(source)).slice().sort((a, b) => b.night.localeCompare(a.night));
    if (!list.length) return { text: `No night has runs of ${source.name} yet.` };
    const total = list.reduce((s, n) => s + n.runs, 0);
    const lines = list.slice(0, SHOWN).map((n) => `• ${n.night} — ${n.runs} run${n.runs === 1 ? '' : 's'}`);
    if (list.length > SHOWN) lines.push(`…and ${list.length - SHOWN} earlier nights`);
    return { text: [`*${source.name}*: ${total} runs in ${list.length} night${list.length === 1 ? '' : 's'}`, ...lines].join('\n') };
  },
};
