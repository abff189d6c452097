/**
 * Delivery of the watcher's notices (job notices, alerts, digests): each one is recorded in the store with its full
 * text BEFORE anything is sent, then delivered and marked delivered. A restart delivers what is still pending, so none
 * is lost; a key recorded once is never recorded again, so none is composed twice. The one remaining window is a
 * crash between the platform accepting a message and the "delivered" mark: that message is sent again on restart
 * (no platform ASTRAN talks to can deduplicate a new post). See docs/watch.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Adapter, InboundMessage, MessageRef, OutboundFile, OutboundMessage, ThreadRef } from '../core/types.js';
import type { NewNotice, Notice, Place, WatchStore } from '../core/WatchStore.js';
import type { Logger } from '../log.js';

/** Give up on a notice after this many failed attempts (it stays in the store as failed, and is logged). */
export const MAX_ATTEMPTS = 5;

/** What the watcher needs from delivery; a small port so an outbox from the core can replace it. */
export interface NoticeSink {
  /** Record (once per key) and try to deliver now. Returns false when the key was recorded before. */
  notify(n: NewNotice): Promise<boolean>;
  /** Deliver every pending notice (after a restart, or a failed attempt). */
  flush(): Promise<void>;
}

/** Open a thread in a place: the adapter's own openThreadIn, else its openThread with a request naming the channel. */
export async function openThreadIn(adapter: Adapter, place: Place, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
  if (adapter.openThreadIn) return adapter.openThreadIn(place.channel, root, jobId);
  const request: InboundMessage = {
    id: `watch-${Date.now()}`,
    identity: { adapter: adapter.name, userId: 'astran-watch', displayName: 'ASTRAN watch', isBot: true },
    text: '',
    channel: place.channel,
    receivedAt: new Date(),
    ack: async () => {},
  };
  return adapter.openThread(request, root, jobId);
}

export class NoticeDelivery implements NoticeSink {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: WatchStore,
    private readonly adapters: Map<string, Adapter>,
    private readonly log: Logger,
  ) {}

  async notify(n: NewNotice): Promise<boolean> {
    const fresh = this.store.recordNotice(n);
    await this.flush();
    return fresh;
  }

  /** Deliveries run one at a time, oldest first, so a digest never overtakes the notices recorded before it. */
  flush(): Promise<void> {
    const p = this.chain.then(() => this.deliverAll());
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async deliverAll(): Promise<void> {
    for (const n of this.store.pendingNotices()) await this.deliver(n);
  }

  private files(n: Notice): OutboundFile[] {
    const out: OutboundFile[] = [];
    for (const f of n.files) {
      if (!existsSync(f.path)) {
        this.log.warn({ notice: n.key, file: f.name }, 'notice attachment is gone; sending without it');
        continue;
      }
      out.push({ name: f.name, contentType: f.contentType, data: readFileSync(f.path), title: f.name.replace(/\.png$/, '') });
    }
    return out;
  }

  private async deliver(n: Notice): Promise<void> {
    const adapter = this.adapters.get(n.place.adapter);
    if (!adapter) {
      // Not configured in this process (e.g. a cron `watch --once` without that adapter): left pending for one that has it.
      this.log.warn({ notice: n.key, adapter: n.place.adapter }, 'no adapter for this notice’s place; left pending');
      return;
    }
    // The notice key doubles as the idempotency key: adapters hand it to platforms that can drop a repeat.
    const mentions = n.mentions.filter((m) => m.adapter === adapter.name);
    const message: OutboundMessage = { text: n.text, files: this.files(n), idempotencyKey: `watch/${n.key}`, ...(mentions.length ? { mentions } : {}) };
    try {
      let posted: MessageRef;
      if (n.replyTo) {
        try {
          posted = await adapter.send(n.replyTo.thread, message);
        } catch (e) {
          this.log.warn({ err: e, notice: n.key }, 'could not reply in the notice’s thread; posting a new message');
          posted = (await openThreadIn(adapter, n.place, message)).root;
        }
      } else posted = (await openThreadIn(adapter, n.place, message)).root;
      this.store.markNotice(n.key, { state: 'delivered', posted });
      this.log.info({ notice: n.key, kind: n.kind }, 'notice delivered');
    } catch (e) {
      const state = n.attempts + 1 >= MAX_ATTEMPTS ? 'failed' : 'pending';
      this.store.markNotice(n.key, { state, error: (e as Error).message?.slice(0, 500) ?? String(e) });
      this.log.error({ err: e, notice: n.key, attempts: n.attempts + 1 }, state === 'failed' ? 'notice delivery failed for good' : 'notice delivery failed; retried on the next pass');
    }
  }
}
