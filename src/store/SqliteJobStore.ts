/**
 * JobStore on SQLite (better-sqlite3): WAL mode, schema versioned by `migrations.ts`, JSON columns
 * validated with zod on read. One process owns the file; WAL lets `sqlite3` readers look at it live.
 */
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { ThreadRef } from '../core/types.js';
import type { Logger } from '../log.js';
import type { JobEvent, JobFilter, JobPatch, JobRecord, JobStore, NewJob, SubmissionRecord } from '../core/JobStore.js';
import { FINAL_STATES } from '../core/JobStore.js';
import { assertJobIdPrefix, DEFAULT_JOB_ID_PREFIX, formatJobId } from './jobIds.js';
import { applyJobPatch, newJobRecord } from './jobRecordOps.js';
import { DEFAULT_DB_PATH, openStoreDatabase } from './openStoreDatabase.js';
import {
  identitySchema,
  jobErrorSchema,
  jobOwnerSchema,
  jobStateSchema,
  jsonValueSchema,
  launchParamsSchema,
  messageRefSchema,
  runIdsSchema,
  slurmChargeSchema,
} from './recordSchemas.js';
import type { NewOutboxItem, OutboxItem, OutboxStore } from '../core/Outbox.js';
import { delivered, failed, fromStored, newOutboxItem, reenqueue, retried, storedOutboxItemSchema, toStored } from './outboxOps.js';
import { CorruptRowError, DuplicateRequestError, UnknownJobError } from './StoreErrors.js';
import type { KeyValueStore } from '../core/KeyValueStore.js';
import { SqliteKeyValueStore } from './SqliteKeyValueStore.js';
import { requestMetaKey } from './jobRecordOps.js';

export interface SqliteJobStoreOptions {
  /** File path (default ./astran.db); ':memory:' for a throw-away database. */
  path?: string;
  prefix?: string;
  now?: () => Date;
  /** Told about rows skipped by listJobs/events because they are corrupt. */
  log?: Logger;
}

interface JobRow {
  seq: number;
  id: string;
  state: string;
  stage: string | null;
  params: string;
  requester: string;
  requester_user_id: string;
  thread_adapter: string | null;
  thread_key: string | null;
  progress_message: string | null;
  run_ids: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  error: string | null;
  result: string | null;
  cancel_requested_by: string | null;
  owner: string | null;
  owner_person: string | null;
  charge: string | null;
}

interface EventRow {
  id: number;
  job_id: string;
  at: string;
  kind: string;
  message: string;
  data: string | null;
}

interface SubmissionRow {
  job_id: string;
  stage: string;
  attempt: number;
  backend_ref: string | null;
  state: string;
  detail: string | null;
  created_at: string;
  updated_at: string;
}

/** Parse a JSON column and check it against its schema, naming the row and column on failure. */
function decode<S extends z.ZodType>(table: string, key: string, column: string, text: string, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CorruptRowError(table, key, column, `invalid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    throw new CorruptRowError(table, key, column, `${first?.message ?? 'invalid value'}${where}`);
  }
  return r.data;
}

function decodeNullable<S extends z.ZodType>(table: string, key: string, column: string, text: string | null, schema: S): z.output<S> | null {
  return text === null ? null : decode(table, key, column, text, schema);
}

function rowToJob(r: JobRow): JobRecord {
  const d = <S extends z.ZodType>(column: string, text: string, s: S) => decode('jobs', r.id, column, text, s);
  const dn = <S extends z.ZodType>(column: string, text: string | null, s: S) => decodeNullable('jobs', r.id, column, text, s);
  const st = jobStateSchema.safeParse(r.state);
  if (!st.success) throw new CorruptRowError('jobs', r.id, 'state', `unknown state ${JSON.stringify(r.state)}`);
  if ((r.thread_adapter === null) !== (r.thread_key === null)) throw new CorruptRowError('jobs', r.id, 'thread', 'adapter and key must both be set or both be null');
  const thread: ThreadRef | null = r.thread_adapter !== null && r.thread_key !== null ? { adapter: r.thread_adapter, key: r.thread_key } : null;
  return {
    id: r.id,
    seq: r.seq,
    state: st.data,
    stage: r.stage,
    params: d('params', r.params, launchParamsSchema),
    requester: d('requester', r.requester, identitySchema),
    thread,
    progressMessage: dn('progress_message', r.progress_message, messageRefSchema),
    runIds: d('run_ids', r.run_ids, runIdsSchema),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    error: dn('error', r.error, jobErrorSchema),
    result: r.result === null ? null : d('result', r.result, jsonValueSchema),
    cancelRequestedBy: r.cancel_requested_by,
    owner: dn('owner', r.owner, jobOwnerSchema),
    charge: dn('charge', r.charge, slurmChargeSchema),
  };
}

function jobToParams(j: JobRecord): Record<string, unknown> {
  return {
    seq: j.seq,
    id: j.id,
    state: j.state,
    stage: j.stage,
    params: JSON.stringify(j.params),
    requester: JSON.stringify(j.requester),
    requester_user_id: j.requester.userId,
    thread_adapter: j.thread?.adapter ?? null,
    thread_key: j.thread?.key ?? null,
    progress_message: j.progressMessage === null ? null : JSON.stringify(j.progressMessage),
    run_ids: JSON.stringify(j.runIds),
    created_at: j.createdAt,
    updated_at: j.updatedAt,
    finished_at: j.finishedAt,
    error: j.error === null ? null : JSON.stringify(j.error),
    result: j.result === null || j.result === undefined ? null : JSON.stringify(j.result),
    cancel_requested_by: j.cancelRequestedBy,
    owner: j.owner === null ? null : JSON.stringify(j.owner),
    owner_person: j.owner?.person ?? null,
    charge: j.charge === null ? null : JSON.stringify(j.charge),
  };
}

const JOB_COLUMNS = [
  'seq', 'id', 'state', 'stage', 'params', 'requester', 'requester_user_id', 'thread_adapter', 'thread_key',
  'progress_message', 'run_ids', 'created_at', 'updated_at', 'finished_at', 'error', 'result', 'cancel_requested_by',
  'owner', 'owner_person', 'charge',
] as const;

export class SqliteJobStore implements JobStore, OutboxStore {
  private readonly db: Database.Database;
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly log?: Logger;

  constructor(opts: SqliteJobStoreOptions = {}) {
    const path = opts.path ?? DEFAULT_DB_PATH;
    this.prefix = assertJobIdPrefix(opts.prefix ?? DEFAULT_JOB_ID_PREFIX);
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log;
    this.db = openStoreDatabase(path);
  }

  private iso(): string {
    return this.now().toISOString();
  }

  private readonly stmts = new Map<string, Database.Statement>();
  /** Prepared statements are cached: the SQL texts are constants of this file. */
  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  createJob(job: NewJob): JobRecord {
    return this.db.transaction(() => {
      // AUTOINCREMENT's sqlite_sequence is the single source of truth for "never reused", also
      // across restarts and if a row were ever deleted.
      const nowIso = this.iso();
      const last = this.stmt("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").get() as { seq: number } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const rec = newJobRecord(formatJobId(this.prefix, seq), seq, job, nowIso);
      if (job.requestKey !== undefined) {
        const prev = this.getMeta(requestMetaKey(job.requestKey));
        if (prev !== undefined) throw new DuplicateRequestError(job.requestKey, prev);
        this.setMeta(requestMetaKey(job.requestKey), rec.id);
      }
      this.stmt(`INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map((c) => '@' + c).join(', ')})`).run(jobToParams(rec));
      return rec;
    })();
  }

  private getRow(id: string): JobRow | undefined {
    return this.stmt('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  getJob(id: string): JobRecord | undefined {
    const r = this.getRow(id);
    return r ? rowToJob(r) : undefined;
  }

  updateJob(id: string, patch: JobPatch): JobRecord {
    return this.db.transaction(() => {
      const r = this.getRow(id);
      if (!r) throw new UnknownJobError(id);
      const next = applyJobPatch(rowToJob(r), patch, this.iso());
      const p = jobToParams(next);
      this.stmt(`UPDATE jobs SET ${JOB_COLUMNS.filter((c) => c !== 'seq' && c !== 'id').map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`)
        .run(p);
      return next;
    })();
  }

  listJobs(filter: JobFilter = {}): JobRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.active) {
      where.push(`state NOT IN (${FINAL_STATES.map(() => '?').join(', ')})`);
      args.push(...FINAL_STATES);
    }
    if (filter.requesterUserId !== undefined) {
      where.push('requester_user_id = ?');
      args.push(filter.requesterUserId);
    }
    if (filter.owner !== undefined) {
      const ors: string[] = [];
      if (filter.owner.person !== undefined) {
        ors.push('owner_person = ?');
        args.push(filter.owner.person);
      }
      if (filter.owner.userIds.length) {
        ors.push(`requester_user_id IN (${filter.owner.userIds.map(() => '?').join(', ')})`);
        args.push(...filter.owner.userIds);
      }
      where.push(ors.length ? `(${ors.join(' OR ')})` : '0');
    }
    const sql = `SELECT * FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC`;
    const out: JobRecord[] = [];
    const limit = filter.limit === undefined ? Infinity : Math.max(0, filter.limit);
    if (limit === 0) return out;
    // Iterate so a corrupt row is skipped (and reported) without losing the rest of the list.
    for (const row of this.stmt(sql).iterate(...args) as IterableIterator<JobRow>) {
      try {
        out.push(rowToJob(row));
      } catch (e) {
        if (!(e instanceof CorruptRowError)) throw e;
        this.log?.warn({ err: e.message, jobId: row.id }, 'skipping corrupt job row');
        continue;
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  findJobByThread(thread: ThreadRef): JobRecord | undefined {
    const r = this.stmt('SELECT * FROM jobs WHERE thread_adapter = ? AND thread_key = ? ORDER BY seq DESC LIMIT 1')
      .get(thread.adapter, thread.key) as JobRow | undefined;
    return r ? rowToJob(r) : undefined;
  }

  private assertJob(id: string): void {
    if (!this.stmt('SELECT 1 FROM jobs WHERE id = ?').get(id)) throw new UnknownJobError(id);
  }

  addEvent(jobId: string, kind: string, message: string, data?: unknown): void {
    this.assertJob(jobId);
    this.stmt('INSERT INTO job_events (job_id, at, kind, message, data) VALUES (?, ?, ?, ?, ?)')
      .run(jobId, this.iso(), kind, message, data === undefined ? null : JSON.stringify(data));
  }

  events(jobId: string, limit?: number): JobEvent[] {
    // The last `limit` events, returned oldest first.
    const rows = (
      limit === undefined
        ? this.stmt('SELECT * FROM job_events WHERE job_id = ? ORDER BY id ASC').all(jobId)
        : this.stmt('SELECT * FROM (SELECT * FROM job_events WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id ASC')
            .all(jobId, Math.max(0, limit))
    ) as EventRow[];
    const out: JobEvent[] = [];
    for (const r of rows) {
      const ev: JobEvent = { jobId: r.job_id, at: r.at, kind: r.kind, message: r.message };
      if (r.data !== null) {
        try {
          ev.data = decode('job_events', String(r.id), 'data', r.data, jsonValueSchema);
        } catch (e) {
          // Event data is informational: keep the event, drop the unreadable payload.
          this.log?.warn({ err: (e as Error).message, jobId }, 'dropping corrupt event data');
        }
      }
      out.push(ev);
    }
    return out;
  }

  putSubmission(sub: Omit<SubmissionRecord, 'createdAt' | 'updatedAt'>): SubmissionRecord {
    this.assertJob(sub.jobId);
    const nowIso = this.iso();
    // Upsert keeps the rowid (order of first submission) and the original created_at.
    this.stmt(
        `INSERT INTO submissions (job_id, stage, attempt, backend_ref, state, detail, created_at, updated_at)
         VALUES (@job_id, @stage, @attempt, @backend_ref, @state, @detail, @now, @now)
         ON CONFLICT (job_id, stage, attempt) DO UPDATE SET
           backend_ref = excluded.backend_ref, state = excluded.state, detail = excluded.detail, updated_at = excluded.updated_at`,
      )
      .run({
        job_id: sub.jobId,
        stage: sub.stage,
        attempt: sub.attempt,
        backend_ref: sub.backendRef,
        state: sub.state,
        detail: sub.detail === undefined || sub.detail === null ? null : JSON.stringify(sub.detail),
        now: nowIso,
      });
    const row = this.stmt('SELECT * FROM submissions WHERE job_id = ? AND stage = ? AND attempt = ?')
      .get(sub.jobId, sub.stage, sub.attempt) as SubmissionRow;
    return rowToSubmission(row);
  }

  /** Throws CorruptRowError on an unreadable row: skipping one could make the orchestrator submit twice. */
  submissions(jobId: string): SubmissionRecord[] {
    const rows = this.stmt('SELECT * FROM submissions WHERE job_id = ? ORDER BY rowid ASC').all(jobId) as SubmissionRow[];
    return rows.map(rowToSubmission);
  }

  markProcessed(source: string, messageId: string): boolean {
    const info = this.stmt('INSERT OR IGNORE INTO processed_messages (source, message_id, at) VALUES (?, ?, ?)')
      .run(source, messageId, this.iso());
    return info.changes === 1;
  }

  wasProcessed(source: string, messageId: string): boolean {
    return this.stmt('SELECT 1 FROM processed_messages WHERE source = ? AND message_id = ?').get(source, messageId) !== undefined;
  }

  getMeta(key: string): string | undefined {
    const r = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // --- outbox (src/core/Outbox.ts) ---

  private outboxRow(key: string): OutboxItem | undefined {
    const r = this.stmt('SELECT seq, item FROM outbox WHERE key = ?').get(key) as { seq: number; item: string } | undefined;
    return r ? fromStored({ ...decode('outbox', key, 'item', r.item, storedOutboxItemSchema), seq: r.seq }) : undefined;
  }

  private writeOutbox(item: OutboxItem): OutboxItem {
    this.stmt('UPDATE outbox SET state = ?, item = ? WHERE key = ?').run(item.state, JSON.stringify(toStored(item)), item.key);
    return item;
  }

  enqueue(n: NewOutboxItem): OutboxItem {
    return this.db.transaction(() => {
      const prev = this.outboxRow(n.key);
      if (prev) {
        const next = reenqueue(prev, n, this.iso());
        return next ? this.writeOutbox(next) : prev;
      }
      const info = this.stmt("INSERT INTO outbox (key, job_id, state, item) VALUES (?, ?, 'pending', '{}')").run(n.key, n.jobId ?? null);
      const item = newOutboxItem(n, Number(info.lastInsertRowid), this.iso());
      return this.writeOutbox(item);
    })();
  }

  outboxItem(key: string): OutboxItem | undefined {
    return this.outboxRow(key);
  }

  private outboxRows(sql: string, ...args: unknown[]): OutboxItem[] {
    return (this.stmt(sql).all(...args) as { seq: number; key: string; item: string }[]).map((r) =>
      fromStored({ ...decode('outbox', r.key, 'item', r.item, storedOutboxItemSchema), seq: r.seq }),
    );
  }

  pendingOutbox(): OutboxItem[] {
    return this.outboxRows("SELECT seq, key, item FROM outbox WHERE state = 'pending' ORDER BY seq ASC");
  }

  outboxOfJob(jobId: string): OutboxItem[] {
    return this.outboxRows('SELECT seq, key, item FROM outbox WHERE job_id = ? ORDER BY seq ASC', jobId);
  }

  private transition(key: string, f: (prev: OutboxItem, nowIso: string) => OutboxItem): OutboxItem {
    return this.db.transaction(() => {
      const prev = this.outboxRow(key);
      if (!prev) throw new Error(`no outbox item ${key}`);
      return this.writeOutbox(f(prev, this.iso()));
    })();
  }

  markDelivered(key: string, ref: OutboxItem['delivered']): OutboxItem {
    return this.transition(key, (p, now) => delivered(p, ref, now));
  }

  markRetry(key: string, error: string, next: Date): OutboxItem {
    return this.transition(key, (p, now) => retried(p, error, next, now));
  }

  markFailed(key: string, error: string, fallback: string | null): OutboxItem {
    return this.transition(key, (p, now) => failed(p, error, fallback, now));
  }

  findJobByRequest(requestKey: string): JobRecord | undefined {
    const id = this.getMeta(requestMetaKey(requestKey));
    return id === undefined ? undefined : this.getJob(id);
  }

  private kv?: KeyValueStore;
  keyValues(): KeyValueStore {
    return (this.kv ??= new SqliteKeyValueStore(this.db));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function rowToSubmission(r: SubmissionRow): SubmissionRecord {
  const key = `${r.job_id}/${r.stage}/a${r.attempt}`;
  return {
    jobId: r.job_id,
    stage: r.stage,
    attempt: r.attempt,
    backendRef: r.backend_ref,
    state: r.state,
    detail: r.detail === null ? null : decode('submissions', key, 'detail', r.detail, jsonValueSchema),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
