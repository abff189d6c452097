import type { AnyCommandSpec } from '../CommandSpec.js';

export interface PendingConfirmation {
  spec: AnyCommandSpec;
  args: unknown;
  expiresAt: number;
}

/**
 * Commands waiting for a `yes`, one per person and place (thread or channel). Kept in memory on
 * purpose: a restart drops them, which is the safe outcome for a destructive action.
 */
export class PendingConfirmations {
  private readonly pending = new Map<string, PendingConfirmation>();

  set(key: string, p: PendingConfirmation, now: number): void {
    this.pending.set(key, p);
    // Bound memory under floods of unconfirmed requests: drop expired entries opportunistically.
    if (this.pending.size > 1000) this.sweep(now);
  }

  /** Remove and return the pending confirmation for `key`, if any and not expired at `now`. */
  take(key: string, now: number): PendingConfirmation | undefined {
    const p = this.pending.get(key);
    if (!p) return undefined;
    this.pending.delete(key);
    return p.expiresAt >= now ? p : undefined;
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(now: number): void {
    for (const [k, p] of this.pending) if (p.expiresAt < now) this.pending.delete(k);
  }
}
