import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { EmailConfig } from './config.js';

/**
 * An IMAP client for the bot's mailbox, from the `imap` config: the one place that maps `security` to ImapFlow's
 * TLS options. `extra` adds what one user needs (the inbox's IDLE tuning).
 */
export function imapClient(imap: EmailConfig['imap'], password: string, ca: Buffer | undefined, extra: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.security === 'tls',
    doSTARTTLS: imap.security === 'starttls' ? true : imap.security === 'plain' ? false : undefined,
    tls: ca ? { ca } : undefined,
    auth: { user: imap.user, pass: password },
    logger: false,
    ...extra,
  });
}
