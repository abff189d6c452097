import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundMessage, Reply, ThreadRef } from '../../src/core/types.js';
import type { JobStore } from '../../src/core/JobStore.js';
import type { Logger } from '../../src/log.js';
import { newErrorId } from '../../src/core/errors.js';
import { EmailConfigSchema, type EmailConfig } from './EmailConfigSchema.js';
import { ImapInbox, type FetchedMail } from './ImapInbox.js';
import { MailSender } from './MailSender.js';
import { ThreadIndex } from './ThreadIndex.js';
import { RateLimiter } from './RateLimiter.js';
import { firstHeader, headerValues, messageIdsIn, parseHeaderBlock } from './headers.js';
import { screenMail } from './screenMail.js';
import { parseEmailCommand } from './parseEmailCommand.js';
import { htmlToText } from './htmlToText.js';
import { requireEnv } from './requireEnv.js';

export const EMAIL_ADAPTER = 'email';

/** An example users can copy, appended to replies that are not a job confirmation. */
export const EXAMPLE_FOOTER = [
  '',
  '--',
  'To start an analysis, send a new mail to this address:',
  '  Subject: ASTRAN-LAUNCH',
  '  Body:    source=Crab date=20231207',
  'Reply to a job mail with "status" or "cancel". Subject ASTRAN-HELP lists all commands.',
].join('\n');

/** Per-request details needed to answer it while the core handles it. */
interface MailContext {
  from: string;
  subject: string;
  messageId: string;
  references: string[];
  threadKey?: string;
  /** Set when the request opened a job thread: its root mail is the confirmation, so the ack sends nothing. */
  openedThread?: boolean;
}

export interface EmailAdapterDeps {
  config: unknown;
  env: NodeJS.ProcessEnv;
  log: Logger;
  store: JobStore;
  /** Clock (tests). */
  now?: () => Date;
}

export class EmailAdapter implements Adapter {
  readonly name = EMAIL_ADAPTER;
  readonly canEdit = false;
  private readonly config: EmailConfig;
  private readonly sender: MailSender;
  private readonly inbox: ImapInbox;
  private readonly threads: ThreadIndex;
  private readonly limiter: RateLimiter;
  private readonly contexts = new Map<string, MailContext>();
  private readonly log: Logger;
  private readonly store: JobStore;
  private readonly now: () => Date;
  private onMessage: InboundHandler | null = null;

  constructor(deps: EmailAdapterDeps) {
    this.config = EmailConfigSchema.parse(deps.config);
    this.log = deps.log;
    this.store = deps.store;
    this.now = deps.now ?? (() => new Date());
    const password = requireEnv(deps.env, this.config.imap.password_env);
    this.sender = new MailSender(this.config, deps.env);
    this.threads = new ThreadIndex(deps.store);
    this.limiter = new RateLimiter(this.config.rate_limit.max, this.config.rate_limit.per_minutes * 60_000);
    this.inbox = new ImapInbox({
      imap: this.config.imap,
      password,
      ca: this.config.imap.ca_file ? readFileSync(this.config.imap.ca_file) : undefined,
      maxBytes: this.config.max_bytes,
      log: deps.log,
      handle: (mail) => this.handleMail(mail),
    });
  }

  /** Successful IMAP connections so far (reconnect tests). */
  get connections(): number {
    return this.inbox.connections;
  }

  async start(onMessage: InboundHandler): Promise<void> {
    this.onMessage = onMessage;
    await this.inbox.start();
  }

  async stop(): Promise<void> {
    await this.inbox.stop();
    this.sender.close();
  }

  async openThread(request: InboundMessage, root: OutboundMessage): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const ctx = this.contexts.get(request.id);
    if (!ctx) throw new Error('email: openThread for a request this adapter is not handling');
    const key = ctx.messageId;
    this.threads.open(key, { to: ctx.from, subject: ctx.subject });
    const id = await this.sender.reply({ to: ctx.from, subject: ctx.subject, inReplyTo: key, references: [...ctx.references, key] }, root);
    this.threads.add(key, id);
    ctx.openedThread = true;
    const thread = { adapter: EMAIL_ADAPTER, key };
    return { thread, root: { thread, id } };
  }

  async send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef> {
    const t = this.threads.get(thread.key);
    if (!t) throw new Error('email: unknown thread');
    const id = await this.sender.reply({ to: t.to, subject: t.subject, inReplyTo: t.chain[t.chain.length - 1], references: t.chain }, message);
    this.threads.add(thread.key, id);
    return { thread, id };
  }

  async edit(ref: MessageRef): Promise<void> {
    // canEdit is false, so the core never calls this; a sent mail cannot change.
    this.log.warn({ id: ref.id }, 'email: edit requested but e-mail cannot edit; ignored');
  }

  private async replyTo(ctx: MailContext, text: string): Promise<void> {
    const id = await this.sender.reply({ to: ctx.from, subject: ctx.subject, inReplyTo: ctx.messageId, references: [...ctx.references, ctx.messageId] }, { text });
    if (ctx.threadKey) this.threads.add(ctx.threadKey, id);
  }

  /** One unread mail from the inbox. Never throws for a bad mail: problems are logged (users see an error id). */
  private async handleMail(mail: FetchedMail): Promise<void> {
    const fields = parseHeaderBlock(mail.headers);
    const messageId = messageIdsIn(firstHeader(fields, 'message-id'))[0] ?? `<${createHash('sha256').update(mail.source ?? mail.headers).digest('hex').slice(0, 32)}@no-message-id.invalid>`;
    if (this.store.wasProcessed(EMAIL_ADAPTER, messageId)) {
      this.log.info({ messageId }, 'email: already handled; skipped');
      return;
    }
    const header = await simpleParser(mail.headers);
    const fromValue = header.from?.value[0];
    const from = fromValue?.address?.toLowerCase();
    const subject = header.subject ?? '';
    const logCtx = { messageId, from, uid: mail.uid };

    const inReplyTo = messageIdsIn(firstHeader(fields, 'in-reply-to'));
    const references = messageIdsIn(headerValues(fields, 'references').join(' '));
    const threadKey = this.threads.lookup(inReplyTo, references);
    const ctx: MailContext = { from: from ?? '', subject, messageId, references, threadKey };

    const screening = screenMail({ fields, from, tooLarge: mail.source === null, config: this.config, limiter: this.limiter, nowMs: this.now().getTime() });
    if (screening.action !== 'accept' || mail.source === null || !from) {
      this.store.markProcessed(EMAIL_ADAPTER, messageId);
      const reason = screening.action === 'accept' ? 'not downloaded' : screening.reason;
      this.log.info({ ...logCtx, size: mail.size, reason }, 'email: mail not passed on');
      if (screening.action === 'answer') await this.safeReply(ctx, screening.text + (screening.withExample ? EXAMPLE_FOOTER : ''));
      return;
    }

    const parsed = await simpleParser(mail.source);
    const text = parsed.text ?? (typeof parsed.html === 'string' ? htmlToText(parsed.html) : '');
    const cmd = parseEmailCommand(subject, text, threadKey !== undefined);
    // Claim before dispatching: a crash mid-way must not launch the same request twice on restart.
    if (!this.store.markProcessed(EMAIL_ADAPTER, messageId)) return;
    if (threadKey) this.threads.add(threadKey, messageId);
    this.log.info({ ...logCtx, thread: threadKey, text: cmd.text.slice(0, 200) }, 'email: request');

    let acked = false;
    const inbound: InboundMessage = {
      id: messageId,
      identity: { adapter: EMAIL_ADAPTER, userId: from, displayName: fromValue?.name || undefined },
      text: cmd.text,
      thread: threadKey ? { adapter: EMAIL_ADAPTER, key: threadKey } : undefined,
      channel: this.config.address,
      receivedAt: this.now(),
      ack: async (reply?: Reply) => {
        if (acked) return;
        acked = true;
        if (!reply || reply.text.trim() === '') return;
        // The job's root mail already confirmed the launch (id, runs, how to ask for status): a second,
        // near-identical mail would only be noise. Refusals and errors are still sent.
        if (ctx.openedThread && !reply.rejected) {
          this.log.debug({ ...logCtx, thread: messageId }, 'email: launch confirmed by the thread root; ack not mailed');
          return;
        }
        // A refused/invalid request or a mail we could not read gets an example to copy.
        const footer = !threadKey && (!cmd.understood || reply.rejected) ? EXAMPLE_FOOTER : '';
        await this.replyTo(ctx, reply.text + footer);
      },
    };
    this.contexts.set(messageId, ctx);
    try {
      if (!this.onMessage) throw new Error('email: adapter not started');
      await this.onMessage(inbound);
    } catch (err) {
      const errorId = newErrorId();
      this.log.error({ ...logCtx, errorId, err: (err as Error).message, stack: (err as Error).stack }, 'email: handling failed');
      if (!acked) {
        acked = true;
        await this.safeReply(ctx, `Sorry, ASTRAN could not handle your mail (error ${errorId}). Please try again later.`);
      }
    } finally {
      this.contexts.delete(messageId);
    }
  }

  private async safeReply(ctx: MailContext, text: string): Promise<void> {
    try {
      await this.replyTo(ctx, text);
    } catch (err) {
      this.log.error({ messageId: ctx.messageId, err: (err as Error).message }, 'email: reply failed');
    }
  }
}
