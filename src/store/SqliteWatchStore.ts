/**
 * WatchStore on SQLite: the same database file as the job store (its own connection; WAL lets both write, each
 * statement group in its own transaction). Migrations are shared, so either store may open a fresh file first.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { MessageRef } from '../core/types.js';
import type { AddSubscriptionResult, NewNotice, NewSubscription, Notice, NoticeState, Place, Subscription, WatchLaunch, WatchStore } from '../core/WatchStore.js';
import { CorruptRowError } from './StoreErrors.js';
import { DEFAULT_DB_PATH, openStoreDatabase } from './openStoreDatabase.js';
import {
  cutsSchema,
  identitySchema,
  messageRefSchema,
  mustParse,
  newLaunchSchema,
  newNoticeSchema,
  newSubscriptionSchema,
  noticeFilesSchema,
  noticeStateSchema,
  tooSchema,
} from './watchRecordSchemas.js';
import { runIdsSchema } from './recordSchemas.js';
import { NOTICE_KINDS } from '../core/WatchStore.js';

interface SubRow {
  id: number;
  place_adapter: string;
  place_channel: string;
  subscriber: string;
  subscriber_key: string;
  source: string;
  too: string | null;
  cuts: string;
  alert_sigma: number | null;
  alert_rate: number | null;
  created_at: string;
}
interface LaunchRow {
  source: string;
  night: string;
  cuts_key: string;
  part: number;
  run_ids: string;
  job_id: string | null;
  created_at: string;
}
interface NoticeRow {
  key: string;
  place_adapter: string;
  place_channel: string;
  kind: string;
  text: string;
  files: string;
  reply_to: string | null;
  state: string;
  attempts: number;
  posted: string | null;
  mentions: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

function decode<S extends z.ZodType>(table: string, key: string, column: string, text: string, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CorruptRowError(table, key, column, `invalid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new CorruptRowError(table, key, column, r.error.issues[0]?.message ?? 'invalid value');
  return r.data;
}

function rowToSub(r: SubRow): Subscription {
  const k = String(r.id);
  return {
    id: r.id,
    place: { adapter: r.place_adapter, channel: r.place_channel },
    subscriber: decode('watch_subscriptions', k, 'subscriber', r.subscriber, identitySchema),
    source: r.source,
    too: r.too === null ? null : decode('watch_subscriptions', k, 'too', r.too, tooSchema),
    cuts: decode('watch_subscriptions', k, 'cuts', r.cuts, cutsSchema),
    alertSigma: r.alert_sigma,
    alertRate: r.alert_rate,
    createdAt: r.created_at,
  };
}

function rowToLaunch(r: LaunchRow): WatchLaunch {
  return {
    source: r.source,
    night: r.night,
    cutsKey: r.cuts_key,
    part: r.part,
    runIds: decode('watch_launches', `${r.source}/${r.night}/${r.part}`, 'run_ids', r.run_ids, runIdsSchema),
    jobId: r.job_id,
    createdAt: r.created_at,
  };
}

const kindSchema = z.enum(NOTICE_KINDS);

function rowToNotice(r: NoticeRow): Notice {
  const kind = kindSchema.safeParse(r.kind);
  const state = noticeStateSchema.safeParse(r.state);
  if (!kind.success) throw new CorruptRowError('watch_notices', r.key, 'kind', `unknown kind ${JSON.stringify(r.kind)}`);
  if (!state.success) throw new CorruptRowError('watch_notices', r.key, 'state', `unknown state ${JSON.stringify(r.state)}`);
  return {
    key: r.key,
    place: { adapter: r.place_adapter, channel: r.place_channel },
    kind: kind.data,
    text: r.text,
    files: decode('watch_notices', r.key, 'files', r.files, noticeFilesSchema),
    replyTo: r.reply_to === null ? null : decode('watch_notices', r.key, 'reply_to', r.reply_to, messageRefSchema),
    mentions: r.mentions === null ? [] : decode('watch_notices', r.key, 'mentions', r.mentions, z.array(identitySchema)),
    state: state.data,
    attempts: r.attempts,
    posted: r.posted === null ? null : decode('watch_notices', r.key, 'posted', r.posted, messageRefSchema),
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface SqliteWatchStoreOptions {
  path?: string;
  now?: () => Date;
}

export class SqliteWatchStore implements WatchStore {
  private readonly db: Database.Database;
  private readonly now: () => Date;

  constructor(opts: SqliteWatchStoreOptions = {}) {
    const path = opts.path ?? DEFAULT_DB_PATH;
    this.now = opts.now ?? (() => new Date());
    this.db = openStoreDatabase(path);
  }

  private iso(): string {
    return this.now().toISOString();
  }

  addSubscription(s: NewSubscription): AddSubscriptionResult {
    const v = mustParse('subscription', newSubscriptionSchema, s) as NewSubscription;
    const who = `${v.subscriber.adapter}:${v.subscriber.userId}`;
    return this.db.transaction((): AddSubscriptionResult => {
      const existing = this.db
        .prepare('SELECT * FROM watch_subscriptions WHERE place_adapter = ? AND place_channel = ? AND subscriber_key = ? AND source = ?')
        .get(v.place.adapter, v.place.channel, who, v.source) as SubRow | undefined;
      if (existing) return { ok: false, existing: rowToSub(existing) };
      const info = this.db
        .prepare(
          `INSERT INTO watch_subscriptions (place_adapter, place_channel, subscriber, subscriber_key, source, too, cuts, alert_sigma, alert_rate, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(v.place.adapter, v.place.channel, JSON.stringify(v.subscriber), who, v.source, v.too ? JSON.stringify(v.too) : null, JSON.stringify(v.cuts), v.alertSigma, v.alertRate, this.iso());
      const row = this.db.prepare('SELECT * FROM watch_subscriptions WHERE id = ?').get(info.lastInsertRowid) as SubRow;
      return { ok: true, subscription: rowToSub(row) };
    }).immediate();
  }

  listSubscriptions(filter: { place?: Place; source?: string } = {}): Subscription[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.place) {
      where.push('place_adapter = ? AND place_channel = ?');
      args.push(filter.place.adapter, filter.place.channel);
    }
    if (filter.source !== undefined) {
      where.push('source = ?');
      args.push(filter.source);
    }
    const rows = this.db.prepare(`SELECT * FROM watch_subscriptions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`).all(...args) as SubRow[];
    return rows.map(rowToSub);
  }

  removeSubscriptions(ids: number[]): Subscription[] {
    return this.db.transaction(() => {
      const out: Subscription[] = [];
      for (const id of ids) {
        const row = this.db.prepare('SELECT * FROM watch_subscriptions WHERE id = ?').get(id) as SubRow | undefined;
        if (!row) continue;
        this.db.prepare('DELETE FROM watch_subscriptions WHERE id = ?').run(id);
        out.push(rowToSub(row));
      }
      return out;
    }).immediate();
  }

  recordLaunch(l: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'runIds'>): WatchLaunch {
    const v = mustParse('watch launch', newLaunchSchema, l);
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(part) AS p FROM watch_launches WHERE source = ? AND night = ? AND cuts_key = ?').get(v.source, v.night, v.cutsKey) as { p: number | null };
      const part = (last.p ?? 0) + 1;
      this.db
        .prepare('INSERT INTO watch_launches (source, night, cuts_key, part, run_ids, job_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)')
        .run(v.source, v.night, v.cutsKey, part, JSON.stringify(v.runIds), this.iso());
      return rowToLaunch(this.db.prepare('SELECT * FROM watch_launches WHERE source = ? AND night = ? AND cuts_key = ? AND part = ?').get(v.source, v.night, v.cutsKey, part) as LaunchRow);
    }).immediate();
  }

  linkLaunch(key: Pick<WatchLaunch, 'source' | 'night' | 'cutsKey' | 'part'>, jobId: string): WatchLaunch {
    const info = this.db.prepare('UPDATE watch_launches SET job_id = ? WHERE source = ? AND night = ? AND cuts_key = ? AND part = ?').run(jobId, key.source, key.night, key.cutsKey, key.part);
    if (info.changes !== 1) throw new Error(`no watch launch ${key.source}/${key.night}/${key.part}`);
    return rowToLaunch(this.db.prepare('SELECT * FROM watch_launches WHERE source = ? AND night = ? AND cuts_key = ? AND part = ?').get(key.source, key.night, key.cutsKey, key.part) as LaunchRow);
  }

  listLaunches(filter: { source?: string; cutsKey?: string; nightFrom?: string; nightTo?: string } = {}): WatchLaunch[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.source !== undefined) (where.push('source = ?'), args.push(filter.source));
    if (filter.cutsKey !== undefined) (where.push('cuts_key = ?'), args.push(filter.cutsKey));
    if (filter.nightFrom !== undefined) (where.push('night >= ?'), args.push(filter.nightFrom));
    if (filter.nightTo !== undefined) (where.push('night <= ?'), args.push(filter.nightTo));
    const rows = this.db.prepare(`SELECT * FROM watch_launches ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY night, source, cuts_key, part`).all(...args) as LaunchRow[];
    return rows.map(rowToLaunch);
  }

  recordNotice(n: NewNotice): boolean {
    const v = mustParse('notice', newNoticeSchema, n);
    const at = this.iso();
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO watch_notices (key, place_adapter, place_channel, kind, text, files, reply_to, mentions, state, attempts, posted, last_error, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, NULL, NULL, ?, ?)`,
      )
      .run(v.key, v.place.adapter, v.place.channel, v.kind, v.text, JSON.stringify(v.files), v.replyTo ? JSON.stringify(v.replyTo) : null, v.mentions?.length ? JSON.stringify(v.mentions) : null, at, at);
    return info.changes === 1;
  }

  getNotice(key: string): Notice | undefined {
    const r = this.db.prepare('SELECT * FROM watch_notices WHERE key = ?').get(key) as NoticeRow | undefined;
    return r ? rowToNotice(r) : undefined;
  }

  pendingNotices(): Notice[] {
    return (this.db.prepare("SELECT * FROM watch_notices WHERE state = 'pending' ORDER BY rowid").all() as NoticeRow[]).map(rowToNotice);
  }

  markNotice(key: string, outcome: { state: NoticeState; posted?: MessageRef | null; error?: string | null }): Notice {
    const state = noticeStateSchema.parse(outcome.state);
    const posted = outcome.posted === undefined ? undefined : outcome.posted === null ? null : JSON.stringify(mustParse('posted', messageRefSchema, outcome.posted));
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `UPDATE watch_notices SET state = ?, attempts = attempts + 1, posted = CASE WHEN ? THEN ? ELSE posted END, last_error = ?, updated_at = ? WHERE key = ?`,
        )
        .run(state, posted === undefined ? 0 : 1, posted ?? null, outcome.error ?? null, this.iso(), key);
      if (info.changes !== 1) throw new Error(`no notice ${key}`);
      return this.getNotice(key)!;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
