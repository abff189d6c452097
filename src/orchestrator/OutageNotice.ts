import type { JobStore } from '../core/JobStore.js';
import type { Logger } from '../log.js';
import type { JobThread } from './JobThread.js';
import { clusterBack, clusterDown, clusterPatienceOut } from './wording.js';
import { fmtDuration } from './format.js';

interface OutageState {
  /** Outage number within the job (1, 2...): part of the message keys, so each outage is told once. */
  n: number;
  since: string;
  patienceTold: boolean;
}

/**
 * A job's view of cluster outages: the user is told once when one starts, once when it is over, and once if it
 * outlasts the configured patience (then with what to do). The job is paused meanwhile, never failed.
 * The state lives in the store (meta `outage:<job>`), so a restart in the middle of an outage does not tell again.
 */
export class OutageNotice {
  constructor(
    private readonly jobId: string,
    private readonly store: JobStore,
    private readonly thread: JobThread,
    private readonly patienceMs: number,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  private get key(): string {
    return `outage:${this.jobId}`;
  }

  /** The outage a job is paused in, if any (for `status`). */
  static current(store: JobStore, jobId: string): OutageState | null {
    const raw = store.getMeta(`outage:${jobId}`);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as OutageState;
    } catch {
      return null;
    }
  }

  current(): OutageState | null {
    return OutageNotice.current(this.store, this.jobId);
  }

  private save(s: OutageState | null): void {
    this.store.setMeta(this.key, s ? JSON.stringify(s) : '');
  }

  /** The cluster did not answer (called on every failed attempt; only the first of an outage is told). */
  down(): void {
    const s = this.current();
    const now = this.now();
    if (!s) {
      const n = Number(this.store.getMeta(`outages:${this.jobId}`) ?? '0') + 1;
      this.store.setMeta(`outages:${this.jobId}`, String(n));
      this.save({ n, since: now.toISOString(), patienceTold: false });
      this.store.addEvent(this.jobId, 'outage_start', 'the cluster is not answering; job paused');
      this.log.warn({ job: this.jobId, outage: n }, 'cluster outage: job paused');
      this.thread.post(`outage/${n}/start`, { text: clusterDown() });
      return;
    }
    const downMs = now.getTime() - Date.parse(s.since);
    if (!s.patienceTold && downMs >= this.patienceMs) {
      this.save({ ...s, patienceTold: true });
      this.store.addEvent(this.jobId, 'outage_patience', `the cluster has been unreachable for ${fmtDuration(downMs / 1000)}`);
      this.thread.post(`outage/${s.n}/patience`, { text: clusterPatienceOut(fmtDuration(downMs / 1000), this.jobId) });
    }
  }

  /** The cluster answered: ends the outage, if there was one. */
  up(): void {
    const s = this.current();
    if (!s) return;
    const downMs = this.now().getTime() - Date.parse(s.since);
    this.save(null);
    this.store.addEvent(this.jobId, 'outage_end', `the cluster answers again after ${fmtDuration(downMs / 1000)}`);
    this.log.info({ job: this.jobId, outage: s.n }, 'cluster outage over: job continues');
    this.thread.post(`outage/${s.n}/end`, { text: clusterBack(fmtDuration(downMs / 1000)) });
  }
}
