/**
 * Serialises posts per channel and keeps them at least `intervalMs` apart (Slack allows about one
 * message per second per channel; bursts get rate limited). Different channels do not wait on each other.
 */
export class ChannelPacer {
  private tails = new Map<string, Promise<unknown>>();
  private last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  run<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(channel) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const wait = (this.last.get(channel) ?? -Infinity) + this.intervalMs - this.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        this.last.set(channel, this.now());
        return fn();
      });
    const tail = next.catch(() => undefined);
    this.tails.set(channel, tail);
    // Forget idle channels so the maps do not grow without bound.
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    return next;
  }
}
