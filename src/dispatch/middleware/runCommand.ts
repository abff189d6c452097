import type { Middleware } from './DispatchContext.js';
import { commandContext } from './DispatchContext.js';

/** Run the command and acknowledge with its answer. */
export const runCommand: Middleware = async (ctx) => {
  const spec = ctx.spec!;
  const reply = await spec.run(commandContext(ctx), ctx.args);
  // Every message gets a visible answer, even from a command with nothing to say.
  await ctx.reply(reply && reply.text.trim() ? reply : { ...reply, text: 'Done.' });
};
