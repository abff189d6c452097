import { newErrorId, UserFacingError } from '../../core/errors.js';
import type { Middleware } from './DispatchContext.js';

/**
 * Scoped error boundary: an exception below it becomes a reply quoting an error id (full detail
 * in the log only: no stack, path or host in chat). A UserFacingError's message is written for
 * users, so it is shown as is. The scope names where it happened in the log.
 */
export function errorBoundary(scope: string): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const errorId = newErrorId();
      ctx.log.error({ err, errorId, scope, msgId: ctx.msg.id, verb: ctx.spec?.name }, 'command failed');
      if (ctx.acked) return;
      const text =
        err instanceof UserFacingError
          ? `${err.message}${err.hint ? ' ' + err.hint : ''} (error ${errorId})`
          : `Sorry, something went wrong${ctx.spec ? ` with \`${ctx.spec.name}\`` : ''} (error ${errorId}). Nothing else was affected; an ASTRAN admin can look the error id up in the log.`;
      // rejected: the request was not carried out, so callers (the one-shot CLI) must not report success.
      await ctx.reply({ text, ephemeral: true, rejected: true });
    }
  };
}
