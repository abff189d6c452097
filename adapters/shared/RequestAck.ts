import type { Logger } from '../../src/log.js';
import type { Reply } from '../../src/core/types.js';
import { newErrorId } from '../../src/core/errors.js';
import { errorReply } from '../../src/dispatch/errorReply.js';

export interface RequestAckOptions {
  /** Answer on the platform's immediate channel (the HTTP response, the Socket Mode ack). Called at most once. */
  respond(reply: Reply | undefined): Promise<void>;
  /** Answer once the immediate channel is closed (a response_url, a post); without it a late answer is logged only. */
  followUp?(reply: Reply): Promise<void>;
  /** The platform's deadline: the immediate channel is answered with `placeholder` by then. None: no deadline. */
  deadlineMs?: number;
  /** Said at the deadline when the core has not answered yet (undefined: an empty acknowledgement). */
  placeholder?: Reply;
  log: Logger;
  /** Names the request in logs (e.g. `slack slash command`). */
  what: string;
}

/**
 * One acknowledgement per inbound request, in the spirit of bolt's SocketModeResponseAck: the first answer wins;
 * before the platform's deadline it goes out on the immediate channel, after it as a follow-up; the deadline itself
 * closes the immediate channel with a placeholder. `fail` is the adapters' one error-reply policy: an error id in
 * the log and in plain words to the user, once.
 */
export class RequestAck {
  private answered = false;
  private immediateClosed = false;
  private timer: NodeJS.Timeout | undefined;
  private respondFn: (reply: Reply | undefined) => Promise<void>;
  /** What the core answered (kept so a redelivered request can be answered again). */
  reply: Reply | undefined;

  constructor(private readonly o: RequestAckOptions) {
    this.respondFn = o.respond;
    if (o.deadlineMs !== undefined) {
      this.timer = setTimeout(() => {
        void this.closeImmediate(o.placeholder).catch((err: unknown) => o.log.warn({ err: String(err) }, `${o.what}: acknowledgement at the deadline failed`));
      }, o.deadlineMs);
      this.timer.unref?.();
    }
  }

  /** The core's answer was given (whether or not it could be delivered). */
  get acked(): boolean {
    return this.answered;
  }

  /** The immediate channel has been used (answer, placeholder or empty acknowledgement). */
  get closed(): boolean {
    return this.immediateClosed;
  }

  /** A redelivered request brings a fresh immediate channel (e.g. a new socket): answer there instead. */
  rebind(respond: (reply: Reply | undefined) => Promise<void>): void {
    if (!this.immediateClosed) this.respondFn = respond;
  }

  /** The InboundMessage.ack of this request. */
  readonly ack = async (reply?: Reply): Promise<void> => {
    if (this.answered) return;
    this.answered = true;
    this.reply = reply;
    if (!this.immediateClosed) {
      try {
        await this.closeImmediate(reply);
        return;
      } catch (err) {
        // The immediate channel broke (a socket dropped): the answer still reaches the user as a follow-up.
        this.o.log.warn({ err: String(err) }, `${this.o.what}: acknowledgement failed; answering as a follow-up`);
      }
    }
    if (reply?.text) await this.followUp(reply);
  };

  private async followUp(reply: Reply): Promise<void> {
    if (!this.o.followUp) {
      this.o.log.warn(`${this.o.what}: late answer dropped (no follow-up channel)`);
      return;
    }
    await this.o.followUp(reply);
  }

  private async closeImmediate(reply: Reply | undefined): Promise<void> {
    if (this.immediateClosed) return;
    this.immediateClosed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.respondFn(reply);
  }

  /** Handling threw: log it under a new error id and tell the user once. Never throws. */
  async fail(err: unknown, context: Record<string, unknown> = {}): Promise<string> {
    const errorId = newErrorId();
    const e = err as Error;
    this.o.log.error({ ...context, errorId, err: e?.message ?? String(err), stack: e?.stack }, `${this.o.what}: handling failed`);
    if (!this.answered) await this.ack(errorReply(errorId)).catch((ackErr: unknown) => this.o.log.error({ errorId, err: String(ackErr) }, `${this.o.what}: error reply failed`));
    return errorId;
  }

  /** After handling: the immediate channel is closed in every case (an empty acknowledgement if nothing was said). */
  async settle(): Promise<void> {
    if (this.immediateClosed) return;
    await this.closeImmediate(undefined).catch((err: unknown) => this.o.log.warn({ err: String(err) }, `${this.o.what}: final acknowledgement failed`));
  }
}
