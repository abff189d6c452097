import type { InboundHandler, InboundMessage, Reply } from '../core/types.js';
import type { CommandServices } from '../core/services.js';
import type { Authorizer } from './Authorizer.js';
import type { Logger } from '../log.js';
import type { AnyCommandSpec } from './CommandSpec.js';
import { PendingConfirmations } from './middleware/PendingConfirmations.js';
import { newErrorId } from '../core/errors.js';
import type { DispatchContext, Middleware } from './middleware/DispatchContext.js';
import { compose } from './middleware/compose.js';
import { errorReply } from './errorReply.js';
import { errorBoundary } from './middleware/errorBoundary.js';
import { ignoreBots } from './middleware/ignoreBots.js';
import { normalise } from './middleware/normalise.js';
import { authorize } from './middleware/authorize.js';
import { threadJob } from './middleware/threadJob.js';
import { confirmationAsk, confirmationReply } from './middleware/confirmation.js';
import { parse } from './middleware/parse.js';
import { permission } from './middleware/permission.js';
import { validate } from './middleware/validate.js';
import { runCommand } from './middleware/runCommand.js';

export interface DispatcherOptions {
  services: CommandServices;
  authorizer: Authorizer;
  specs: readonly AnyCommandSpec[];
  log: Logger;
  /** Shared store of pending confirmations (default: a fresh one). */
  pending?: PendingConfirmations;
}

const FALLBACK: Reply = { text: "I didn't get that. `/astran help` lists the commands.", ephemeral: true, rejected: true };

/**
 * The message pipeline: ignore bots → normalise → authorize → thread job → confirmation answer →
 * parse → permission → [boundary: validate → confirmation question → run]. Each message is
 * acknowledged exactly once; the returned handler never rejects.
 */
export function createDispatcher(opts: DispatcherOptions): InboundHandler {
  const pending = opts.pending ?? new PendingConfirmations();
  const chain: Middleware[] = [
    errorBoundary('dispatch'),
    ignoreBots,
    normalise,
    authorize(opts.authorizer),
    threadJob,
    confirmationReply(pending),
    parse(opts.specs),
    permission,
    errorBoundary('command'),
    validate,
    confirmationAsk(pending),
    runCommand,
  ];
  const run = compose(chain);

  return async function handle(msg: InboundMessage): Promise<void> {
    let acked = false;
    const ctx: DispatchContext = {
      msg,
      services: opts.services,
      log: opts.log,
      text: '',
      role: null,
      get acked() {
        return acked;
      },
      async reply(reply?: Reply) {
        if (acked) {
          opts.log.warn({ msgId: msg.id }, 'second reply to one message dropped');
          return;
        }
        acked = true;
        await msg.ack(reply);
      },
    };
    try {
      await run(ctx);
      if (!acked) await ctx.reply(FALLBACK);
    } catch (err) {
      // Only reached when the boundary's own reply (msg.ack) failed, or for a bug outside the chain.
      const errorId = newErrorId();
      opts.log.error({ err, errorId, msgId: msg.id }, 'dispatch failed');
      if (!acked) {
        try {
          await ctx.reply(errorReply(errorId));
        } catch (ackErr) {
          opts.log.error({ err: ackErr, msgId: msg.id }, 'acknowledgement failed');
        }
      }
    }
  };
}
