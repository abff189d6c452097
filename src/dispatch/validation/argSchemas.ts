/** zod schemas turning the text of a `key=value` into a typed value, with messages written for users. */
import { z } from 'zod';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A decimal number within (gt, max] or [min, max]. */
export function numberArg(opts: { gt?: number; min?: number; max?: number; unit?: string }): z.ZodType<number, string> {
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const range =
    opts.gt !== undefined && opts.max !== undefined
      ? `above ${opts.gt} and at most ${opts.max}${unit}`
      : opts.gt !== undefined
        ? `above ${opts.gt}${unit}`
        : `from ${opts.min} to ${opts.max}${unit}`;
  return z.string().transform((s, ctx) => {
    const t = s.trim();
    const n = NUMBER.test(t) ? Number(t) : NaN;
    const ok =
      Number.isFinite(n) &&
      (opts.gt === undefined || n > opts.gt) &&
      (opts.min === undefined || n >= opts.min) &&
      (opts.max === undefined || n <= opts.max);
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: `must be a number ${range}.` });
      return z.NEVER;
    }
    return n;
  });
}

export function intArg(min: number, max: number): z.ZodType<number, string> {
  return z.string().transform((s, ctx) => {
    const t = s.trim();
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}.` });
      return z.NEVER;
    }
    return n;
  });
}

const TRUE = new Set(['yes', 'true', '1', 'y', 'on']);
const FALSE = new Set(['no', 'false', '0', 'n', 'off']);

export function boolArg(): z.ZodType<boolean, string> {
  return z.string().transform((s, ctx) => {
    const t = s.trim().toLowerCase();
    if (TRUE.has(t)) return true;
    if (FALSE.has(t)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be yes or no (also true/false, 1/0).' });
    return z.NEVER;
  });
}

/** Comma-separated run ids, e.g. `1801,1802` (spaces allowed). */
export function runListArg(): z.ZodType<number[], string> {
  return z.string().transform((s, ctx) => {
    const parts = s.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const bad = parts.filter((p) => !/^\d{1,9}$/.test(p) || Number(p) === 0);
    if (parts.length === 0 || bad.length) {
      ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of run numbers.' });
      return z.NEVER;
    }
    if (parts.length > 500) {
      ctx.addIssue({ code: 'custom', message: 'lists too many runs (at most 500).' });
      return z.NEVER;
    }
    return [...new Set(parts.map(Number))].sort((a, b) => a - b);
  });
}

/** Free text such as a source name: non-empty, bounded. */
export function textArg(max = 80): z.ZodType<string, string> {
  return z.string().transform((s, ctx) => {
    const t = s.trim().replace(/\s+/g, ' ');
    if (!t) {
      ctx.addIssue({ code: 'custom', message: 'is empty.' });
      return z.NEVER;
    }
    if (t.length > max) {
      ctx.addIssue({ code: 'custom', message: `is longer than ${max} characters.` });
      return z.NEVER;
    }
    return t;
  });
}

/** Job id as typed: `A-0042`, `a-42`, `A42` or `42` → `A-0042`. */
export function jobIdArg(): z.ZodType<string, string> {
  return z.string().transform((s, ctx) => {
    const m = /^(?:([A-Za-z])-?)?(\d{1,9})$/.exec(s.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'is not a job id (they look like A-0042).' });
      return z.NEVER;
    }
    return `${(m[1] ?? 'A').toUpperCase()}-${String(Number(m[2])).padStart(4, '0')}`;
  });
}
