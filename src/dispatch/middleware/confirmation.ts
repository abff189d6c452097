import type { DispatchContext, Middleware } from './DispatchContext.js';
import { commandContext } from './DispatchContext.js';
import type { PendingConfirmations } from './PendingConfirmations.js';
import { identityKey } from '../jobText.js';
import { roleAtLeast } from '../../core/services.js';

const YES = /^(yes|y|confirm|confirmed|yes please)[.!]*$/i;
const NO = /^(no|n|nope|abort|never ?mind)[.!]*$/i;

/** A confirmation belongs to one person in one place (thread, else channel). */
export function confirmationKey(ctx: DispatchContext): string {
  const m = ctx.msg;
  const place = m.thread ? `t:${m.thread.adapter}:${m.thread.key}` : `c:${m.channel ?? ''}`;
  return `${identityKey(m.identity)}|${place}`;
}

/**
 * Before parsing: a `yes`/`confirm` from the same identity in the same place runs the pending command;
 * anything else drops it (and is then handled as a normal message).
 */
export function confirmationReply(pending: PendingConfirmations): Middleware {
  return async (ctx, next) => {
    const key = confirmationKey(ctx);
    const had = pending.has(key);
    const p = had ? pending.take(key, ctx.services.now().getTime()) : undefined;
    if (YES.test(ctx.text)) {
      if (!p) {
        return ctx.reply({ text: had ? 'That confirmation has expired; type the command again.' : 'There is nothing waiting for your confirmation here.', ephemeral: true, rejected: true });
      }
      // The role may have changed since the question: check again.
      if (!roleAtLeast(ctx.role, p.spec.permission)) {
        return ctx.reply({ text: `\`${p.spec.name}\` needs the ${p.spec.permission} role; you are a ${ctx.role ?? 'guest'}.`, ephemeral: true, rejected: true });
      }
      ctx.spec = p.spec;
      ctx.args = p.args;
      ctx.confirmed = true;
      return next();
    }
    if (p && NO.test(ctx.text)) return ctx.reply({ text: `OK, not doing \`${p.spec.name}\`.`, ephemeral: true });
    return next();
  };
}

/** After validation: a command with a confirmation asks its question instead of running. */
export function confirmationAsk(pending: PendingConfirmations): Middleware {
  return async (ctx, next) => {
    const spec = ctx.spec;
    if (!spec?.confirmation || ctx.confirmed) return next();
    const now = ctx.services.now().getTime();
    const question = spec.confirmation.prompt(commandContext(ctx), ctx.args);
    pending.set(confirmationKey(ctx), { spec, args: ctx.args, expiresAt: now + spec.confirmation.timeoutMs }, now);
    return ctx.reply({ text: question });
  };
}
