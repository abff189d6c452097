import type { Middleware } from './DispatchContext.js';
import { roleAtLeast } from '../../core/services.js';

/** Role check per command, before its parameters are even looked at. */
export const permission: Middleware = async (ctx, next) => {
  const spec = ctx.spec;
  if (!spec) return next();
  if (!roleAtLeast(ctx.role, spec.permission)) {
    return ctx.reply({
      text: `\`${spec.name}\` needs the ${spec.permission} role and you are a ${ctx.role ?? 'guest'}. Ask an ASTRAN admin if you need it.`,
      ephemeral: true,
      rejected: true,
    });
  }
  return next();
};
