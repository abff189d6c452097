import type { CommandSpec } from '../src/dispatch/CommandSpec.js';

export const sources: CommandSpec<Record<string, never>> = {
  name: 'sources',
  summary: 'List the sources ASTRAN knows, with their aliases.',
  usage: 'sources',
  examples: ['sources'],
  args: [],
  permission: 'viewer',
  sideEffects: 'none',

  async run(ctx) {
    const lines = ctx.services.sources.entries.map((e) => `• ${e.name}${e.aliases.length ? ` (also: ${e.aliases.join(', ')})` : ''}`);
    return { text: [`*Known sources (${lines.length})*`, ...lines, 'Use any name or alias: `/astran nights source=Crab`.'].join('\n') };
  },
};
