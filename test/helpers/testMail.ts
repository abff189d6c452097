/**
 * Helpers for tests against the real loopback mail server of `scripts/services/mail.sh up` (Dovecot + Postfix).
 * Reusable from end-to-end tests: `const mail = await startTestMail()` gives the adapter config for a bot
 * mailbox, a way to send as any test user, and a way to wait for replies in a user's inbox. End-to-end tests
 * should use their own bot mailbox: `startTestMail({ bot: 'astrane2e' })` (the integration tests use `astran`).
 */
import { readFileSync, existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { EmailConfigInput } from '../../adapters/email/config.js';

export const MAIL_ENV_FILE = process.env.ASTRAN_MAIL_ENV ?? '/var/lib/astran-ci/mail.env';

const MailEnvSchema = z.object({
  MAIL_HOST: z.string(),
  MAIL_IMAP_PORT: z.coerce.number().int(),
  MAIL_IMAPS_PORT: z.coerce.number().int(),
  MAIL_SMTP_PORT: z.coerce.number().int(),
  MAIL_SMTPS_PORT: z.coerce.number().int(),
  MAIL_CA_FILE: z.string(),
  MAIL_SCRIPT: z.string(),
  /** The authserv-id of the server's Authentication-Results (OpenDKIM milter) and the test domain's DKIM key. */
  MAIL_AUTHSERV_ID: z.string().min(1),
  MAIL_DKIM_DOMAIN: z.string().min(1),
  MAIL_DKIM_SELECTOR: z.string().min(1),
  MAIL_DKIM_KEY_FILE: z.string().min(1),
}).catchall(z.string());
export type MailEnv = z.infer<typeof MailEnvSchema>;

/** The env file written by mail.sh; throws (so tests FAIL) when the server was never set up. */
export function loadMailEnv(file = MAIL_ENV_FILE): MailEnv {
  if (!existsSync(file)) throw new Error(`mail test server not set up: ${file} missing (run scripts/services/mail.sh up)`);
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return MailEnvSchema.parse(vars);
}

export interface TestUser {
  address: string;
  password: string;
}

export interface ReceivedMail {
  uid: number;
  parsed: ParsedMail;
  raw: Buffer;
}

export interface SendOptions {
  to?: string;
  subject: string;
  text?: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  /** SMTP envelope sender; '' sends a bounce-like null sender. */
  envelopeFrom?: string;
  attachments?: { filename: string; content: Buffer | string }[];
  /** DKIM-sign with the test domain's key (default: when the sender is on that domain, as its real server would). */
  sign?: boolean;
  /** A From header other than the authenticated sender's (forgery tests). */
  fromHeader?: string;
}

export interface TestMail {
  env: MailEnv;
  ca: Buffer;
  user(name: string): TestUser;
  /** Adapter config (the `email:` section) for bot mailbox `name`, plus the env holding its passwords. */
  botConfig(name?: string, overrides?: Partial<EmailConfigInput>): { config: EmailConfigInput; env: NodeJS.ProcessEnv };
  /** Send as test user `from` through Postfix (STARTTLS + AUTH); resolves with the Message-ID once accepted. */
  send(from: string, opts: SendOptions): Promise<string>;
  /** Wait until a mail matching `match` is in the user's INBOX (polling IMAP). */
  waitFor(user: string, match: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** All mails in a user's mailbox now. */
  list(user: string, mailbox?: string): Promise<ReceivedMail[]>;
  /** Delete every mail of the user's INBOX (and Processed). */
  clear(user: string): Promise<void>;
  /** Run a mail.sh helper (restart-dovecot, stop-dovecot, start-dovecot, stop-mail, start-mail, status). */
  service(cmd: 'restart-dovecot' | 'stop-dovecot' | 'start-dovecot' | 'stop-mail' | 'start-mail' | 'stop-postfix' | 'start-postfix' | 'status'): Promise<void>;
  close(): Promise<void>;
}

const exec = promisify(execFile);

/** `bot`: the bot mailbox that `send` writes to and `botConfig()` configures by default (astran, astranbench, astrane2e). */
export async function startTestMail(opts: { bot?: string; envFile?: string } = {}): Promise<TestMail> {
  const env = loadMailEnv(opts.envFile ?? MAIL_ENV_FILE);
  const bot = opts.bot ?? 'astran';
  const ca = readFileSync(env.MAIL_CA_FILE);
  const transports = new Map<string, Transporter>();
  const user = (name: string): TestUser => {
    const key = name.split('@')[0].toUpperCase();
    const address = env[`MAIL_USER_${key}`];
    const password = env[`MAIL_PASS_${key}`];
    if (!address || !password) throw new Error(`no test mail user ${name}`);
    return { address, password };
  };
  const imap = async <T>(name: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const u = user(name);
    const c = new ImapFlow({ host: env.MAIL_HOST, port: env.MAIL_IMAP_PORT, secure: false, doSTARTTLS: true, tls: { ca }, auth: { user: u.address, pass: u.password }, logger: false });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  const list = (name: string, mailbox = 'INBOX') =>
    imap(name, async (c) => {
      const out: ReceivedMail[] = [];
      const mb = await c.mailboxOpen(mailbox);
      if (mb.exists === 0) return out;
      for await (const m of c.fetch('1:*', { uid: true, source: true })) {
        if (m.source) out.push({ uid: m.uid, raw: m.source, parsed: await simpleParser(m.source) });
      }
      return out;
    });

  return {
    env,
    ca,
    user,
    botConfig(name = bot, overrides = {}) {
      const u = user(name);
      const passVar = `ASTRAN_TEST_MAIL_PASS_${name.toUpperCase()}`;
      const server = { host: env.MAIL_HOST, user: u.address, password_env: passVar, ca_file: env.MAIL_CA_FILE };
      const config: EmailConfigInput = {
        address: u.address,
        imap: { ...server, port: env.MAIL_IMAP_PORT, security: 'starttls', move_to: 'Processed', poll_s: 30 },
        smtp: { ...server, port: env.MAIL_SMTP_PORT, security: 'starttls' },
        // The real chain: only the test server's own Authentication-Results count, and the bot signs its replies.
        trusted_authserv_id: env.MAIL_AUTHSERV_ID,
        dkim: { domain: env.MAIL_DKIM_DOMAIN, selector: env.MAIL_DKIM_SELECTOR, private_key_file: env.MAIL_DKIM_KEY_FILE },
        ...overrides,
      };
      return { config, env: { [passVar]: u.password } };
    },
    async send(from, opts) {
      const u = user(from);
      let t = transports.get(u.address);
      if (!t) {
        t = nodemailer.createTransport({ host: env.MAIL_HOST, port: env.MAIL_SMTP_PORT, secure: false, requireTLS: true, auth: { user: u.address, pass: u.password }, tls: { ca } });
        transports.set(u.address, t);
      }
      const messageId = opts.messageId ?? `<${randomUUID()}@${u.address.split('@')[1]}>`;
      const domain = u.address.split('@')[1];
      const sign = opts.sign ?? domain === env.MAIL_DKIM_DOMAIN;
      const message = {
        from: opts.fromHeader ?? u.address,
        ...(sign ? { dkim: { domainName: env.MAIL_DKIM_DOMAIN, keySelector: env.MAIL_DKIM_SELECTOR, privateKey: readFileSync(env.MAIL_DKIM_KEY_FILE, 'utf8') } } : {}),
        to: opts.to ?? user(bot).address,
        subject: opts.subject,
        text: opts.text,
        html: opts.html,
        messageId,
        inReplyTo: opts.inReplyTo,
        references: opts.references,
        headers: opts.headers,
        attachments: opts.attachments,
        envelope: opts.envelopeFrom !== undefined ? { from: opts.envelopeFrom, to: opts.to ?? user(bot).address } : undefined,
      };
      try {
        await t.sendMail(message);
      } catch (err) {
        // A 4xx is temporary by definition (e.g. Postfix's SASL link right after a Dovecot restart): retry once, as MTAs do.
        const code = (err as { responseCode?: number }).responseCode;
        if (code === undefined || code < 400 || code >= 500) throw err;
        await new Promise((r) => setTimeout(r, 200));
        await t.sendMail(message);
      }
      return messageId;
    },
    async waitFor(name, match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Another test may be restarting Dovecot: a failed look is retried until the deadline.
        const found = (await list(name).catch(() => [] as ReceivedMail[])).find((m) => match(m.parsed));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching mail for ${name} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    list,
    async clear(name) {
      await imap(name, async (c) => {
        for (const box of ['INBOX', 'Processed']) {
          const l = await c.list();
          if (!l.some((m) => m.path === box)) continue;
          const mb = await c.mailboxOpen(box);
          if (mb.exists > 0) await c.messageDelete('1:*');
        }
      });
    },
    async service(cmd) {
      await exec('bash', [env.MAIL_SCRIPT, cmd], { timeout: 60_000 });
    },
    async close() {
      for (const t of transports.values()) t.close();
    },
  };
}
