import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses requests older than five minutes; so do we (both directions, for clock skew). */
export const MAX_SKEW_SECONDS = 300;

export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature' | 'replayed' };

/** v0 signature: HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the signing secret. */
export function computeSlackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  const h = createHmac('sha256', secret);
  h.update(`v0:${timestamp}:`);
  h.update(rawBody);
  return 'v0=' + h.digest('hex');
}

/**
 * Verify one request's signature headers. Pure (time passed in); the replay check lives in
 * ReplayGuard because it needs state.
 */
export function verifySlackSignature(
  secret: string,
  headers: { timestamp?: string | string[]; signature?: string | string[] },
  rawBody: Buffer | string,
  nowSeconds: number,
): SignatureVerdict {
  const ts = headers.timestamp;
  const sig = headers.signature;
  if (typeof ts !== 'string' || typeof sig !== 'string') return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(nowSeconds - Number(ts)) > MAX_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(computeSlackSignature(secret, ts, rawBody), 'utf8');
  const given = Buffer.from(sig, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch is already a failure.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}

/**
 * Remembers signatures seen within the freshness window so a captured request cannot be replayed
 * while its timestamp is still accepted. Slack's own retries carry a new timestamp and signature.
 */
export class ReplayGuard {
  private seen = new Map<string, number>();

  constructor(private readonly windowSeconds = MAX_SKEW_SECONDS * 2) {}

  /** True the first time a signature is seen; false on a replay. */
  check(signature: string, nowSeconds: number): boolean {
    this.prune(nowSeconds);
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, nowSeconds + this.windowSeconds);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    // Map keeps insertion order and expiries grow with it: drop from the front.
    for (const [k, exp] of this.seen) {
      if (exp > now) break;
      this.seen.delete(k);
    }
  }
}
