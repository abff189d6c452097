import type { KeyValueStore } from '../../src/core/KeyValueStore.js';

/** What is needed to reply into a thread after a restart. */
export interface ThreadInfo {
  /** The requester's address: thread updates go there. */
  to: string;
  /** Subject of the request, without Re: prefixes. */
  subject: string;
  /** Message-IDs in the thread, oldest first: the root first, then at most MAX_CHAIN recent ones. */
  chain: string[];
  /** The job the thread belongs to. */
  jobId?: string;
}

const MAX_CHAIN = 20;
const msgKey = (id: string) => `email:msg:${id}`;
const threadKey = (key: string) => `email:thread:${key}`;

/**
 * Maps every Message-ID sent or received in a job thread to the thread's key (the request's Message-ID),
 * kept in the adapter's key/value store so follow-ups find their job after a restart.
 */
export class ThreadIndex {
  constructor(private readonly store: KeyValueStore) {}

  open(key: string, info: Omit<ThreadInfo, 'chain'>): ThreadInfo {
    const existing = this.get(key);
    if (existing) return existing;
    const t: ThreadInfo = { ...info, chain: [key] };
    this.store.write(threadKey(key), JSON.stringify(t));
    this.store.write(msgKey(key), key);
    return t;
  }

  get(key: string): ThreadInfo | undefined {
    const raw = this.store.read(threadKey(key));
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as ThreadInfo;
      return typeof v.to === 'string' && Array.isArray(v.chain) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Record that `messageId` belongs to thread `key`. */
  add(key: string, messageId: string): void {
    const t = this.get(key);
    if (!t) return;
    this.store.write(msgKey(messageId), key);
    if (!t.chain.includes(messageId)) {
      t.chain.push(messageId);
      if (t.chain.length > MAX_CHAIN + 1) t.chain = [t.chain[0], ...t.chain.slice(-MAX_CHAIN)];
      this.store.write(threadKey(key), JSON.stringify(t));
    }
  }

  /** The thread a reply belongs to: In-Reply-To first, then References from newest to oldest. */
  lookup(inReplyTo: string[], references: string[]): string | undefined {
    for (const id of [...inReplyTo, ...[...references].reverse()]) {
      const key = this.store.read(msgKey(id));
      if (key && this.get(key)) return key;
    }
    return undefined;
  }
}
