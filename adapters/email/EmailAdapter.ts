import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundMessage, ThreadRef } from '../../src/core/types.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import type { Logger } from '../../src/log.js';
import { RequestAck } from '../shared/RequestAck.js';
import { plainSafe } from '../shared/safeText.js';
import { EmailConfigSchema, type EmailConfig } from './config.js';
import { ImapInbox, type FetchedMail } from './ImapInbox.js';
import { MailSender, isTemporary, type ReplyTarget } from './MailSender.js';
import { SentCopies } from './SentCopies.js';
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
  /** The adapter's durable state: handled mails and their replies, thread index. */
  kv: KeyValueStore;
  /** Clock (tests). */
  now?: () => Date;
}

/**
 * What is known about one received mail, kept in the key/value store under its Message-ID. `answered` is written in
 * one write together with the reply (if any), before that reply is sent: a crash after it never loses the answer
 * (the mail is still unread, so it comes back and the recorded reply is sent with the same Message-ID), and a crash
 * before it hands the mail to the core again, where a launch finds the job its request already created.
 */
interface InboxEntry {
  state: 'answered';
  /** The reply to send, with its Message-ID fixed in advance (a re-send after a crash is the same mail). */
  reply?: { messageId: string; text: string; sent: boolean };
  /** Why the mail got no answer (logged). */
  reason?: string;
}

const inboxKey = (messageId: string) => `email:inbox:${messageId}`;
/** A job thread's root mail that could not be sent yet (mail server down): sent before anything else in the thread. */
const pendingRootKey = (threadKey: string) => `email:pending_root:${threadKey}`;
interface PendingRoot {
  target: ReplyTarget;
  messageId: string;
  text: string;
  html?: string;
}
/** A random secret of this store, part of every derived Message-ID (nobody else can predict one). */
const ID_SALT_KEY = 'email:id_salt';

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
  private readonly kv: KeyValueStore;
  private readonly now: () => Date;
  private onMessage: InboundHandler | null = null;

  constructor(deps: EmailAdapterDeps) {
    this.config = EmailConfigSchema.parse(deps.config);
    this.log = deps.log;
    this.kv = deps.kv;
    this.now = deps.now ?? (() => new Date());
    const password = requireEnv(deps.env, this.config.imap.password_env);
    const ca = this.config.imap.ca_file ? readFileSync(this.config.imap.ca_file) : undefined;
    const copies = new SentCopies({ imap: this.config.imap, password, ca, log: deps.log });
    this.sender = new MailSender(this.config, deps.env, {
      kv: deps.kv,
      findCopy: (id, waitMs) => copies.find(id, waitMs),
      waitMs: this.config.sent_copy.wait_s * 1000,
    });
    this.threads = new ThreadIndex(deps.kv);
    this.limiter = new RateLimiter(this.config.rate_limit.max, this.config.rate_limit.window_s * 1000);
    this.inbox = new ImapInbox({
      imap: this.config.imap,
      password,
      ca,
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

  async openThread(request: InboundMessage, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const ctx = this.contexts.get(request.id);
    if (!ctx) throw new Error('email: openThread for a request this adapter is not handling');
    const key = ctx.messageId;
    this.threads.open(key, { to: ctx.from, subject: ctx.subject, jobId });
    // A fixed Message-ID: opened again after a crash, the root is the same mail, not a second confirmation.
    const id = this.derivedId(key, 'root');
    const target: ReplyTarget = { to: ctx.from, subject: ctx.subject, inReplyTo: key, references: [...ctx.references, key] };
    try {
      await this.sender.reply(target, root, id);
    } catch (err) {
      if (!isTemporary(err) || root.files?.length) throw err;
      // The mail server is down: the job goes ahead, and its root mail is sent first once the server takes mail
      // (by the next post in the thread, or when the request is handed over again).
      const pending: PendingRoot = { target, messageId: id, text: root.text, ...(root.html ? { html: root.html } : {}) };
      this.kv.write(pendingRootKey(key), JSON.stringify(pending));
      this.log.warn({ thread: key, err: (err as Error).message }, 'email: the job confirmation could not be sent yet; it goes first when mail works again');
    }
    this.threads.add(key, id);
    ctx.openedThread = true;
    const thread = { adapter: EMAIL_ADAPTER, key };
    return { thread, root: { thread, id } };
  }

  /** A new mail to `address` (a subscribed place); replies to it continue the thread like any job mail. */
  async openThreadIn(address: string, root: OutboundMessage): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const subject = `ASTRAN: ${plainSafe(root.text.split('\n')[0]).replace(/[*_`]/g, '').slice(0, 90)}`;
    const key = await this.sender.start(address, subject, root, root.idempotencyKey ? this.derivedId(root.idempotencyKey, 'new') : undefined);
    this.threads.open(key, { to: address, subject });
    const thread = { adapter: EMAIL_ADAPTER, key };
    return { thread, root: { thread, id: key } };
  }

  /** Send the thread's root mail if it is still pending (throws while the mail server does not take it). */
  private async flushRoot(threadKey: string): Promise<void> {
    const raw = this.kv.read(pendingRootKey(threadKey));
    if (!raw) return;
    const p = JSON.parse(raw) as PendingRoot;
    await this.sender.reply(p.target, { text: p.text, ...(p.html ? { html: p.html } : {}) }, p.messageId);
    this.kv.delete(pendingRootKey(threadKey));
    this.log.info({ thread: threadKey }, 'email: held-back job confirmation sent');
  }

  async send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef> {
    await this.flushRoot(thread.key);
    const t = this.threads.get(thread.key);
    if (!t) throw new Error('email: unknown thread');
    // The outbox's idempotency key fixes the Message-ID: a post retried (after a crash or a failed attempt) is the same
    // mail, and MailSender sends it again only when its first submission was surely not accepted.
    const fixed = message.idempotencyKey ? this.derivedId(message.idempotencyKey, 'post') : undefined;
    const chain = t.chain.filter((c) => c !== fixed);
    const id = await this.sender.reply({ to: t.to, subject: t.subject, inReplyTo: chain[chain.length - 1], references: chain }, message, fixed);
    this.threads.add(thread.key, id);
    return { thread, id };
  }

  async edit(ref: MessageRef): Promise<void> {
    // canEdit is false, so the core never calls this; a sent mail cannot change.
    this.log.warn({ id: ref.id }, 'email: edit requested but e-mail cannot edit; ignored');
  }

  /** Message-ID of a reply derived from the request's: the same after a restart, unique per request and kind. */
  private derivedId(requestId: string, kind: string): string {
    let salt = this.kv.read(ID_SALT_KEY);
    if (salt === undefined) {
      salt = randomBytes(16).toString('hex');
      this.kv.write(ID_SALT_KEY, salt);
    }
    const h = createHash('sha256').update(`${salt}\u0000${kind}\u0000${requestId}`).digest('hex').slice(0, 32);
    return `<astran.${kind}.${h}@${this.config.address.split('@')[1]}>`;
  }

  private readEntry(messageId: string): InboxEntry | undefined {
    const raw = this.kv.read(inboxKey(messageId));
    if (raw === undefined) return undefined;
    try {
      const v = JSON.parse(raw) as InboxEntry;
      return v && v.state === 'answered' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Mark the mail handled, with the reply it gets (if any), in one write; then send that reply. */
  private async answer(ctx: MailContext, text: string | null, reason?: string): Promise<void> {
    const entry: InboxEntry = { state: 'answered', ...(reason ? { reason } : {}) };
    if (text !== null) entry.reply = { messageId: this.derivedId(ctx.messageId, 'reply'), text: plainSafe(text), sent: false };
    this.kv.write(inboxKey(ctx.messageId), JSON.stringify(entry));
    await this.deliver(ctx, entry);
  }

  /** Send the recorded reply if it has not been sent; mark it sent. */
  private async deliver(ctx: MailContext, entry: InboxEntry): Promise<void> {
    const r = entry.reply;
    if (!r || r.sent) return;
    await this.sender.reply({ to: ctx.from, subject: ctx.subject, inReplyTo: ctx.messageId, references: [...ctx.references, ctx.messageId] }, { text: r.text }, r.messageId);
    if (ctx.threadKey) this.threads.add(ctx.threadKey, r.messageId);
    r.sent = true;
    this.kv.write(inboxKey(ctx.messageId), JSON.stringify(entry));
  }

  /** One unread mail from the inbox. Never throws for a bad mail: problems are logged (users see an error id). */
  private async handleMail(mail: FetchedMail): Promise<'done' | 'later'> {
    const fields = parseHeaderBlock(mail.headers);
    const messageId = messageIdsIn(firstHeader(fields, 'message-id'))[0] ?? `<${createHash('sha256').update(mail.source ?? mail.headers).digest('hex').slice(0, 32)}@no-message-id.invalid>`;
    const header = await simpleParser(mail.headers);
    const fromValue = header.from?.value[0];
    const from = fromValue?.address?.toLowerCase();
    const subject = plainSafe(header.subject ?? '');
    const logCtx = { messageId, from, uid: mail.uid };

    const inReplyTo = messageIdsIn(firstHeader(fields, 'in-reply-to'));
    const references = messageIdsIn(headerValues(fields, 'references').join(' '));
    const threadKey = this.threads.lookup(inReplyTo, references);
    const ctx: MailContext = { from: from ?? '', subject, messageId, references, threadKey };

    if (from === this.config.address.toLowerCase()) {
      // The bot's own copy (email.sent_copy): filed like handled mail, the proof that a mail was accepted.
      this.log.debug({ ...logCtx }, 'email: own sent copy filed');
      return 'done';
    }

    const done = this.readEntry(messageId);
    if (done) {
      // Handled before (a crash or restart came between recording the answer and flagging the mail, or the mail
      // server was down when the answer was due): send what was recorded if it has not gone out yet, never handle
      // the request twice.
      this.log.info({ ...logCtx, pendingReply: done.reply ? !done.reply.sent : false }, 'email: already handled; not handled again');
      return Promise.all([this.deliver(ctx, done), this.flushRoot(messageId)]).then(
        () => 'done' as const,
        (err: unknown) => {
          this.log.warn({ ...logCtx, err: (err as Error).message }, 'email: recorded reply could not be sent yet');
          return 'later' as const;
        },
      );
    }

    const screening = screenMail({ fields, from, tooLarge: mail.source === null, config: this.config, limiter: this.limiter, nowMs: this.now().getTime() });
    if (screening.action !== 'accept' || mail.source === null || !from) {
      const reason = screening.action === 'accept' ? 'not downloaded' : screening.reason;
      this.log.info({ ...logCtx, size: mail.size, reason }, screening.action === 'answer' ? 'email: mail answered without reaching the core' : 'email: mail dropped without a reply');
      const text = screening.action === 'answer' ? screening.text + (screening.withExample ? EXAMPLE_FOOTER : '') : null;
      return this.answer(ctx, text, reason).then(
        () => 'done' as const,
        (err: unknown) => {
          this.log.warn({ ...logCtx, err: (err as Error).message }, 'email: reply not sent yet');
          return 'later' as const;
        },
      );
    }

    const parsed = await simpleParser(mail.source);
    const text = parsed.text ?? (typeof parsed.html === 'string' ? htmlToText(parsed.html) : '');
    const cmd = parseEmailCommand(subject, text, threadKey !== undefined);
    if (threadKey) this.threads.add(threadKey, messageId);
    this.log.info({ ...logCtx, thread: threadKey, text: cmd.text.slice(0, 200) }, 'email: request');

    const ack = new RequestAck({
      what: 'email request',
      log: this.log,
      respond: async (reply) => {
        if (!reply || reply.text.trim() === '') return this.answer(ctx, null, 'nothing to say');
        if (reply.refusal === 'access') {
          // Unknown sender: no answer at all (the From may be forged; an answer would be backscatter).
          this.log.info({ ...logCtx }, 'email: sender not on the access list; no reply');
          return this.answer(ctx, null, 'sender not on the access list');
        }
        // The job's root mail already confirmed the launch (id, runs, how to ask for status): a second,
        // near-identical mail would only be noise. Refusals and errors are still sent. After a crash the root may
        // have been sent by the earlier attempt: the thread index knows.
        if ((ctx.openedThread || this.threads.get(messageId) !== undefined) && !reply.rejected) {
          this.log.debug({ ...logCtx, thread: messageId }, 'email: launch confirmed by the thread root; ack not mailed');
          return this.answer(ctx, null, 'confirmed by the job thread');
        }
        // A refused/invalid request or a mail we could not read gets an example to copy.
        const footer = !threadKey && (!cmd.understood || reply.rejected) ? EXAMPLE_FOOTER : '';
        return this.answer(ctx, reply.text + footer);
      },
    });
    const inbound: InboundMessage = {
      id: messageId,
      identity: { adapter: EMAIL_ADAPTER, userId: from, displayName: fromValue?.name || undefined },
      text: cmd.text,
      thread: threadKey ? { adapter: EMAIL_ADAPTER, key: threadKey } : undefined,
      channel: this.config.address,
      receivedAt: this.now(),
      ack: ack.ack,
    };
    this.contexts.set(messageId, ctx);
    try {
      if (!this.onMessage) throw new Error('email: adapter not started');
      await this.onMessage(inbound);
    } catch (err) {
      await ack.fail(err, logCtx);
    } finally {
      this.contexts.delete(messageId);
    }
    // Handled without an answer (e.g. a dispatcher that said nothing): still handled once.
    const entry = this.readEntry(messageId);
    if (!entry) this.kv.write(inboxKey(messageId), JSON.stringify({ state: 'answered', reason: 'no answer' } satisfies InboxEntry));
    // An answer or a job confirmation recorded but not sent (the mail server is down): the mail stays unread and
    // comes back.
    return (entry?.reply && !entry.reply.sent) || this.kv.read(pendingRootKey(messageId)) !== undefined ? 'later' : 'done';
  }
}
