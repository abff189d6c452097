/** In-memory twin of SqliteWatchStore (unit tests); values are copied through JSON like a database round trip. */
import type { MessageRef } from '../core/types.js';
import type { AddSubscriptionResult, NewNotice, NewSubscription, Notice, NoticeState, Place, Subscription, WatchLaunch, WatchStore } from '../core/WatchStore.js';
import { placeKey } from '../core/WatchStore.js';
import { jsonCopy } from './jobRecordOps.js';
import { mustParse, newLaunchSchema, newNoticeSchema, newSubscriptionSchema } from './watchRecordSchemas.js';

const subKey = (s: Pick<Subscription, 'place' | 'subscriber' | 'source'>) =>
  `${placeKey(s.place)}\u0000${s.subscriber.adapter}:${s.subscriber.userId}\u0000${s.source}`;
const launchKey = (l: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'part'>) => `${l.source}\u0000${l.night}\u0000${l.cutsKey}\u0000${l.part}`;

export class MemoryWatchStore implements WatchStore {
  private readonly subs = new Map<number, Subscription>();
  private nextId = 1;
  private readonly launches = new Map<string, WatchLaunch>();
  private readonly notices = new Map<string, Notice>();
  private closed = false;

  constructor(private readonly now: () => Date = () => new Date()) {}

  private open(): void {
    if (this.closed) throw new Error('watch store is closed');
  }

  addSubscription(s: NewSubscription): AddSubscriptionResult {
    this.open();
    const v = mustParse('subscription', newSubscriptionSchema, s) as NewSubscription;
    const existing = [...this.subs.values()].find((x) => subKey(x) === subKey(v));
    if (existing) return { ok: false, existing: jsonCopy(existing) };
    const rec: Subscription = { ...jsonCopy(v), id: this.nextId++, createdAt: this.now().toISOString() };
    this.subs.set(rec.id, rec);
    return { ok: true, subscription: jsonCopy(rec) };
  }

  listSubscriptions(filter: { place?: Place; source?: string } = {}): Subscription[] {
    this.open();
    return [...this.subs.values()]
      .filter((s) => (!filter.place || placeKey(s.place) === placeKey(filter.place)) && (filter.source === undefined || s.source === filter.source))
      .sort((a, b) => a.id - b.id)
      .map(jsonCopy);
  }

  removeSubscriptions(ids: number[]): Subscription[] {
    this.open();
    const out: Subscription[] = [];
    for (const id of ids) {
      const s = this.subs.get(id);
      if (s) {
        out.push(jsonCopy(s));
        this.subs.delete(id);
      }
    }
    return out;
  }

  recordLaunch(l: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'runIds'>): WatchLaunch {
    this.open();
    const v = mustParse('watch launch', newLaunchSchema, l);
    const parts = [...this.launches.values()].filter((x) => x.source === v.source && x.night === v.night && x.cutsKey === v.cutsKey).map((x) => x.part);
    const rec: WatchLaunch = { ...v, runIds: [...v.runIds], part: Math.max(0, ...parts) + 1, jobId: null, createdAt: this.now().toISOString() };
    this.launches.set(launchKey(rec), rec);
    return jsonCopy(rec);
  }

  linkLaunch(key: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'part'>, jobId: string): WatchLaunch {
    this.open();
    const rec = this.launches.get(launchKey(key));
    if (!rec) throw new Error(`no watch launch ${key.source}/${key.night}/${key.part}`);
    rec.jobId = jobId;
    return jsonCopy(rec);
  }

  listLaunches(filter: { source?: string; cutsKey?: string; nightFrom?: string; nightTo?: string } = {}): WatchLaunch[] {
    this.open();
    return [...this.launches.values()]
      .filter(
        (l) =>
          (filter.source === undefined || l.source === filter.source) &&
          (filter.cutsKey === undefined || l.cutsKey === filter.cutsKey) &&
          (filter.nightFrom === undefined || l.night >= filter.nightFrom) &&
          (filter.nightTo === undefined || l.night <= filter.nightTo),
      )
      .sort((a, b) => a.night.localeCompare(b.night) || a.source.localeCompare(b.source) || a.cutsKey.localeCompare(b.cutsKey) || a.part - b.part)
      .map(jsonCopy);
  }

  recordNotice(n: NewNotice): boolean {
    this.open();
    const v = mustParse('notice', newNoticeSchema, n);
    if (this.notices.has(v.key)) return false;
    const at = this.now().toISOString();
    this.notices.set(v.key, { ...jsonCopy(v), replyTo: v.replyTo ?? null, mentions: v.mentions ?? [], state: 'pending', attempts: 0, posted: null, lastError: null, createdAt: at, updatedAt: at } as Notice);
    return true;
  }

  getNotice(key: string): Notice | undefined {
    this.open();
    const n = this.notices.get(key);
    return n ? jsonCopy(n) : undefined;
  }

  pendingNotices(): Notice[] {
    this.open();
    return [...this.notices.values()].filter((n) => n.state === 'pending').map(jsonCopy);
  }

  markNotice(key: string, outcome: { state: NoticeState; posted?: MessageRef | null; error?: string | null }): Notice {
    this.open();
    const n = this.notices.get(key);
    if (!n) throw new Error(`no notice ${key}`);
    n.state = outcome.state;
    n.attempts += 1;
    if (outcome.posted !== undefined) n.posted = outcome.posted ? jsonCopy(outcome.posted) : null;
    n.lastError = outcome.error ?? null;
    n.updatedAt = this.now().toISOString();
    return jsonCopy(n);
  }

  close(): void {
    this.closed = true;
  }
}
