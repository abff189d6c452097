/** Night arithmetic. A night is named by the UTC date its evening began (YYYYMMDD). */

export function isNight(s: string): boolean {
  return /^\d{8}$/.test(s);
}

export function nightToDate(n: string): Date {
  return new Date(Date.UTC(+n.slice(0, 4), +n.slice(4, 6) - 1, +n.slice(6, 8)));
}

export function dateToNight(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

export function addNights(n: string, k: number): string {
  const d = nightToDate(n);
  d.setUTCDate(d.getUTCDate() + k);
  return dateToNight(d);
}

/** Every night from a to b inclusive. */
export function nightRange(a: string, b: string): string[] {
  const out: string[] = [];
  for (let n = a; n <= b; n = addNights(n, 1)) out.push(n);
  return out;
}

/** The night an observation starting at `start` belongs to: the UTC date of start − 12 h. */
export function nightOf(start: Date): string {
  return dateToNight(new Date(start.getTime() - 12 * 3600 * 1000));
}

export function daysBetween(a: string, b: string): number {
  return Math.round((nightToDate(b).getTime() - nightToDate(a).getTime()) / 86400000);
}
