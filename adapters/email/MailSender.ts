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

const SEND_ATTEMPTS = 3;

function isTemporary(err: unknown): boolean {
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

  constructor(private readonly config: EmailConfig, env: NodeJS.ProcessEnv) {
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
    return this.sendMail(target.to, `Re: ${baseSubject(target.subject) || 'ASTRAN'}`, message, { inReplyTo: target.inReplyTo, references: refs }, fixedMessageId);
  }

  /** A new conversation (standing orders: notices, digests, alerts); returns its Message-ID. */
  async start(to: string, subject: string, message: OutboundMessage): Promise<string> {
    return this.sendMail(to, subject, message, {});
  }

  private async sendMail(
    to: string,
    subject: string,
    message: OutboundMessage,
    threading: { inReplyTo?: string; references?: string[] },
    fixedMessageId?: string,
  ): Promise<string> {
    const messageId = fixedMessageId ?? `<${randomUUID()}@${this.domain}>`;
    const mail = {
      from: { name: this.config.display_name, address: this.config.address },
      to,
      subject,
      messageId,
      ...threading,
      text: plainSafe(message.text),
      html: message.html ?? renderHtml(plainSafe(message.text)),
      // RFC 3834: mark bot mail so other robots (vacation responders, other bots) do not answer it.
      headers: { 'Auto-Submitted': threading.inReplyTo ? 'auto-replied' : 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      attachments: (message.files ?? []).map((f) => ({ filename: f.name, content: f.data, contentType: f.contentType })),
    };
    // Temporary failures (4xx, dropped connections) are retried a few times, as any MTA would.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transport.sendMail(mail);
        return messageId;
      } catch (err) {
        if (attempt >= SEND_ATTEMPTS || !isTemporary(err)) throw err;
        await new Promise((r) => setTimeout(r, 300 * 4 ** (attempt - 1)));
      }
    }
  }

  close(): void {
    this.transport.close();
  }
}
