import type { Middleware } from './DispatchContext.js';

/** Messages from bots (including ASTRAN itself) are acknowledged silently and never answered: no loops. */
export const ignoreBots: Middleware = async (ctx, next) => {
  if (ctx.msg.identity.isBot) return ctx.reply();
  return next();
};
