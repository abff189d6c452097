import type { Middleware } from './DispatchContext.js';

/** A message typed in a job's thread is about that job (`status`, `cancel` without an id). */
export const threadJob: Middleware = async (ctx, next) => {
  if (ctx.msg.thread) ctx.threadJob = ctx.services.store.findJobByThread(ctx.msg.thread);
  return next();
};
