/**
 * Standing orders (issue #10): subscriptions, the watcher's launch intents and its outgoing notices.
 * Port only; SQLite and in-memory implementations live in src/store. Synchronous, like the JobStore.
 */
import type { Identity, MessageRef } from './types.js';

/**
 * Where a subscription lives and where its news go: a chat channel (a thread's channel for commands typed in a
 * thread), an e-mail address, or the console. `channel` is opaque to the core: the adapter's own id.
 */
export interface Place {
  adapter: string;
  channel: string;
}

export function placeKey(p: Place): string {
  return `${p.adapter}:${p.channel}`;
}

/** Analysis cuts of a subscription, with the config defaults filled in: equal cuts ⇒ one shared job. */
export interface Cuts {
  theta2_cut: number;
  off_regions: number;
  emin?: number;
  emax?: number;
}

/** Stable text form of cuts, part of the (source, night, cuts) key of a watcher job. */
export function cutsKey(c: Cuts): string {
  return `t2=${c.theta2_cut};off=${c.off_regions};emin=${c.emin ?? ''};emax=${c.emax ?? ''}`;
}

/** A target of opportunity: a position that is not in the source list. */
export interface TooTarget {
  ra: number;
  dec: number;
}

export interface Subscription {
  id: number;
  place: Place;
  subscriber: Identity;
  /** Canonical source name (or the ToO's name). */
  source: string;
  too: TooTarget | null;
  cuts: Cuts;
  /** Thresholds; null: the config default applies. */
  alertSigma: number | null;
  /** Excess events per minute; null: the config default applies. */
  alertRate: number | null;
  createdAt: string;
}

export type NewSubscription = Omit<Subscription, 'id' | 'createdAt'>;

export type AddSubscriptionResult = { ok: true; subscription: Subscription } | { ok: false; existing: Subscription };

/**
 * One job the watcher launched (or is about to launch) for (source, night, cuts). `part` 1 is the night's first job;
 * runs that become ready later go into part 2, 3… The row is written BEFORE the job is created (jobId null), so a
 * restart never launches the same part twice: it adopts the job carrying `watch_key` instead.
 */
export interface WatchLaunch {
  source: string;
  night: string;
  cutsKey: string;
  part: number;
  runIds: number[];
  jobId: string | null;
  createdAt: string;
}

/** `Crab Nebula|20041204|t2=0.02;off=3;emin=;emax=|1`: the key stored in the job's params (`watch_key`). */
export function watchKey(w: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'part'>): string {
  return `${w.source}|${w.night}|${w.cutsKey}|${w.part}`;
}

export const NOTICE_KINDS = ['job_started', 'job_finished', 'alert', 'digest'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export const NOTICE_STATES = ['pending', 'delivered', 'failed'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];

/** A file to attach, by path (rendered before the notice was recorded, read at delivery). */
export interface NoticeFile {
  name: string;
  path: string;
  contentType: string;
}

/**
 * One message to a place, recorded (with its full text) before it is sent, marked delivered after. The key makes it
 * unique: `alert|<place>|<source>|<night>`, `digest|<place>|<night>`, …
 */
export interface Notice {
  key: string;
  place: Place;
  kind: NoticeKind;
  text: string;
  files: NoticeFile[];
  /** Reply in this thread when set (and still reachable); else a new message in the place. */
  replyTo: MessageRef | null;
  /** People the platform should notify (alerts), rendered by the adapter. */
  mentions: Identity[];
  state: NoticeState;
  attempts: number;
  /** Where it landed (for threading later notices under it). */
  posted: MessageRef | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewNotice = Pick<Notice, 'key' | 'place' | 'kind' | 'text' | 'files'> & { replyTo?: MessageRef | null; mentions?: Identity[] };

export interface WatchStore {
  /** Insert unless this person already subscribed this place to the source; in one transaction. */
  addSubscription(s: NewSubscription): AddSubscriptionResult;
  /** Subscriptions, oldest first; filtered by place and/or source. */
  listSubscriptions(filter?: { place?: Place; source?: string }): Subscription[];
  /** Delete these subscriptions (by id) in one transaction; returns those that existed. */
  removeSubscriptions(ids: number[]): Subscription[];

  /** Record the next part for (source, night, cuts) with these runs, in one transaction; returns it (jobId null). */
  recordLaunch(l: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'runIds'>): WatchLaunch;
  /** Attach the job created for a recorded launch. */
  linkLaunch(key: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'part'>, jobId: string): WatchLaunch;
  /** Launches, ordered by night then part; filtered by source, cuts and night range (inclusive). */
  listLaunches(filter?: { source?: string; cutsKey?: string; nightFrom?: string; nightTo?: string }): WatchLaunch[];

  /** Record a notice; false (and nothing changed) when its key was recorded before. */
  recordNotice(n: NewNotice): boolean;
  getNotice(key: string): Notice | undefined;
  /** Notices not yet delivered (pending), oldest first. */
  pendingNotices(): Notice[];
  /** After a delivery attempt: delivered (with where it landed) or still pending / failed with the error. */
  markNotice(key: string, outcome: { state: NoticeState; posted?: MessageRef | null; error?: string | null }): Notice;

  close(): void;
}
