import { z } from 'zod';
import type { RenamedKey } from '../../src/config/renamedKeys.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const ENV_NAME = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

const ServerSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  /** tls: implicit TLS (IMAPS 993 / SMTPS 465); starttls: upgrade required; plain: loopback only. */
  security: z.enum(['tls', 'starttls', 'plain']).default('tls'),
  user: z.string().min(1),
  /** Names the environment variable holding the password (never the password itself). */
  password_env: ENV_NAME.optional(),
  /** PEM file of a private CA / self-signed certificate to trust in addition to the system's. */
  ca_file: z.string().optional(),
});

const plainOnlyOnLoopback = (s: { host: string; security: string }) => s.security !== 'plain' || LOOPBACK.has(s.host);

export const EmailConfigSchema = z
  .object({
    /** The bot's own address: From of every reply; mail from it is never processed. */
    address: z.string().email(),
    display_name: z.string().default('ASTRAN'),
    imap: ServerSchema.extend({
      password_env: ENV_NAME,
      mailbox: z.string().default('INBOX'),
      /** Move handled mail here (created when missing); unset: only flag it \Seen. */
      move_to: z.string().min(1).optional(),
      /** Use IDLE when the server has it (false: poll every poll_s only; for servers with broken IDLE). */
      idle: z.boolean().default(true),
      /** IDLE is re-issued at least this often (RFC 2177 allows 29 min; some servers drop idle sockets sooner). */
      idle_restart_s: z.number().positive().max(1740).default(1500),
      /** Polling interval when the server has no IDLE, and the safety re-check interval otherwise. */
      poll_s: z.number().positive().default(60),
      /** Reconnect backoff cap, seconds. */
      reconnect_max_s: z.number().positive().default(60),
    }).strict().refine(plainOnlyOnLoopback, 'security: plain is only allowed to a loopback host'),
    smtp: ServerSchema.extend({
      /** Gmail / Microsoft 365: OAuth2 through nodemailer (refresh token flow). Password auth when unset. */
      oauth2: z
        .object({ client_id: z.string().min(1), client_secret_env: ENV_NAME, refresh_token_env: ENV_NAME })
        .strict()
        .optional(),
    }).strict().refine(plainOnlyOnLoopback, 'security: plain is only allowed to a loopback host'),
    /**
     * Fail closed: a mail starts work only when the receiving server's Authentication-Results (RFC 8601) show
     * dmarc=pass, or dkim=pass / spf=pass aligned with the From domain. Off only for a server that cannot add them.
     */
    require_auth_results: z.boolean().default(true),
    /** authserv-id(s) of the receiving server (the first word of its Authentication-Results); no other is trusted. */
    trusted_authserv_id: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** DKIM-sign outgoing mail (nodemailer's `dkim`), so providers such as Gmail accept the replies. */
    dkim: z
      .object({
        /** The signing domain (d=), normally the domain of `address`. */
        domain: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a domain name'),
        /** The selector (s=): the key is published at <selector>._domainkey.<domain>. */
        selector: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a DNS label'),
        /** PEM file of the private key (never the key itself in the config). */
        private_key_file: z.string().min(1),
      })
      .strict()
      .optional(),
    /** At most `max` mails per sender within `window_s` seconds. */
    rate_limit: z.object({ max: z.number().int().positive(), window_s: z.number().positive() }).strict().default({ max: 10, window_s: 3600 }),
    /**
     * Every mail is also sent (Bcc) to `address`, and the inbox files these copies like handled mail. A mail whose
     * submission was interrupted (the bot killed after Postfix took it, a connection dropped after the data) is
     * sent again only when its copy has not arrived within `wait_s`: no duplicate mail after a crash.
     */
    sent_copy: z.object({ enabled: z.boolean().default(true), wait_s: z.number().positive().default(20) }).strict().prefault({}),
    /** Larger mails get a short reply and are not read. */
    max_bytes: z.number().int().positive().default(1_000_000),
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
