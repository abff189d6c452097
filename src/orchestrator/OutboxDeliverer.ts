import type { Adapter, InboundMessage, MessageRef, OutboundMessage, ThreadRef } from '../core/types.js';
import type { OutboxItem, OutboxStore } from '../core/Outbox.js';
import type { JobRecord, JobStore } from '../core/JobStore.js';
import type { Logger } from '../log.js';
import { crashPoint } from '../util/crashPoint.js';
import { deliveryBack, deliveryDown, deliveryGivenUp, undeliveredNotice } from './wording.js';
import { fmtDuration } from './format.js';
import type { Route } from './JobRoutes.js';

export interface DeliveryPolicy {
  /** First retry after this long; each further one waits twice as long, up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Give up this long after the first failure (a platform outage shorter than this is waited out). */
  patienceMs: number;
  /**
   * A job whose messages have failed to reach its thread for this long is in a delivery outage: its owner is told
   * once through another route (if there is one), once when it is over, and once if the patience runs out.
   * Default: never (no notices).
   */
  outageNoticeMs?: number;
}

/** Role of the outbox items that tell about a delivery outage: they never start one themselves. */
export const OUTAGE_NOTICE_ROLE = 'delivery-outage';

/** A job's delivery outage (store meta `delivery_outage:<job>`), so a restart in the middle of one does not tell again. */
interface DeliveryOutage {
  /** Outage number within the job: part of the notices' keys. */
  n: number;
  adapter: string;
  since: string;
  /** Where the owner was told (null: no other route; the end is then noted in the job's own thread). */
  route: Route | null;
  patienceTold: boolean;
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
  /** Where to report an item whose retries ran out (besides the job's other route; none: logged only). */
  admins?: AdminRoute;
  /** The job's other routes (src/orchestrator/JobRoutes.ts) for outage notices; none: the owner hears only in the thread. */
  routes?: { of(job: JobRecord, failing: string): Route[] };
  now?: () => Date;
}

/**
 * Delivers the outbox (src/core/Outbox.ts): items of one thread strictly in order (a failing one holds back the later
 * ones, so a thread never reads out of order), a job's progress line on its own. A failed delivery is retried with
 * exponential back-off until `patienceMs` after its first failure; then it is marked failed and reported through the
 * job's other route and to the admins' channel. On start, everything still pending (a crash between recording and
 * delivering) goes out.
 *
 * Platform outages: when a job's messages have not reached its thread for `outageNoticeMs`, its owner is told once
 * through the job's other route (JobRoutes: their identity on another adapter, the places its standing order
 * notifies), once when a message gets through again, and once if the patience runs out (with what to do). These
 * notices are outbox items themselves (op `open`: a new thread in the route's place), keyed per job and outage, so
 * each is recorded once and survives a restart. Without another route, the owner cannot be told during the outage;
 * its end is then noted once in the job's own thread, after the messages that were held back.
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
      else if (item.op === 'open') ref = (await this.openIn(adapter, item.thread.key, item.message)).root;
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
      if (this.tracksOutage(item)) this.outageOver(item);
      return true;
    } catch (e) {
      const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      const first = item.firstFailureAt ? Date.parse(item.firstFailureAt) : this.now().getTime();
      const failingFor = this.now().getTime() - first;
      if (this.tracksOutage(item) && this.d.policy.outageNoticeMs !== undefined && failingFor >= this.d.policy.outageNoticeMs) this.outageStarted(item, first);
      if (failingFor >= this.d.policy.patienceMs) {
        const told = this.tracksOutage(item) ? this.patienceOut(item, failingFor) : null;
        const admins = await this.fallback(item);
        const route = [told, admins].filter((r): r is string => r !== null).join(' and ') || null;
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

  /** A job's own messages (not the outage notices about it) start and end its delivery outages. */
  private tracksOutage(item: OutboxItem): item is OutboxItem & { jobId: string } {
    return item.jobId !== null && item.role !== OUTAGE_NOTICE_ROLE && this.d.policy.outageNoticeMs !== undefined;
  }

  private outageKey(jobId: string): string {
    return `delivery_outage:${jobId}`;
  }

  private outage(jobId: string): DeliveryOutage | null {
    const raw = this.d.store.getMeta(this.outageKey(jobId));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as DeliveryOutage;
    } catch {
      return null;
    }
  }

  private saveOutage(jobId: string, o: DeliveryOutage | null): void {
    this.d.store.setMeta(this.outageKey(jobId), o ? JSON.stringify(o) : '');
  }

  /** Record a notice to the job's owner in a route's place (a new thread there), delivered like any item. */
  private notify(jobId: string, key: string, route: Route, text: string): void {
    this.d.store.enqueue({ key: `${jobId}/${key}`, jobId, op: 'open', thread: { adapter: route.adapter, key: route.channel }, message: { text }, role: OUTAGE_NOTICE_ROLE });
    this.again = true;
  }

  private outageStarted(item: OutboxItem & { jobId: string }, firstFailure: number): void {
    if (this.outage(item.jobId)) return;
    const job = this.d.store.getJob(item.jobId);
    if (!job) return;
    const n = Number(this.d.store.getMeta(`delivery_outages:${job.id}`) ?? '0') + 1;
    this.d.store.setMeta(`delivery_outages:${job.id}`, String(n));
    const route = this.d.routes?.of(job, item.thread.adapter)[0] ?? null;
    const since = new Date(firstFailure).toISOString();
    this.saveOutage(job.id, { n, adapter: item.thread.adapter, since, route, patienceTold: false });
    this.d.store.addEvent(job.id, 'delivery_outage_start', `messages cannot be delivered to the ${item.thread.adapter} thread${route ? `; owner told through ${route.label}` : ''}`);
    this.d.log.warn({ job: job.id, adapter: item.thread.adapter, outage: n, route: route?.label ?? null }, 'delivery outage: the job thread is unreachable');
    if (route) this.notify(job.id, `delivery-outage/${n}/start`, route, deliveryDown(job.id, item.thread.adapter, since));
  }

  private outageOver(item: OutboxItem & { jobId: string }): void {
    const o = this.outage(item.jobId);
    if (!o) return;
    this.saveOutage(item.jobId, null);
    const downFor = fmtDuration((this.now().getTime() - Date.parse(o.since)) / 1000);
    this.d.store.addEvent(item.jobId, 'delivery_outage_end', `messages reach the ${o.adapter} thread again after ${downFor}`);
    this.d.log.info({ job: item.jobId, adapter: o.adapter, outage: o.n }, 'delivery outage over');
    const text = deliveryBack(item.jobId, o.adapter, downFor, o.route === null);
    if (o.route) this.notify(item.jobId, `delivery-outage/${o.n}/end`, o.route, text);
    else {
      // Nobody could be told elsewhere: one note in the thread itself, after the messages that were held back.
      this.d.store.enqueue({ key: `${item.jobId}/delivery-outage/${o.n}/end`, jobId: item.jobId, op: 'send', thread: item.thread, message: { text }, role: OUTAGE_NOTICE_ROLE });
      this.again = true;
    }
  }

  /** The patience ran out for one of the job's messages: tell the owner once per outage. Returns the route used. */
  private patienceOut(item: OutboxItem & { jobId: string }, failingFor: number): string | null {
    const job = this.d.store.getJob(item.jobId);
    if (!job) return null;
    let o = this.outage(job.id);
    if (!o) {
      this.outageStarted(item, this.now().getTime() - failingFor);
      o = this.outage(job.id);
    }
    if (!o?.route) return null;
    if (!o.patienceTold) {
      this.saveOutage(job.id, { ...o, patienceTold: true });
      this.notify(job.id, `delivery-outage/${o.n}/patience`, o.route, deliveryGivenUp(job.id, o.adapter, fmtDuration(failingFor / 1000), job.state));
    }
    return o.route.label;
  }

  /** A new thread in `channel` of `adapter` (its own openThreadIn, else openThread with a request naming the place). */
  private openIn(adapter: Adapter, channel: string, message: OutboundMessage): Promise<{ thread: ThreadRef; root: MessageRef }> {
    if (adapter.openThreadIn) return adapter.openThreadIn(channel, message);
    const request: InboundMessage = {
      id: `astran-notice-${message.idempotencyKey ?? ''}`,
      identity: { adapter: adapter.name, userId: 'astran', isBot: true },
      text: '',
      channel,
      receivedAt: this.now(),
      ack: async () => {},
    };
    return adapter.openThread(request, message);
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
