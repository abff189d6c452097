import { z } from 'zod';
import type { RenamedKey } from '../../src/config/renamedKeys.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const ENV_NAME = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

const ServerSchema = z.object({
  host: z.string().min(1).describe('Host name of the mail server.'),
  port: z.number().int().min(1).max(65535).describe('TCP port of the mail server (IMAP: 993 with tls, 143 with starttls; SMTP: 465 with tls, 587 with starttls).'),
  /** tls: implicit TLS (IMAPS 993 / SMTPS 465); starttls: upgrade required; plain: loopback only. */
  security: z.enum(['tls', 'starttls', 'plain']).default('tls').describe('tls: TLS from the first byte; starttls: plain connection upgraded with STARTTLS (required, never skipped); plain: no encryption, allowed only to a loopback host.'),
  user: z.string().min(1).describe('Login name on the mail server.'),
  /** Names the environment variable holding the password (never the password itself). */
  password_env: ENV_NAME.optional().describe('Name of the environment variable holding the login password (never the password itself). SMTP: required unless oauth2 is set.'),
  /** PEM file of a private CA / self-signed certificate to trust in addition to the system's. */
  ca_file: z.string().optional().describe("PEM file of a private CA or self-signed certificate to trust in addition to the system's. Unset: system CAs only."),
});

const plainOnlyOnLoopback = (s: { host: string; security: string }) => s.security !== 'plain' || LOOPBACK.has(s.host);

export const EmailConfigSchema = z
  .object({
    /** The bot's own address: From of every reply; mail from it is never processed. */
    address: z.string().email().describe('The bot\'s own e-mail address: the From of every reply; mail from this address is never processed. Required.'),
    display_name: z.string().default('ASTRAN').describe('Display name in the From of outgoing mail.'),
    imap: ServerSchema.extend({
      password_env: ENV_NAME.describe('Name of the environment variable holding the IMAP login password (never the password itself). Required.'),
      mailbox: z.string().default('INBOX').describe('Mailbox (folder) read for commands.'),
      /** Move handled mail here (created when missing); unset: only flag it \Seen. */
      move_to: z.string().min(1).optional().describe('Folder handled mail is moved to (created when missing). Unset: handled mail stays and is only flagged \\Seen.'),
      /** Use IDLE when the server has it (false: poll every poll_s only; for servers with broken IDLE). */
      idle: z.boolean().default(true).describe('Wait for new mail with IMAP IDLE when the server offers it; false: poll every poll_s only (for servers with broken IDLE).'),
      /** IDLE is re-issued at least this often (RFC 2177 allows 29 min; some servers drop idle sockets sooner). */
      idle_restart_s: z.number().positive().max(1740).default(1500).describe('IDLE is re-issued at least this often, in seconds (RFC 2177 allows 29 min; some servers drop idle connections sooner).'),
      /** Polling interval when the server has no IDLE, and the safety re-check interval otherwise. */
      poll_s: z.number().positive().default(60).describe('Seconds between mailbox checks when the server has no IDLE (or idle is false); with IDLE, the interval of a safety re-check.'),
      /** Reconnect backoff cap, seconds. */
      reconnect_max_s: z.number().positive().default(60).describe('Longest delay between reconnect attempts to the IMAP server, in seconds (the backoff grows up to this).'),
    }).strict().refine(plainOnlyOnLoopback, 'security: plain is only allowed to a loopback host')
      .describe('The IMAP server ASTRAN reads its mailbox from. Required.'),
    smtp: ServerSchema.extend({
      /** Gmail / Microsoft 365: OAuth2 through nodemailer (refresh token flow). Password auth when unset. */
      oauth2: z
        .object({
          client_id: z.string().min(1).describe('OAuth2 client id of the registered application (not a secret).'),
          client_secret_env: ENV_NAME.describe('Name of the environment variable holding the OAuth2 client secret.'),
          refresh_token_env: ENV_NAME.describe('Name of the environment variable holding the OAuth2 refresh token of the bot mailbox.'),
        })
        .strict()
        .optional()
        .describe('Log in with OAuth2 (Gmail, Microsoft 365; refresh-token flow) instead of a password. Unset: password login with password_env.'),
    }).strict().refine(plainOnlyOnLoopback, 'security: plain is only allowed to a loopback host')
      .describe('The SMTP server replies are submitted to. Required.'),
    /**
     * Fail closed: a mail starts work only when the receiving server's Authentication-Results (RFC 8601) show
     * dmarc=pass, or dkim=pass / spf=pass aligned with the From domain. Off only for a server that cannot add them.
     */
    require_auth_results: z.boolean().default(true).describe('Fail closed: a mail starts work only when the receiving server\'s Authentication-Results (RFC 8601) show dmarc=pass, or dkim=pass / spf=pass aligned with the From domain. false accepts unauthenticated mail (anyone can then forge a sender).'),
    /** authserv-id(s) of the receiving server (the first word of its Authentication-Results); no other is trusted. */
    trusted_authserv_id: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('authserv-id(s) of the receiving server: the first word of the Authentication-Results header it adds; headers from any other are ignored. Required while require_auth_results is true.'),
    /** DKIM-sign outgoing mail (nodemailer's `dkim`), so providers such as Gmail accept the replies. */
    dkim: z
      .object({
        /** The signing domain (d=), normally the domain of `address`. */
        domain: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a domain name').describe('Signing domain (d=), normally the domain of address.'),
        /** The selector (s=): the key is published at <selector>._domainkey.<domain>. */
        selector: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a DNS label').describe('Selector (s=): the public key is published in DNS at <selector>._domainkey.<domain>.'),
        /** PEM file of the private key (never the key itself in the config). */
        private_key_file: z.string().min(1).describe('PEM file of the DKIM private key (the key itself is never in this file).'),
      })
      .strict()
      .optional()
      .describe('DKIM-sign outgoing mail so providers such as Gmail accept the replies. Unset: mail is not signed by ASTRAN.'),
    /** At most `max` mails per sender within `window_s` seconds. */
    rate_limit: z
      .object({
        max: z.number().int().positive().describe('Most mails read from one sender within window_s; beyond it the sender gets one notice and further mail is dropped.'),
        window_s: z.number().positive().describe('Length of the rate-limit window, in seconds.'),
      })
      .strict()
      .default({ max: 10, window_s: 3600 })
      .describe('Per-sender rate limit (default: 10 mails per hour).'),
    /**
     * Every mail is also sent (Bcc) to `address`, and the inbox files these copies like handled mail. A mail whose
     * submission was interrupted (the bot killed after Postfix took it, a connection dropped after the data) is
     * sent again only when its copy has not arrived within `wait_s`: no duplicate mail after a crash.
     */
    sent_copy: z
      .object({
        enabled: z.boolean().default(true).describe('Bcc every outgoing mail to address and use the copies to avoid duplicate sends after a crash.'),
        wait_s: z.number().positive().default(20).describe('Seconds to wait for the copy of an interrupted submission before that mail is sent again.'),
      })
      .strict()
      .prefault({})
      .describe('Duplicate-send protection: a mail whose submission was interrupted is re-sent only when its Bcc copy has not arrived within wait_s.'),
    /** Larger mails get a short reply and are not read. */
    max_bytes: z.number().int().positive().default(1_000_000).describe('Largest mail read, in bytes; a larger mail is not downloaded and gets a short reply.'),
  })
  .strict()
  .refine((c) => !c.require_auth_results || c.trusted_authserv_id !== undefined, {
    message:
      "required: sender authentication is on by default (require_auth_results). Set it to your receiving server's " +
      'authserv-id (the first word of the Authentication-Results header it adds), or set require_auth_results: false ' +
      'to accept unauthenticated mail (anyone can then forge a sender)',
    path: ['trusted_authserv_id'],
  });

export type EmailConfig = z.infer<typeof EmailConfigSchema>;

/** Keys renamed when durations moved to seconds: check-config suggests the new name. */
export const EMAIL_RENAMED_KEYS: readonly RenamedKey[] = [
  { from: 'imap.idle_restart_minutes', to: 'idle_restart_s', scale: 60 },
  { from: 'imap.poll_seconds', to: 'poll_s', scale: 1 },
  { from: 'imap.reconnect_max_seconds', to: 'reconnect_max_s', scale: 1 },
  { from: 'rate_limit.per_minutes', to: 'window_s', scale: 60 },
];
export type EmailConfigInput = z.input<typeof EmailConfigSchema>;
