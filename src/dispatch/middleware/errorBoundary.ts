import { newErrorId, UserFacingError } from '../../core/errors.js';
import type { Middleware } from './DispatchContext.js';
import { errorReply } from '../errorReply.js';

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
      // rejected: the request was not carried out, so callers (the one-shot CLI) must not report success.
      await ctx.reply(
        err instanceof UserFacingError
          ? { text: `${err.message}${err.hint ? ' ' + err.hint : ''} (error ${errorId})`, ephemeral: true, rejected: true }
          : errorReply(errorId, ctx.spec?.name),
      );
    }
  };
}
