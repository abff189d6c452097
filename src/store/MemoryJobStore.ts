/**
 * In-memory twin of SqliteJobStore for unit tests. Values are copied through JSON on the way in
 * and out, like a database round trip, so callers cannot pass tests by mutating shared objects.
 */
import type { ThreadRef } from '../core/types.js';
import { isFinal, type JobEvent, type JobFilter, type JobPatch, type JobRecord, type JobStore, type NewJob, type SubmissionRecord } from '../core/JobStore.js';
import { assertJobIdPrefix, DEFAULT_JOB_ID_PREFIX, formatJobId } from './jobIds.js';
import type { NewOutboxItem, OutboxItem, OutboxStore } from '../core/Outbox.js';
import { delivered, failed, fromStored, newOutboxItem, reenqueue, retried, toStored, type StoredOutboxItem } from './outboxOps.js';
import { applyJobPatch, jsonCopy, newJobRecord, requestMetaKey } from './jobRecordOps.js';
import { DuplicateRequestError, UnknownJobError } from './StoreErrors.js';
import type { KeyValueStore } from '../core/KeyValueStore.js';

export interface MemoryJobStoreOptions {
  prefix?: string;
  now?: () => Date;
}

export class MemoryJobStore implements JobStore, OutboxStore {
  private readonly prefix: string;
  private readonly now: () => Date;
  private seq = 0;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly eventLog: JobEvent[] = [];
  /** Keyed by jobId/stage/attempt; Map keeps first-insertion order like SQLite's rowid. */
  private readonly subs = new Map<string, SubmissionRecord>();
  private readonly processed = new Set<string>();
  private readonly meta = new Map<string, string>();
  private closed = false;
  /** Stored encoded, like the SQLite row, so no caller shares a Buffer with the store. */
  private readonly outbox = new Map<string, StoredOutboxItem>();
  private outboxSeq = 0;

  constructor(opts: MemoryJobStoreOptions = {}) {
    this.prefix = assertJobIdPrefix(opts.prefix ?? DEFAULT_JOB_ID_PREFIX);
    this.now = opts.now ?? (() => new Date());
  }

  private iso(): string {
    return this.now().toISOString();
  }

  private open(): void {
    if (this.closed) throw new Error('job store is closed');
  }

  private mustGet(id: string): JobRecord {
    const j = this.jobs.get(id);
    if (!j) throw new UnknownJobError(id);
    return j;
  }

  createJob(job: NewJob): JobRecord {
    this.open();
    const seq = this.seq + 1;
    const rec = newJobRecord(formatJobId(this.prefix, seq), seq, job, this.iso());
    if (job.requestKey !== undefined) {
      const prev = this.meta.get(requestMetaKey(job.requestKey));
      if (prev !== undefined) throw new DuplicateRequestError(job.requestKey, prev);
      this.meta.set(requestMetaKey(job.requestKey), rec.id);
    }
    this.seq = seq; // only once the record is valid, like the SQLite transaction
    this.jobs.set(rec.id, rec);
    return jsonCopy(rec);
  }

  getJob(id: string): JobRecord | undefined {
    this.open();
    const j = this.jobs.get(id);
    return j ? jsonCopy(j) : undefined;
  }

  updateJob(id: string, patch: JobPatch): JobRecord {
    this.open();
    const next = applyJobPatch(this.mustGet(id), patch, this.iso());
    this.jobs.set(id, next);
    return jsonCopy(next);
  }

  listJobs(filter: JobFilter = {}): JobRecord[] {
    this.open();
    let out = [...this.jobs.values()].sort((a, b) => b.seq - a.seq);
    if (filter.active) out = out.filter((j) => !isFinal(j.state));
    if (filter.requesterUserId !== undefined) out = out.filter((j) => j.requester.userId === filter.requesterUserId);
    const owner = filter.owner;
    if (owner !== undefined) out = out.filter((j) => (owner.person !== undefined && j.owner?.person === owner.person) || owner.userIds.includes(j.requester.userId));
    if (filter.limit !== undefined) out = out.slice(0, Math.max(0, filter.limit));
    return out.map(jsonCopy);
  }

  findJobByThread(thread: ThreadRef): JobRecord | undefined {
    this.open();
    // Newest first, like the SQLite store, in case a thread was (wrongly) reused.
    const hit = [...this.jobs.values()]
      .sort((a, b) => b.seq - a.seq)
      .find((j) => j.thread?.adapter === thread.adapter && j.thread?.key === thread.key);
    return hit ? jsonCopy(hit) : undefined;
  }

  addEvent(jobId: string, kind: string, message: string, data?: unknown): void {
    this.open();
    this.mustGet(jobId);
    const ev: JobEvent = { jobId, at: this.iso(), kind, message };
    if (data !== undefined) ev.data = jsonCopy(data);
    this.eventLog.push(ev);
  }

  events(jobId: string, limit?: number): JobEvent[] {
    this.open();
    const all = this.eventLog.filter((e) => e.jobId === jobId);
    const picked = limit === undefined ? all : all.slice(Math.max(0, all.length - Math.max(0, limit)));
    return picked.map(jsonCopy);
  }

  putSubmission(sub: Omit<SubmissionRecord, 'createdAt' | 'updatedAt'>): SubmissionRecord {
    this.open();
    this.mustGet(sub.jobId);
    const key = `${sub.jobId}\u0000${sub.stage}\u0000${sub.attempt}`;
    const now = this.iso();
    const prev = this.subs.get(key);
    const rec: SubmissionRecord = {
      jobId: sub.jobId,
      stage: sub.stage,
      attempt: sub.attempt,
      backendRef: sub.backendRef,
      state: sub.state,
      detail: sub.detail === undefined ? null : jsonCopy(sub.detail),
      createdAt: prev?.createdAt ?? now,
      updatedAt: now,
    };
    this.subs.set(key, rec);
    return jsonCopy(rec);
  }

  submissions(jobId: string): SubmissionRecord[] {
    this.open();
    return [...this.subs.values()].filter((s) => s.jobId === jobId).map(jsonCopy);
  }

  markProcessed(source: string, messageId: string): boolean {
    this.open();
    const key = `${source}\u0000${messageId}`;
    if (this.processed.has(key)) return false;
    this.processed.add(key);
    return true;
  }

  wasProcessed(source: string, messageId: string): boolean {
    this.open();
    return this.processed.has(`${source}\u0000${messageId}`);
  }

  getMeta(key: string): string | undefined {
    this.open();
    return this.meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.open();
    this.meta.set(key, value);
  }

  // --- outbox (src/core/Outbox.ts) ---

  private put(item: OutboxItem): OutboxItem {
    this.outbox.set(item.key, jsonCopy(toStored(item)));
    return fromStored(jsonCopy(toStored(item)));
  }

  enqueue(n: NewOutboxItem): OutboxItem {
    this.open();
    const prevStored = this.outbox.get(n.key);
    if (prevStored) {
      const prev = fromStored(jsonCopy(prevStored));
      const next = reenqueue(prev, n, this.iso());
      return next ? this.put(next) : prev;
    }
    return this.put(newOutboxItem(n, ++this.outboxSeq, this.iso()));
  }

  outboxItem(key: string): OutboxItem | undefined {
    this.open();
    const s = this.outbox.get(key);
    return s ? fromStored(jsonCopy(s)) : undefined;
  }

  pendingOutbox(): OutboxItem[] {
    this.open();
    return [...this.outbox.values()].filter((s) => s.state === 'pending').sort((a, b) => a.seq - b.seq).map((s) => fromStored(jsonCopy(s)));
  }

  outboxOfJob(jobId: string): OutboxItem[] {
    this.open();
    return [...this.outbox.values()].filter((s) => s.jobId === jobId).sort((a, b) => a.seq - b.seq).map((s) => fromStored(jsonCopy(s)));
  }

  private transition(key: string, f: (prev: OutboxItem, nowIso: string) => OutboxItem): OutboxItem {
    const prev = this.outboxItem(key);
    if (!prev) throw new Error(`no outbox item ${key}`);
    return this.put(f(prev, this.iso()));
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

  keyValues(): KeyValueStore {
    return {
      read: (key) => this.getMeta(key),
      write: (key, value) => this.setMeta(key, value),
      delete: (key) => {
        this.open();
        this.meta.delete(key);
      },
    };
  }

  close(): void {
    this.closed = true;
  }
}
