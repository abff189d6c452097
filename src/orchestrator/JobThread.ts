import type { Adapter, MessageRef, OutboundMessage, ThreadRef } from '../core/types.js';
import type { JobStore } from '../core/JobStore.js';
import type { Logger } from '../log.js';

export interface JobThreadOptions {
  /** Minimum milliseconds between two edits of the progress message. */
  editIntervalMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * Everything a job says in its thread: one progress message edited in place (throttled, the latest text always
 * lands), milestone replies, and the final summary. Posts are serialised so they appear in order. A failed post is
 * logged and never breaks the job.
 */
export class JobThread {
  private chain: Promise<unknown> = Promise.resolve();
  private pendingText: string | null = null;
  private lastEditAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly jobId: string,
    private readonly adapter: Adapter | undefined,
    private readonly store: JobStore,
    private readonly opts: JobThreadOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  private get thread(): ThreadRef | null {
    return this.store.getJob(this.jobId)?.thread ?? null;
  }

  private enqueue<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    const p = this.chain.then(f).catch((e) => {
      this.opts.log.error({ err: e, job: this.jobId }, `could not ${what} in the job's thread`);
      return undefined;
    });
    this.chain = p;
    return p;
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
    if (text === null) return;
    this.lastEditAt = this.now();
    void this.enqueue('update progress', async () => {
      const thread = this.thread;
      if (!thread || !this.adapter) return;
      const job = this.store.getJob(this.jobId);
      const ref: MessageRef | null = job?.progressMessage ?? null;
      if (ref) await this.adapter.edit(ref, { text });
      else {
        const posted = await this.adapter.send(thread, { text });
        this.store.updateJob(this.jobId, { progressMessage: posted });
      }
    });
  }

  /** A reply in the thread (stage finished, waiting for inputs, retry, failure, summary). */
  post(message: OutboundMessage): Promise<MessageRef | undefined> {
    return this.enqueue('post', async () => {
      const thread = this.thread;
      if (!thread || !this.adapter) {
        this.opts.log.warn({ job: this.jobId }, 'job has no reachable thread; message logged only: ' + message.text.slice(0, 200));
        return undefined;
      }
      return this.adapter.send(thread, message);
    });
  }

  /** Write the last progress text now and wait for every queued post. */
  async flush(): Promise<void> {
    if (this.pendingText !== null) this.flushProgress();
    await this.chain;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
