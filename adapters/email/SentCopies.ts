import type { ImapFlow } from 'imapflow';
import { imapClient } from './imapClient.js';
import type { Logger } from '../../src/log.js';
import type { EmailConfig } from './config.js';

/** Whether the bot's own copy of a mail is in its mailbox: `unknown` when the mailbox cannot be read now. */
export type CopyLookup = 'found' | 'absent' | 'unknown';

export interface SentCopiesOptions {
  imap: EmailConfig['imap'];
  password: string;
  ca?: Buffer;
  log: Logger;
  /** Between two looks while waiting for a copy. */
  pollMs?: number;
}

/**
 * Every mail the bot sends carries a Bcc to its own address (email.sent_copy), so Postfix's acceptance of a mail
 * leaves a trace the bot can read back: its copy, delivered to the bot's mailbox with the same Message-ID. SMTP has
 * no idempotent submission; this is how a send that may have been accepted (the bot was killed, or the connection
 * dropped, after the DATA went out) is told apart from one that was not, before sending it again.
 *
 * The copy is looked for in the inbox and in `imap.move_to` (where the inbox puts handled mail), over its own
 * short-lived IMAP connection (the inbox's connection stays in IDLE). Delivery to the mailbox follows acceptance by a
 * moment, so `find` keeps looking for up to `waitMs`.
 */
export class SentCopies {
  constructor(private readonly opts: SentCopiesOptions) {}

  async find(messageId: string, waitMs: number): Promise<CopyLookup> {
    const deadline = Date.now() + waitMs;
    let client: ImapFlow | null = null;
    try {
      client = imapClient(this.opts.imap, this.opts.password, this.opts.ca, { disableAutoIdle: true });
      client.on('error', (err: Error) => this.opts.log.warn({ err: err.message }, 'email: IMAP error while looking for a sent copy'));
      await client.connect();
      const boxes = [this.opts.imap.mailbox, ...(this.opts.imap.move_to ? [this.opts.imap.move_to] : [])];
      const existing = new Set((await client.list()).map((m) => m.path));
      for (;;) {
        for (const box of boxes) {
          if (!existing.has(box) && box !== 'INBOX') continue;
          const lock = await client.getMailboxLock(box);
          try {
            const hits = await client.search({ header: { 'message-id': messageId } }, { uid: true });
            if (hits && hits.length > 0) return 'found';
          } finally {
            lock.release();
          }
        }
        if (Date.now() >= deadline) return 'absent';
        await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 500));
      }
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, messageId }, 'email: cannot look for the sent copy of a mail');
      return 'unknown';
    } finally {
      if (client) await client.logout().catch(() => client?.close());
    }
  }
}
