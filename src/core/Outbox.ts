/**
 * The outbox port: everything a job says (thread replies, uploads, progress edits, admin alerts) is RECORDED here first,
 * then delivered by the orchestrator's OutboxDeliverer, then marked delivered. A crash between the two leaves the item
 * pending, and the next start delivers it. Each item carries an idempotency key that is also passed to the adapter
 * (`OutboundMessage.idempotencyKey`), so a platform that can tell (Mattermost `pending_post_id`, an e-mail Message-ID)
 * drops a repeat; platforms that cannot tell may see a message twice only when the crash hit between "posted" and
 * "marked delivered".
 *
 * Implemented by the job stores (src/store/SqliteJobStore.ts, MemoryJobStore.ts). Other helpers send through it with
 * `enqueue` and leave delivery to the deliverer.
 */
import type { MessageRef, OutboundMessage, ThreadRef } from './types.js';

/**
 * `send`: a new message in `thread` (files are uploaded with it).
 * `edit`: replace the text of `target`.
 * `progress`: the job's single progress line: posted once, then edited in place (its ref is stored on the job). An
 *   `enqueue` of a progress item with a key already pending or delivered REPLACES its text and makes it pending again:
 *   only the newest progress text matters.
 * `open`: a new thread in a place: `thread.key` is then the adapter's place id (channel, address), not a thread
 *   (notices to a job's owner through another route).
 */
export type OutboxOp = 'send' | 'edit' | 'progress' | 'open';

/** pending → delivered, or pending → failed when every retry ran out (then `fallback` says what was done instead). */
export type OutboxState = 'pending' | 'delivered' | 'failed';

export interface NewOutboxItem {
  /** Idempotency key, unique in the store, e.g. `A-0042/stage/dl1_to_dl2/a1/done`. A repeated key is not queued twice. */
  key: string;
  /** The job this item belongs to (null for messages outside jobs, e.g. watch digests). */
  jobId?: string | null;
  op: OutboxOp;
  thread: ThreadRef;
  /** The message to edit (op `edit`). */
  target?: MessageRef | null;
  message: OutboundMessage;
  /**
   * What the message is, for the code that waits on it: `final:<state>` (e.g. `final:done`) is a job's last message
   * (summary, failure, cancel notice); the job gets that final state only once it was delivered.
   */
  role?: string | null;
}

export interface OutboxItem extends Required<Omit<NewOutboxItem, 'message'>> {
  /** Store order; items of one thread are delivered in this order. */
  seq: number;
  message: OutboundMessage;
  state: OutboxState;
  /** Delivery attempts made so far. */
  attempts: number;
  /** Not tried again before this time (ISO). */
  nextAttemptAt: string;
  /** When the first failed attempt happened (ISO); the retry window counts from here. */
  firstFailureAt: string | null;
  /** Log-safe reason of the last failure. */
  lastError: string | null;
  /** The posted message (send/progress), once delivered. */
  delivered: MessageRef | null;
  /** Where a failed item was reported instead (e.g. "admins"), or null. */
  fallback: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OutboxStore {
  /**
   * Record an item (before anything is posted). Same key again: a `progress` item takes the new text and becomes
   * pending; any other op returns the existing item unchanged (so a retried step never queues twice).
   */
  enqueue(item: NewOutboxItem): OutboxItem;
  outboxItem(key: string): OutboxItem | undefined;
  /** Every pending item, in store order (due or not). */
  pendingOutbox(): OutboxItem[];
  /** All items of a job, in store order. */
  outboxOfJob(jobId: string): OutboxItem[];
  markDelivered(key: string, ref: MessageRef | null): OutboxItem;
  /** A failed attempt: count it, remember why and when to try again. */
  markRetry(key: string, error: string, nextAttemptAt: Date): OutboxItem;
  /** Retries ran out: the item is failed for good; `fallback` names the route used instead (or null). */
  markFailed(key: string, error: string, fallback: string | null): OutboxItem;
}
