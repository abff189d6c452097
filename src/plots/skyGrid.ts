import type { SkyPosition } from '../analysis/types.js';
import { unprojectTan } from './gnomonic.js';

/** Steps tried for coordinate ticks (deg), smallest first. */
const NICE_STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 90];

/** A step giving 3..7 ticks over `span` deg, and the decimals its labels need. */
export function niceStep(span: number, target = 5): { step: number; decimals: number } {
  const step = NICE_STEPS.find((s) => span / s <= target + 1) ?? 90;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9) + (String(step).includes('.25') ? 1 : 0));
  return { step, decimals };
}

/** RA relative to the centre, unwrapped to (−180, 180], so ranges across RA = 0 stay continuous. */
export function relRa(center: SkyPosition, ra: number): number {
  let d = (ra - center.ra) % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

/** Solve f(t) = target for t in [a, b] by bisection (f monotonic on the interval); null when not bracketed. */
export function bisect(f: (t: number) => number, target: number, a: number, b: number): number | null {
  let fa = f(a) - target;
  const fb = f(b) - target;
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Math.sign(fa) === Math.sign(fb)) return null;
  let lo = a;
  let hi = b;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid) - target;
    if (Math.sign(fm) === Math.sign(fa)) {
      lo = mid;
      fa = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface AxisTick {
  /** Plane coordinate (xi for RA ticks, eta for Dec ticks), deg. */
  at: number;
  /** Coordinate value of the grid line (RA unwrapped around the centre, or Dec), deg. */
  value: number;
  label: string;
}

/**
 * Ticks where lines of constant RA cross the bottom edge (eta = etaEdge), and lines of constant
 * Dec cross the left edge (xi = xiEdge), for a map spanning |xi| <= halfW, |eta| <= halfH.
 */
export function raTicks(center: SkyPosition, halfW: number, etaEdge: number): AxisTick[] {
  const f = (xi: number) => relRa(center, unprojectTan(center, xi, etaEdge).ra);
  const a = f(-halfW);
  const b = f(halfW);
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const { step, decimals } = niceStep(hi - lo);
  const out: AxisTick[] = [];
  for (let v = Math.ceil((center.ra + lo) / step) * step; v <= center.ra + hi + 1e-9; v += step) {
    const xi = bisect(f, v - center.ra, -halfW, halfW);
    if (xi === null) continue;
    const ra = ((v % 360) + 360) % 360;
    out.push({ at: xi, value: v, label: `${ra.toFixed(decimals)}°` });
  }
  return out;
}

export function decTicks(center: SkyPosition, halfH: number, xiEdge: number): AxisTick[] {
  const f = (eta: number) => unprojectTan(center, xiEdge, eta).dec;
  const lo = Math.min(f(-halfH), f(halfH));
  const hi = Math.max(f(-halfH), f(halfH));
  const { step, decimals } = niceStep(hi - lo);
  const out: AxisTick[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
    const eta = bisect(f, v, -halfH, halfH);
    if (eta === null) continue;
    out.push({ at: eta, value: v, label: `${v.toFixed(decimals)}°` });
  }
  return out;
}
