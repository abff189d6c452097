import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { OutboundMessage } from '../../src/core/types.js';
import type { EmailConfig } from './config.js';
import { renderHtml } from './renderHtml.js';
import { baseSubject } from './parseEmailCommand.js';
import { requireEnv } from './requireEnv.js';
import { plainSafe } from '../shared/safeText.js';
import { ConfigError } from '../../src/core/errors.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { crashPoint } from '../../src/util/crashPoint.js';
import type { CopyLookup } from './SentCopies.js';

const SEND_ATTEMPTS = 3;

/**
 * A send refused, or failed before the message data went out: the server did not take the mail (no copy can exist).
 * nodemailer names the SMTP step an error came from (`command`: CONN, EHLO, AUTH…, MAIL FROM, RCPT TO, DATA); only
 * a failure at DATA or later, without the server's answer, may hide an acceptance.
 */
function surelyNotAccepted(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string; command?: string };
  if (typeof e.responseCode === 'number') return true;
  if (['ECONNECTION', 'ECONNREFUSED', 'EDNS', 'EAUTH', 'ETLS'].includes(e.code ?? '')) return true;
  return typeof e.command === 'string' && e.command !== '' && !/^DATA\b/i.test(e.command);
}

/** The sent copy could not be looked for (mailbox unreachable): try the send again later, as for any temporary failure. */
export class SendUndecidedError extends Error {
  readonly code = 'ECONNECTION';
  constructor(messageId: string) {
    super(`cannot tell whether ${messageId} was already accepted (the mailbox is unreachable); sending it later`);
    this.name = 'SendUndecidedError';
  }
}

/** A mail whose submission went out and may have been accepted; value: when (ISO). */
const inFlightKey = (messageId: string) => `email:sending:${messageId}`;

export interface SendGuard {
  kv: KeyValueStore;
  /** Look for the bot's own (Bcc) copy of a mail in its mailbox. */
  findCopy(messageId: string, waitMs: number): Promise<CopyLookup>;
  /** How long a copy may take to arrive after acceptance. */
  waitMs: number;
}

/** A failure worth trying again later (4xx, no connection, a dropped one, a send that could not be decided). */
export function isTemporary(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNRESET', 'ECONNREFUSED'].includes(e.code ?? '');
}

/** The DKIM private key from its file; a problem names the setting and the file, never the key. */
function readDkimKey(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`email.dkim.private_key_file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) throw new ConfigError(`email.dkim.private_key_file: ${file} is not a PEM private key`);
  return pem;
}

export interface ReplyTarget {
  to: string;
  /** Subject of the mail replied to (Re: is added once). */
  subject: string;
  /** Message-ID replied to (In-Reply-To). */
  inReplyTo: string;
  /** References chain to send, oldest first. */
  references: string[];
}

/** Threaded replies over SMTP (nodemailer, pooled connection). */
export class MailSender {
  private readonly transport: Transporter;
  private readonly domain: string;

  /**
   * `guard`: closes SMTP's duplicate window for mails with a fixed Message-ID. Before such a mail is submitted, a
   * key records it as in flight; after Postfix accepted it, the key is removed. A key still there at the next send of
   * the same Message-ID (the bot was killed in between, or the connection dropped after the data went out) means the
   * mail may have been accepted: the bot's Bcc copy is looked for in its own mailbox, and the mail is sent again only
   * when no copy arrives.
   */
  constructor(private readonly config: EmailConfig, env: NodeJS.ProcessEnv, private readonly guard?: SendGuard) {
    const s = config.smtp;
    const auth = s.oauth2
      ? {
          type: 'OAuth2' as const,
          user: s.user,
          clientId: s.oauth2.client_id,
          clientSecret: requireEnv(env, s.oauth2.client_secret_env),
          refreshToken: requireEnv(env, s.oauth2.refresh_token_env),
        }
      : { user: s.user, pass: requireEnv(env, s.password_env ?? '', 'smtp.password_env') };
    this.transport = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.security === 'tls',
      requireTLS: s.security === 'starttls',
      ignoreTLS: s.security === 'plain',
      auth,
      tls: s.ca_file ? { ca: readFileSync(s.ca_file) } : undefined,
      pool: true,
      maxConnections: 2,
      logger: false,
      ...(config.dkim ? { dkim: { domainName: config.dkim.domain, keySelector: config.dkim.selector, privateKey: readDkimKey(config.dkim.private_key_file) } } : {}),
    });
    this.domain = config.address.split('@')[1];
  }

  async verify(): Promise<void> {
    await this.transport.verify();
  }

  /** Send a reply; returns its Message-ID (with angle brackets). */
  async reply(target: ReplyTarget, message: OutboundMessage, fixedMessageId?: string): Promise<string> {
    const refs = target.references.includes(target.inReplyTo) ? target.references : [...target.references, target.inReplyTo];
    return this.sendMail({ to: target.to, subject: `Re: ${baseSubject(target.subject) || 'ASTRAN'}`, message, threading: { inReplyTo: target.inReplyTo, references: refs } }, fixedMessageId);
  }

  /** A new conversation (standing orders: notices, digests, alerts); returns its Message-ID. */
  async start(to: string, subject: string, message: OutboundMessage, fixedMessageId?: string): Promise<string> {
    return this.sendMail({ to, subject, message, threading: {} }, fixedMessageId);
  }

  /** Sends of a fixed Message-ID under way: a second send of the same mail waits for the first, never races it. */
  private readonly inProgress = new Map<string, Promise<string>>();

  private sendMail(draft: MailDraft, fixedMessageId?: string): Promise<string> {
    if (!fixedMessageId) return this.submit(draft);
    const running = this.inProgress.get(fixedMessageId);
    if (running) return running.catch(() => this.sendMail(draft, fixedMessageId));
    const p = this.submit(draft, fixedMessageId).finally(() => this.inProgress.delete(fixedMessageId));
    this.inProgress.set(fixedMessageId, p);
    return p;
  }

  private async submit({ to, subject, message, threading }: MailDraft, fixedMessageId?: string): Promise<string> {
    const messageId = fixedMessageId ?? `<${randomUUID()}@${this.domain}>`;
    const mail = {
      from: { name: this.config.display_name, address: this.config.address },
      to,
      // The bot's own copy: proof in its mailbox that this Message-ID was accepted (see the constructor).
      ...(this.config.sent_copy.enabled ? { bcc: this.config.address } : {}),
      subject,
      messageId,
      ...threading,
      text: plainSafe(message.text),
      html: message.html ?? renderHtml(message.text),
      // RFC 3834: mark bot mail so other robots (vacation responders, other bots) do not answer it.
      headers: { 'Auto-Submitted': threading.inReplyTo ? 'auto-replied' : 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      attachments: (message.files ?? []).map((f) => ({ filename: f.name, content: f.data, contentType: f.contentType })),
    };
    const guard = fixedMessageId && this.config.sent_copy.enabled ? this.guard : undefined;
    if (guard && guard.kv.read(inFlightKey(messageId)) !== undefined) {
      const copy = await earlierCopy(guard, messageId);
      if (copy === 'found') return messageId; // accepted before: sending again would be the duplicate
      if (copy === 'unknown') throw new SendUndecidedError(messageId);
    }
    // Temporary failures (4xx, dropped connections) are retried a few times, as any MTA would.
    for (let attempt = 1; ; attempt++) {
      try {
        guard?.kv.write(inFlightKey(messageId), new Date().toISOString());
        await this.transport.sendMail(mail);
        crashPoint('mail_accepted', subject);
        guard?.kv.delete(inFlightKey(messageId));
        return messageId;
      } catch (err) {
        if (guard && surelyNotAccepted(err)) guard.kv.delete(inFlightKey(messageId));
        if (attempt >= SEND_ATTEMPTS || !isTemporary(err)) throw err;
        await new Promise((r) => setTimeout(r, 300 * 4 ** (attempt - 1)));
        if (guard && guard.kv.read(inFlightKey(messageId)) !== undefined) {
          // The dropped attempt may have been accepted: look for its copy before trying again.
          const copy = await earlierCopy(guard, messageId);
          if (copy === 'found') return messageId;
          if (copy === 'unknown') throw err; // a later send looks again
        }
      }
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** One mail to send: recipient, subject, body and attachments, and its place in a conversation. */
interface MailDraft {
  to: string;
  subject: string;
  message: OutboundMessage;
  threading: { inReplyTo?: string; references?: string[] };
}

/** Whether an earlier attempt of this Message-ID was accepted (its copy is in the bot's mailbox); a found copy ends the in-flight mark. */
async function earlierCopy(guard: SendGuard, messageId: string): Promise<Awaited<ReturnType<SendGuard['findCopy']>>> {
  const copy = await guard.findCopy(messageId, guard.waitMs);
  if (copy === 'found') guard.kv.delete(inFlightKey(messageId));
  return copy;
}
