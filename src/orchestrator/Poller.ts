import type { ClusterBackend, StageStatus, TaskEvent } from '../pipeline/ClusterBackend.js';
import type { Logger } from '../log.js';
import { ShutdownError } from '../util/sleep.js';

interface Watch {
  ref: string;
  onUpdate: (s: StageStatus) => void;
  resolve: (s: StageStatus) => void;
  reject: (e: Error) => void;
}

/** A stage is settled when every task reached a final state (so retries see the whole array's outcome). */
export function isSettled(s: StageStatus): boolean {
  const fin = (x: string) => x === 'completed' || x === 'failed' || x === 'cancelled';
  return s.tasks.length ? s.tasks.every((t) => fin(t.state)) : fin(s.state);
}

/**
 * One poll of the backend per tick for ALL watched submissions, whatever the number of jobs: the cost of watching
 * 50 analyses is one remote command, not 50. A failed poll (cluster unreachable) is logged and retried next tick.
 */
export class Poller {
  /** Delay between an event and the poll it causes: events of tasks ending together share one poll. */
  static readonly EVENT_DELAY_MS = 30;
  /**
   * Longest wait between follow-up polls while an event's task is not final in the poll yet (squeue shows it
   * COMPLETING for a moment): the stage switch is noticed within this of Slurm's own, at a few commands per second
   * for that moment only.
   */
  static readonly FOLLOW_UP_MAX_MS = 300;
  private watches = new Map<string, Watch[]>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;
  /** Number of backend.poll calls made (for tests and benchmarks). */
  polls = 0;
  /** Consecutive failed polls; the orchestrator reports the first one to users. */
  failures = 0;
  /** Consecutive successful polls in which the backend did not mention a ref. */
  private readonly missing = new Map<string, number>();
  /** Tasks an event said have ended, not yet seen final by a poll: poll again soon until they are. */
  private readonly expected = new Map<string, Set<number>>();
  /** Next quick follow-up delay while expected tasks are not final yet (doubles up to the interval). */
  private followUpMs = Poller.EVENT_DELAY_MS;
  private dueAt = Infinity;
  private unsubscribe: (() => void) | undefined;
  /** Polls made because an event came in before the interval (tests, benchmarks). */
  eventPolls = 0;


  constructor(
    private readonly backend: ClusterBackend,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly onPollError: (e: Error | null, consecutive: number) => void = () => {},
    /** After this many answered polls without a word about a ref, it is reported lost (failed) instead of watched forever. */
    private readonly lostAfterPolls = 20,
  ) {
    // Completions noticed by the backend (event files, local processes) make the next poll come at once: the poll is
    // still what decides, and it still covers every watched submission in one call.
    this.unsubscribe = backend.onTaskEvent?.((e) => this.onEvent(e));
  }

  private onEvent(e: TaskEvent): void {
    if (!this.watches.has(e.ref)) return;
    const set = this.expected.get(e.ref) ?? new Set<number>();
    set.add(e.index);
    this.expected.set(e.ref, set);
    this.followUpMs = Poller.EVENT_DELAY_MS;
    this.scheduleIn(Poller.EVENT_DELAY_MS, true);
  }

  /** Resolve when the submission settles; onUpdate is called with every polled status. */
  watch(ref: string, onUpdate: (s: StageStatus) => void = () => {}): Promise<StageStatus> {
    return new Promise((resolve, reject) => {
      const list = this.watches.get(ref) ?? [];
      list.push({ ref, onUpdate, resolve, reject });
      this.watches.set(ref, list);
      this.schedule();
    });
  }

  /** Stop watching a ref (job cancelled): its promise rejects with the given error. */
  unwatch(ref: string, why: Error): void {
    for (const w of this.watches.get(ref) ?? []) w.reject(why);
    this.watches.delete(ref);
  }

  private schedule(): void {
    if (this.expected.size > 0) {
      // An event said a task ended but the poll does not show it yet (squeue says COMPLETING, sacct lags): look again
      // soon, backing off, never later than the interval.
      const ms = Math.min(this.followUpMs, this.intervalMs);
      this.followUpMs = Math.min(this.followUpMs * 2, this.intervalMs, Poller.FOLLOW_UP_MAX_MS);
      this.scheduleIn(ms, true);
      return;
    }
    this.scheduleIn(this.intervalMs, false);
  }

  /** Arrange a tick in `ms` unless one is due sooner. */
  private scheduleIn(ms: number, early: boolean): void {
    if (this.stopped || this.watches.size === 0) return;
    const at = Date.now() + ms;
    if (this.timer && this.dueAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.dueAt = Infinity;
      if (early) this.eventPolls++;
      void this.tick();
    }, ms);
  }

  async tick(): Promise<void> {
    if (this.ticking) {
      // An event during a poll: poll once more right after it.
      if (this.expected.size) this.tickAgain = true;
      return;
    }
    if (this.watches.size === 0) return;
    this.ticking = true;
    const refs = [...this.watches.keys()];
    try {
      this.polls++;
      const states = await this.backend.poll(refs);
      if (this.failures > 0) {
        this.failures = 0;
        this.onPollError(null, 0);
      }
      for (const ref of refs) {
        let s = states.get(ref);
        if (!s) {
          const n = (this.missing.get(ref) ?? 0) + 1;
          this.missing.set(ref, n);
          if (n < this.lostAfterPolls) continue;
          this.log.warn({ ref, polls: n }, 'the backend no longer reports this submission; treating it as lost');
          s = { ref, state: 'failed', tasks: [] };
        }
        this.missing.delete(ref);
        const exp = this.expected.get(ref);
        if (exp) {
          const fin = (x: string) => x === 'completed' || x === 'failed' || x === 'cancelled';
          for (const t of s.tasks) if (fin(t.state)) exp.delete(t.index);
          if (exp.size === 0 || isSettled(s)) this.expected.delete(ref);
        }
        const list = this.watches.get(ref) ?? [];
        for (const w of list) {
          try {
            w.onUpdate(s);
          } catch (e) {
            this.log.error({ err: e, ref }, 'progress callback failed');
          }
        }
        if (isSettled(s)) {
          this.watches.delete(ref);
          for (const w of list) w.resolve(s);
        }
      }
    } catch (e) {
      this.failures++;
      this.log.warn({ err: e, failures: this.failures }, 'backend poll failed; retrying next tick');
      this.onPollError(e as Error, this.failures);
    } finally {
      this.ticking = false;
      for (const ref of this.expected.keys()) if (!this.watches.has(ref)) this.expected.delete(ref);
      if (this.tickAgain) {
        this.tickAgain = false;
        this.followUpMs = Poller.EVENT_DELAY_MS;
      }
      this.schedule();
    }
  }
  private tickAgain = false;

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [ref] of this.watches) this.unwatch(ref, new ShutdownError());
  }
}
