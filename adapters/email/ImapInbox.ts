import type { ImapFlow } from 'imapflow';
import { imapClient } from './imapClient.js';
import type { Logger } from '../../src/log.js';
import type { EmailConfig } from './config.js';

/** One unread mail, as handed to the adapter. */
export interface FetchedMail {
  uid: number;
  size: number;
  /** Raw header block. */
  headers: Buffer;
  /** Whole raw message; null when it is larger than the size limit (not downloaded). */
  source: Buffer | null;
}

export interface ImapInboxOptions {
  imap: EmailConfig['imap'];
  password: string;
  ca?: Buffer;
  maxBytes: number;
  log: Logger;
  /**
   * Handle one mail; it must not throw for a bad mail (a throw is logged and the mail still flagged). `later`: its
   * answer could not be sent yet (mail server down): the mail stays unseen and is handed over again after a back-off,
   * where the adapter sends what it recorded.
   */
  handle(mail: FetchedMail): Promise<void | 'done' | 'later'>;
}

const LATER_FIRST_MS = 2000;

const INITIAL_BACKOFF_MS = 500;

/**
 * Watches a mailbox: IDLE (re-issued every idle_restart_s), a poll timer as fallback and safety net,
 * reconnect with exponential backoff using a NEW ImapFlow per connection (an instance cannot reconnect),
 * and after every connect all UNSEEN mail is processed (what arrived while the bot or server was down).
 * Handled mail is flagged \Seen, then optionally moved.
 */
export class ImapInbox {
  private stopping = false;
  private client: ImapFlow | null = null;
  private runLoop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  /** Number of successful connections so far (tests and logs). */
  connections = 0;
  /** Mails whose answer is still to be sent: not handed over again before `at`. */
  private readonly later = new Map<number, { at: number; waitMs: number }>();
  private laterTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ImapInboxOptions) {}

  /** Resolves after the first connection attempt: rejects when the login is refused, else keeps retrying in the background. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let first = true;
      const firstResult = (err?: Error) => {
        if (!first) return;
        first = false;
        if (err) reject(err);
        else resolve();
      };
      this.runLoop = this.run(firstResult);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.laterTimer) clearTimeout(this.laterTimer);
    this.wake?.();
    const c = this.client;
    if (c) {
      try {
        await Promise.race([this.draining ?? Promise.resolve(), new Promise((r) => setTimeout(r, 5000))]);
        await Promise.race([c.logout(), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        /* closing anyway */
      }
      c.close();
    }
    await this.runLoop;
  }

  private newClient(): ImapFlow {
    const i = this.opts.imap;
    return imapClient(i, this.opts.password, this.opts.ca, {
      // Re-enter IDLE quickly after our own commands: with the 15 s default, new mail waited up to 15 s.
      autoIdleDelay: 100,
      maxIdleTime: Math.round(i.idle_restart_s * 1000),
      missingIdleCommand: 'STATUS',
      disableAutoIdle: !i.idle,
    });
  }

  private async run(firstResult: (err?: Error) => void): Promise<void> {
    let backoff = INITIAL_BACKOFF_MS;
    const i = this.opts.imap;
    while (!this.stopping) {
      const client = this.newClient();
      this.client = client;
      const closed = new Promise<void>((res) => client.once('close', () => res()));
      client.on('error', (err: Error) => this.opts.log.warn({ err: err.message }, 'email: IMAP connection error'));
      let poll: NodeJS.Timeout | undefined;
      try {
        await client.connect();
        await client.mailboxOpen(i.mailbox);
        if (i.move_to) await this.ensureMailbox(client, i.move_to);
        this.connections++;
        backoff = INITIAL_BACKOFF_MS;
        const idle = i.idle && client.capabilities.has('IDLE');
        this.opts.log.info({ mailbox: i.mailbox, idle }, 'email: IMAP connected');
        firstResult();
        if (idle) client.on('exists', () => void this.drain(client));
        poll = setInterval(() => void this.drain(client), i.poll_s * 1000);
        await this.drain(client);
        await closed;
        if (!this.stopping) this.opts.log.warn('email: IMAP connection closed; reconnecting');
      } catch (err) {
        const e = err as Error & { authenticationFailed?: boolean; code?: string };
        if (e.authenticationFailed) {
          this.opts.log.error({ user: i.user }, 'email: IMAP login refused');
          // Refused at start: a configuration error, stop here. Refused later (password rotated): keep retrying.
          if (this.connections === 0) this.stopping = true;
          firstResult(new Error('email: IMAP login refused (check imap.user and the password variable)'));
        } else {
          this.opts.log.warn({ err: e.message, code: e.code }, 'email: IMAP connect failed');
          firstResult();
        }
      } finally {
        if (poll) clearInterval(poll);
        try {
          client.close();
        } catch {
          /* already closed */
        }
      }
      if (this.stopping) break;
      // Full jitter keeps several bots from reconnecting in lockstep after a server restart.
      await this.sleep(backoff / 2 + Math.random() * (backoff / 2));
      backoff = Math.min(backoff * 2, i.reconnect_max_s * 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(res, ms);
      this.wake = () => {
        clearTimeout(t);
        res();
      };
    });
  }

  private async ensureMailbox(client: ImapFlow, path: string): Promise<void> {
    const list = await client.list();
    if (!list.some((m) => m.path === path)) await client.mailboxCreate(path);
  }

  /** Process every UNSEEN mail; concurrent calls coalesce into one more pass. */
  private drain(client: ImapFlow): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          const n = await this.pass(client);
          if (n > 0) this.again = true; // mail may have arrived while we worked: look once more
        } while (this.again && !this.stopping && client.usable);
      } catch (err) {
        if (!this.stopping) this.opts.log.warn({ err: (err as Error).message }, 'email: processing the mailbox failed');
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  /** Hand `uid` over again after a back-off (doubling, up to reconnect_max_s), with a pass scheduled for then. */
  private deferred(client: ImapFlow, uid: number, lastWaitMs?: number): void {
    const waitMs = Math.min(lastWaitMs ? lastWaitMs * 2 : LATER_FIRST_MS, this.opts.imap.reconnect_max_s * 1000);
    this.later.set(uid, { at: Date.now() + waitMs, waitMs });
    this.opts.log.info({ uid, retryInMs: waitMs }, 'email: answer not sent yet; the mail stays unread and is tried again');
    const next = Math.min(...[...this.later.values()].map((l) => l.at));
    if (this.laterTimer) clearTimeout(this.laterTimer);
    this.laterTimer = setTimeout(() => {
      this.laterTimer = null;
      if (client.usable) void this.drain(client);
    }, Math.max(0, next - Date.now()) + 10);
  }

  private async pass(client: ImapFlow): Promise<number> {
    if (!client.usable) return 0;
    const i = this.opts.imap;
    const lock = await client.getMailboxLock(i.mailbox);
    let handled = 0;
    try {
      // NOOP first: the server announces new mail on a sync; a SEARCH alone may not yet see it.
      await client.noop();
      const found = await client.search({ seen: false }, { uid: true });
      const uids = (found || []).sort((a, b) => a - b);
      for (const uid of uids) {
        if (this.stopping) break;
        const wait = this.later.get(uid);
        if (wait && wait.at > Date.now()) continue;
        const meta = await client.fetchOne(String(uid), { size: true, headers: true }, { uid: true });
        if (!meta) continue;
        const size = meta.size ?? 0;
        let source: Buffer | null = null;
        if (size <= this.opts.maxBytes) {
          const full = await client.fetchOne(String(uid), { source: true }, { uid: true });
          source = full ? (full.source ?? null) : null;
        }
        let outcome: void | 'done' | 'later' = 'done';
        try {
          outcome = await this.opts.handle({ uid, size, headers: meta.headers ?? Buffer.alloc(0), source });
        } catch (err) {
          this.opts.log.error({ err: (err as Error).message, uid }, 'email: handling a mail failed');
        }
        if (outcome === 'later') {
          this.deferred(client, uid, wait?.waitMs);
          continue;
        }
        this.later.delete(uid);
        await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        if (i.move_to) await client.messageMove(String(uid), i.move_to, { uid: true });
        handled++;
      }
    } finally {
      lock.release();
    }
    return handled;
  }
}
