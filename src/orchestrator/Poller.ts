import type { ClusterBackend, StageStatus } from '../pipeline/ClusterBackend.js';
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

  constructor(
    private readonly backend: ClusterBackend,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly onPollError: (e: Error | null, consecutive: number) => void = () => {},
    /** After this many answered polls without a word about a ref, it is reported lost (failed) instead of watched forever. */
    private readonly lostAfterPolls = 20,
  ) {}

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
    if (this.timer || this.stopped || this.watches.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, this.intervalMs);
  }

  async tick(): Promise<void> {
    if (this.ticking || this.watches.size === 0) return;
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
      this.schedule();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [ref] of this.watches) this.unwatch(ref, new ShutdownError());
  }
}
