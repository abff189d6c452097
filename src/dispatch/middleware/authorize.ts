import type { Middleware } from './DispatchContext.js';
import type { Authorizer } from '../Authorizer.js';
import { ROLES } from '../../core/services.js';
import { code } from '../validation/Problem.js';
import { identityKey } from '../jobText.js';

/** Fail closed: unknown identity or an authorizer error → polite refusal; the command never runs. */
export function authorize(authorizer: Authorizer): Middleware {
  return async (ctx, next) => {
    const id = ctx.msg.identity;
    try {
      const role = authorizer.roleOf(id);
      // Anything but a known role (a buggy authorizer) counts as no access.
      ctx.role = role !== null && (ROLES as readonly string[]).includes(role) ? role : null;
      // The same person on every adapter: ownership and Slurm accounts follow the person, not the identity.
      if (ctx.role !== null) ctx.person = authorizer.personOf?.(id);
    } catch (err) {
      ctx.log.error({ err, msgId: ctx.msg.id, user: identityKey(id) }, 'authorizer failed; refusing');
      ctx.role = null;
      ctx.person = undefined;
    }
    if (ctx.role === null) {
      ctx.log.info({ msgId: ctx.msg.id, user: identityKey(id) }, 'refused: not on the access list');
      return ctx.reply({ text: `You are not on ASTRAN's access list; ask an ASTRAN admin to add ${code(identityKey(id), 120)}.`, ephemeral: true, rejected: true, refusal: 'access' });
    }
    return next();
  };
}
