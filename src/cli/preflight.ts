/**
 * The part of the message pipeline that needs no job, no store and no backend: normalise → authorize → confirmation
 * answer → parse → permission, the same middlewares the dispatcher runs, in the same order. `astran run` passes its
 * command through this first, so a mistyped command or a refusal is answered without starting the bot (the bot
 * would give the very same reply from the very same code). A command that gets through is run by the whole bot.
 */
import type { InboundHandler } from '../core/types.js';
import type { Authorizer } from '../dispatch/Authorizer.js';
import type { Logger } from '../log.js';
import type { AnyCommandSpec } from '../dispatch/CommandSpec.js';
import type { CommandServices } from '../core/services.js';
import type { DispatchContext } from '../dispatch/middleware/DispatchContext.js';
import { PendingConfirmations } from '../dispatch/middleware/PendingConfirmations.js';
import { compose } from '../dispatch/middleware/compose.js';
import { normalise } from '../dispatch/middleware/normalise.js';
import { authorize } from '../dispatch/middleware/authorize.js';
import { confirmationReply } from '../dispatch/middleware/confirmation.js';
import { parse } from '../dispatch/middleware/parse.js';
import { permission } from '../dispatch/middleware/permission.js';

export interface Preflight {
  handle: InboundHandler;
  /** True once a message got through every step: it needs the bot. */
  readonly passed: boolean;
}

export function createPreflight(opts: { authorizer: Authorizer; specs: readonly AnyCommandSpec[]; log: Logger }): Preflight {
  // A fresh process has no pending confirmation, exactly like the bot it stands in front of.
  const chain = compose([normalise, authorize(opts.authorizer), confirmationReply(new PendingConfirmations()), parse(opts.specs), permission]);
  let passed = false;
  // None of these steps reads the services (the confirmation step only for a pending entry, and there is none).
  const noServices = new Proxy({} as CommandServices, {
    get(_t, key) {
      throw new Error(`preflight step read services.${String(key)}`);
    },
  });
  return {
    get passed() {
      return passed;
    },
    async handle(msg) {
      let acked = false;
      const ctx: DispatchContext = {
        msg,
        services: noServices,
        log: opts.log,
        text: '',
        role: null,
        get acked() {
          return acked;
        },
        async reply(reply) {
          if (acked) return;
          acked = true;
          await msg.ack(reply);
        },
      };
      await chain(ctx, async () => {
        passed = true;
      });
    },
  };
}
