/** Value range and ticks of a colour scale over the finite values of a map. */
export interface ColorRange {
  vmin: number;
  vmax: number;
}

/** Range of the finite values; a flat or empty map gets a unit range so colours stay defined. */
/** Largest finite value, or null when there is none. */
export function finiteMax(values: ArrayLike<number>): number | null {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] > m) m = values[i];
  return m === -Infinity ? null : m;
}

export function colorRange(values: ArrayLike<number>, floor = -Infinity): ColorRange {
  let vmin = Infinity;
  let vmax = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < vmin) vmin = v;
    if (v > vmax) vmax = v;
  }
  if (vmin === Infinity) return { vmin: 0, vmax: 1 };
  vmin = Math.max(vmin, floor);
  if (!(vmax > vmin)) return { vmin: vmin, vmax: vmin + 1 };
  return { vmin, vmax };
}

/** 1-2-5 ticks inside [vmin, vmax], the count closest to `target`. */
export function linearTicks(r: ColorRange, target = 6): number[] {
  const span = r.vmax - r.vmin;
  const mag = 10 ** Math.floor(Math.log10(span / target));
  const steps = [0.5, 1, 2, 5, 10, 20].map((m) => m * mag);
  const step = steps.reduce((best, s) => (Math.abs(span / s - target) < Math.abs(span / best - target) ? s : best));
  const out: number[] = [];
  for (let k = Math.ceil(r.vmin / step - 1e-9); k * step <= r.vmax + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Decimals needed to print ticks of this spacing. */
export function tickDecimals(ticks: number[]): number {
  if (ticks.length < 2) return 1;
  const step = Math.abs(ticks[1] - ticks[0]);
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/** Smallest 1-2-5 tick multiple at or above `x`, for about `target` ticks from 0 (an axis end that lands on a tick). */
export function niceCeil(x: number, target = 7): number {
  if (!(x > 0)) return 1;
  const raw = x / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return Number((Math.ceil(x / step - 1e-9) * step).toPrecision(12));
}
