import type { Adapter, InboundMessage, MessageRef } from '../core/types.js';
import type { OutboxItem, OutboxStore } from '../core/Outbox.js';
import type { JobStore } from '../core/JobStore.js';
import type { Logger } from '../log.js';
import { crashPoint } from '../util/crashPoint.js';
import { undeliveredNotice } from './wording.js';

export interface DeliveryPolicy {
  /** First retry after this long; each further one waits twice as long, up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Give up this long after the first failure (a platform outage shorter than this is waited out). */
  patienceMs: number;
}

export interface AdminRoute {
  adapter: string;
  /** Channel id (Slack/Mattermost) where undeliverable job messages are reported. */
  channel: string;
}

export interface OutboxDelivererDeps {
  store: JobStore & OutboxStore;
  adapters: Map<string, Adapter>;
  log: Logger;
  policy: DeliveryPolicy;
  /** Where to report an item whose retries ran out (none: logged only). */
  admins?: AdminRoute;
  now?: () => Date;
}

/**
 * Delivers the outbox (src/core/Outbox.ts): items of one thread strictly in order (a failing one holds back the later
 * ones, so a thread never reads out of order), a job's progress line on its own. A failed delivery is retried with
 * exponential back-off until `patienceMs` after its first failure; then it is marked failed and reported to the
 * admins' channel. On start, everything still pending (a crash between recording and delivering) goes out.
 */
export class OutboxDeliverer {
  private readonly now: () => Date;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly waiters = new Map<string, ((i: OutboxItem) => void)[]>();

  constructor(private readonly d: OutboxDelivererDeps) {
    this.now = d.now ?? (() => new Date());
  }

  /** Deliver what is due now (coalesced with a pass already running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((e) => this.d.log.error({ err: e }, 'outbox delivery pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  /** Resolves once the item is delivered or failed for good (immediately if it already is). */
  settled(key: string): Promise<OutboxItem> {
    const item = this.d.store.outboxItem(key);
    if (!item) return Promise.reject(new Error(`no outbox item ${key}`));
    if (item.state !== 'pending') return Promise.resolve(item);
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
      this.kick();
    });
  }

  /** Wait for the pass under way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    const pending = this.d.store.pendingOutbox();
    if (!pending.length) return;
    const next = Math.min(...pending.map((i) => Date.parse(i.nextAttemptAt)));
    const wait = Math.max(0, next - this.now().getTime());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.min(wait, 2 ** 31 - 1));
  }

  private settle(item: OutboxItem): void {
    if (item.state === 'pending') return;
    const list = this.waiters.get(item.key);
    this.waiters.delete(item.key);
    for (const w of list ?? []) w(item);
  }

  private async pass(): Promise<void> {
    const lanes = new Map<string, OutboxItem[]>();
    for (const item of this.d.store.pendingOutbox()) {
      // The progress line is edited in place: it never holds back (or waits for) the thread's replies.
      const lane = item.op === 'progress' ? `progress ${item.key}` : `${item.thread.adapter} ${item.thread.key}`;
      const l = lanes.get(lane) ?? [];
      l.push(item);
      lanes.set(lane, l);
    }
    await Promise.all([...lanes.values()].map((items) => this.lane(items)));
  }

  private async lane(items: OutboxItem[]): Promise<void> {
    for (const item of items) {
      if (this.stopped) return;
      if (Date.parse(item.nextAttemptAt) > this.now().getTime()) return; // keep the thread's order
      if (!(await this.deliver(item))) return;
    }
  }

  /** One attempt; true when delivered (or failed for good), false when it must be retried later. */
  private async deliver(item: OutboxItem): Promise<boolean> {
    const adapter = this.d.adapters.get(item.thread.adapter);
    try {
      if (!adapter) throw new Error(`adapter ${item.thread.adapter} is not running`);
      let ref: MessageRef | null = null;
      if (item.role?.startsWith('final')) crashPoint('summary_upload', item.jobId ?? '');
      if (item.op === 'send') ref = await adapter.send(item.thread, item.message);
      else if (item.op === 'edit') await adapter.edit(item.target!, item.message);
      else {
        const job = item.jobId ? this.d.store.getJob(item.jobId) : undefined;
        if (job?.progressMessage) {
          await adapter.edit(job.progressMessage, item.message);
          ref = job.progressMessage;
        } else {
          ref = await adapter.send(item.thread, item.message);
          if (item.jobId) this.d.store.updateJob(item.jobId, { progressMessage: ref });
        }
      }
      this.settle(this.d.store.markDelivered(item.key, ref));
      return true;
    } catch (e) {
      const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      const first = item.firstFailureAt ? Date.parse(item.firstFailureAt) : this.now().getTime();
      if (this.now().getTime() - first >= this.d.policy.patienceMs) {
        const route = await this.fallback(item);
        this.d.log.error({ key: item.key, job: item.jobId, attempts: item.attempts + 1, err: reason, fallback: route }, 'outbox: giving up on a message');
        this.settle(this.d.store.markFailed(item.key, reason, route));
        if (item.jobId) this.d.store.addEvent(item.jobId, 'undelivered', `a message could not be delivered to the thread (${route ? `reported to ${route}` : 'logged only'})`, { key: item.key });
        return true;
      }
      const delay = Math.min(this.d.policy.retryMaxMs, this.d.policy.retryInitialMs * 2 ** item.attempts);
      this.d.log.warn({ key: item.key, job: item.jobId, attempt: item.attempts + 1, err: reason, retryInMs: delay }, 'outbox: delivery failed; retrying');
      this.d.store.markRetry(item.key, reason, new Date(this.now().getTime() + delay));
      return false;
    }
  }

  /** Report an undeliverable item through the admins' channel. Returns the route used, or null. */
  private async fallback(item: OutboxItem): Promise<string | null> {
    const route = this.d.admins;
    const adapter = route ? this.d.adapters.get(route.adapter) : undefined;
    if (!route || !adapter) return null;
    const request: InboundMessage = {
      id: `astran-undelivered-${item.key}`,
      identity: { adapter: route.adapter, userId: 'astran', isBot: true },
      text: '',
      channel: route.channel,
      receivedAt: this.now(),
      ack: async () => {},
    };
    try {
      await adapter.openThread(request, { text: undeliveredNotice(item), idempotencyKey: `${item.key}/undelivered` });
      return `${route.adapter} admins' channel`;
    } catch (e) {
      this.d.log.error({ err: e, key: item.key }, 'outbox: the admins channel is unreachable too');
      return null;
    }
  }
}
