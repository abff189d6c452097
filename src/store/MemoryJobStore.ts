/**
 * In-memory twin of SqliteJobStore for unit tests. Values are copied through JSON on the way in
 * and out, like a database round trip, so callers cannot pass tests by mutating shared objects.
 */
import type { ThreadRef } from '../core/types.js';
import { isFinal, type JobEvent, type JobFilter, type JobPatch, type JobRecord, type JobStore, type NewJob, type SubmissionRecord } from './JobStore.js';
import { assertJobIdPrefix, DEFAULT_JOB_ID_PREFIX, formatJobId } from './jobIds.js';
import { applyJobPatch, jsonCopy, newJobRecord } from './jobRecordOps.js';
import { UnknownJobError } from './StoreErrors.js';

export interface MemoryJobStoreOptions {
  prefix?: string;
  now?: () => Date;
}

export class MemoryJobStore implements JobStore {
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

  close(): void {
    this.closed = true;
  }
}
