import type { Adapter, OutboundMessage } from '../core/types.js';
import type { OutboxItem, OutboxStore } from '../core/Outbox.js';
import type { JobStore } from '../core/JobStore.js';
import type { Logger } from '../log.js';
import type { OutboxDeliverer } from './OutboxDeliverer.js';
import { abortable } from '../util/sleep.js';

export interface JobThreadOptions {
  /** Minimum milliseconds between two edits of the progress message. */
  editIntervalMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * Everything a job says in its thread, recorded in the outbox (src/core/Outbox.ts) before it is delivered: one progress
 * message edited in place (throttled; the latest text always lands), milestone replies, and the final message.
 * Every milestone has a stable key (`<job>/<what>`), so the same step run again after a restart finds its message
 * already recorded and never posts it twice. Nothing here waits for the platform except `postAndWait`.
 */
export class JobThread {
  private lastEditAt = -Infinity;
  private pendingText: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly jobId: string,
    private readonly adapter: Adapter | undefined,
    private readonly store: JobStore & OutboxStore,
    private readonly deliverer: OutboxDeliverer,
    private readonly opts: JobThreadOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  private get thread() {
    return this.store.getJob(this.jobId)?.thread ?? null;
  }

  /** Replace the progress line. Where the adapter cannot edit, progress is not posted (milestones carry the news). */
  progress(text: string): void {
    if (!this.adapter?.canEdit || !this.thread) return;
    this.pendingText = text;
    const wait = this.lastEditAt + this.opts.editIntervalMs - this.now();
    if (wait <= 0) this.flushProgress();
    else if (!this.timer) this.timer = setTimeout(() => this.flushProgress(), wait);
  }

  private flushProgress(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = this.pendingText;
    this.pendingText = null;
    const thread = this.thread;
    if (text === null || !thread) return;
    this.lastEditAt = this.now();
    this.store.enqueue({ key: `${this.jobId}/progress`, jobId: this.jobId, op: 'progress', thread, message: { text } });
    this.deliverer.kick();
  }

  /**
   * Record a reply under `<job>/<key>` and start delivering it. Returns the recorded item (the one recorded earlier if
   * this key was posted before), or undefined when the job has no thread (then the text is only logged).
   */
  post(key: string, message: OutboundMessage, role?: string): OutboxItem | undefined {
    const thread = this.thread;
    if (!thread) {
      this.opts.log.warn({ job: this.jobId, key }, 'job has no thread; message logged only: ' + message.text.slice(0, 200));
      return undefined;
    }
    const item = this.store.enqueue({ key: `${this.jobId}/${key}`, jobId: this.jobId, op: 'send', thread, message, role: role ?? null });
    this.deliverer.kick();
    return item;
  }

  /** Post, then wait until the message is delivered or its retries ran out. */
  async postAndWait(key: string, message: OutboundMessage, role: string | undefined, signal: AbortSignal): Promise<OutboxItem | undefined> {
    const item = this.post(key, message, role);
    if (!item) return undefined;
    return abortable(this.deliverer.settled(item.key), signal);
  }

  /** Record the last progress text now. */
  flush(): void {
    if (this.pendingText !== null) this.flushProgress();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
