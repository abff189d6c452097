/**
 * Night arithmetic, in one place. A night is named by the UTC date its evening began (YYYYMMDD), as lstosa does.
 * Parsing user input (with its error messages) lives in src/dispatch/parsing/dates.ts; this file only computes.
 */

const DAY_MS = 86_400_000;

export function nightToDate(n: string): Date {
  return new Date(Date.UTC(+n.slice(0, 4), +n.slice(4, 6) - 1, +n.slice(6, 8)));
}

/** The UTC date of `d` as a night name. */
export function formatNight(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** True when `n` is YYYYMMDD and a real calendar date (20240231 is not). */
export function isValidNight(n: string): boolean {
  return /^\d{8}$/.test(n) && formatNight(nightToDate(n)) === n;
}

export function addNights(n: string, k: number): string {
  return formatNight(new Date(nightToDate(n).getTime() + k * DAY_MS));
}

/** Number of nights from a to b inclusive. */
export function nightSpan(a: string, b: string): number {
  return Math.round((nightToDate(b).getTime() - nightToDate(a).getTime()) / DAY_MS) + 1;
}

/** Every night from a to b inclusive. */
export function nightRange(a: string, b: string): string[] {
  const out: string[] = [];
  for (let n = a; n <= b; n = addNights(n, 1)) out.push(n);
  return out;
}

/** The night that began on `now`'s UTC date ("tonight"). */
export function todayNight(now: Date): string {
  return formatNight(now);
}

/** The night that began yesterday (UTC): the one next-day analysis is about. */
export function yesterdayNight(now: Date): string {
  return formatNight(new Date(now.getTime() - DAY_MS));
}

/** The night an observation starting at `start` belongs to: the UTC date of start − 12 h. */
export function nightOf(start: Date): string {
  return formatNight(new Date(start.getTime() - 12 * 3600 * 1000));
}
