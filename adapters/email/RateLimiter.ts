/**
 * Per-sender sliding-window limit. Over the limit the caller answers once ("notify"), then stays silent
 * ("drop") until the sender is below the limit again, so a mail loop or a flood costs at most one reply.
 * In memory: a restart forgets the history, which only ever errs towards answering.
 */
export type RateDecision = 'ok' | 'notify' | 'drop';

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly notified = new Set<string>();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  check(key: string, nowMs: number): RateDecision {
    const recent = (this.hits.get(key) ?? []).filter((t) => nowMs - t < this.windowMs);
    if (recent.length < this.max) {
      recent.push(nowMs);
      this.hits.set(key, recent);
      this.notified.delete(key);
      return 'ok';
    }
    this.hits.set(key, recent);
    if (this.notified.has(key)) return 'drop';
    this.notified.add(key);
    return 'notify';
  }
}
