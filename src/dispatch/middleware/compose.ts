import type { DispatchContext, Middleware, Next } from './DispatchContext.js';

const done: Next = () => Promise.resolve();

/** grammY-style composition: each middleware decides whether to call `next`. */
export function compose(middleware: readonly Middleware[]): (ctx: DispatchContext, last?: Next) => Promise<void> {
  return (ctx, last = done) => {
    // No async wrapper per step: one promise per middleware, not two (1,000 messages in flight add up).
    const dispatch = (i: number): Promise<void> => {
      if (i === middleware.length) return last();
      let called = false;
      try {
        return middleware[i](ctx, () => {
          if (called) return Promise.reject(new Error('next() called twice'));
          called = true;
          return dispatch(i + 1);
        });
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return dispatch(0);
  };
}
