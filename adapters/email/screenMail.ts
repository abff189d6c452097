import type { EmailConfig } from './config.js';
import type { RateLimiter } from './RateLimiter.js';
import { headerValues, type HeaderField } from './headers.js';
import { automatedReason } from './loopSafety.js';
import { checkAuthResults } from './authResults.js';

/** What to do with a mail before the core sees it. */
export type Screening =
  | { action: 'accept' }
  /** Marked handled without any answer (automated mail, unauthenticated or unusable sender, flood). */
  | { action: 'drop'; reason: string }
  /** Marked handled, with a short answer to the sender instead of reaching the core. */
  | { action: 'answer'; reason: string; text: string; withExample: boolean };

export interface ScreenInput {
  fields: HeaderField[];
  /** From address, lower case (undefined when the mail has none). */
  from: string | undefined;
  /** Whole mail larger than `max_bytes` (not downloaded). */
  tooLarge: boolean;
  config: EmailConfig;
  limiter: RateLimiter;
  nowMs: number;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * Checks in order: automated mail (never answered: loops, backscatter), usable From, required sender
 * authentication (no answer: the From may be forged), per-sender rate limit (one notice), size limit.
 */
export function screenMail(i: ScreenInput): Screening {
  const automated = automatedReason(i.fields, [i.config.address]);
  if (automated) return { action: 'drop', reason: `automated mail (${automated})` };
  if (!i.from || !ADDRESS.test(i.from)) return { action: 'drop', reason: 'no usable From address' };
  if (i.config.require_auth_results) {
    const trusted = ([] as string[]).concat(i.config.trusted_authserv_id ?? []);
    const verdict = checkAuthResults(headerValues(i.fields, 'authentication-results'), trusted, i.from);
    if (!verdict.ok) return { action: 'drop', reason: `sender not authenticated: ${verdict.reason}` };
  }
  const rate = i.limiter.check(i.from, i.nowMs);
  if (rate === 'drop') return { action: 'drop', reason: 'over the rate limit' };
  if (rate === 'notify') {
    const { max, window_s } = i.config.rate_limit;
    const window = window_s % 60 === 0 ? `${window_s / 60} minutes` : `${window_s} seconds`;
    return {
      action: 'answer',
      reason: 'over the rate limit (notice)',
      text: `You have sent more than ${max} mails to ASTRAN within ${window}. ` +
        'Further mails from your address are ignored until that window has passed; please try again later.',
      withExample: false,
    };
  }
  if (i.tooLarge) {
    return {
      action: 'answer',
      reason: 'over the size limit',
      text: `Your mail is too large for ASTRAN to read (limit ${Math.round(i.config.max_bytes / 1000)} kB). ` +
        'Please send the request as plain text without attachments.',
      withExample: true,
    };
  }
  return { action: 'accept' };
}
