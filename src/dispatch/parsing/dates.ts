/**
 * Night names. A night is named by the UTC date its evening began (YYYYMMDD), as lstosa does;
 * "yesterday" is the night that began yesterday (UTC) — the one next-day analysis is about.
 */
import type { Problem } from '../validation/Problem.js';
import { code } from '../validation/Problem.js';
import { addNights, nightSpan, todayNight, yesterdayNight } from '../../util/nights.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export type NightParse = { ok: true; night: string } | { ok: false; problem: Problem };

const FORMS = 'Use YYYYMMDD, YYYY-MM-DD, `yesterday`, or a range A..B.';

/** One night: YYYYMMDD, YYYY-MM-DD, yesterday, today/tonight. Future nights are refused. */
export function parseNight(input: string, now: Date): NightParse {
  const s = input.trim().toLowerCase();
  if (s === 'yesterday') return { ok: true, night: yesterdayNight(now) };
  if (s === 'today' || s === 'tonight') return { ok: true, night: todayNight(now) };
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!m || (s.includes('-') && !/^\d{4}-\d{2}-\d{2}$/.test(s))) {
    return { ok: false, problem: { message: `${code(input)} is not a date.`, fix: FORMS } };
  }
  const [year, month, day] = [+m[1], +m[2], +m[3]];
  const night = m[1] + m[2] + m[3];
  if (month < 1 || month > 12) {
    return { ok: false, problem: { message: `${code(input)}: month ${month} does not exist.`, fix: 'Months run from 01 to 12 (YYYYMMDD).' } };
  }
  const dim = daysInMonth(year, month);
  if (day < 1 || day > dim) {
    return {
      ok: false,
      problem: {
        message: `${code(input)}: ${MONTHS[month - 1]} ${year} has ${dim} days.`,
        fix: day < 1 ? 'Days start at 01.' : `Did you mean ${year}${m[2]}${String(dim).padStart(2, '0')}?`,
      },
    };
  }
  if (night > todayNight(now)) {
    return {
      ok: false,
      problem: {
        message: `${code(input)} is in the future: that night has not begun yet.`,
        fix: `The latest night is ${todayNight(now)} (tonight); the last complete one is ${yesterdayNight(now)} (\`date=yesterday\`).`,
      },
    };
  }
  return { ok: true, night };
}

export type RangeParse = { ok: true; from: string; to: string } | { ok: false; problems: Problem[] };

/** A night or a range `A..B` of at most `maxNights` nights, A ≤ B. */
export function parseNightRange(input: string, now: Date, maxNights: number): RangeParse {
  const parts = input.split('..');
  if (parts.length > 2) return { ok: false, problems: [{ message: `${code(input)} is not a date range.`, fix: 'Write a range as A..B, e.g. `20231201..20231207`.' }] };
  if (parts.length === 2 && parts.some((p) => !p.trim())) {
    return { ok: false, problems: [{ message: `The range ${code(input)} is missing its ${parts[0].trim() ? 'last' : 'first'} night.`, fix: 'Write a range as A..B, e.g. `20231201..20231207`.' }] };
  }
  const parsed = parts.map((p) => parseNight(p, now));
  const problems = parsed.flatMap((p) => (p.ok ? [] : [p.problem]));
  if (problems.length) return { ok: false, problems };
  const [from, to] = parsed.map((p) => (p as { night: string }).night);
  const end = to ?? from;
  if (end < from) {
    return { ok: false, problems: [{ message: `The range ${code(input)} ends before it starts.`, fix: `Swap the ends: \`date=${end}..${from}\`.` }] };
  }
  const n = nightSpan(from, end);
  if (n > maxNights) {
    return {
      ok: false,
      problems: [
        {
          message: `The range ${code(input)} covers ${n} nights; the limit is ${maxNights}.`,
          fix: `Split it, e.g. \`date=${from}..${addNights(from, maxNights - 1)}\` first.`,
        },
      ],
    };
  }
  return { ok: true, from, to: end };
}
