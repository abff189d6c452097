import { wstat, wstatDerivatives } from './wstat.js';

/** One reconstructed-energy bin of one run in a fit: counts, α, and the predicted signal per unit amplitude. */
export interface FitBin {
  nOn: number;
  nOff: number;
  alpha: number;
  /** Predicted signal counts for amplitude 1 (cm⁻² s⁻¹ TeV⁻¹). */
  perAmplitude: number;
}

export interface AmplitudeFit {
  amplitude: number;
  /** 1σ from the curvature: sqrt(2 / d²stat/dA²) (stat = −2 ln L). */
  error: number;
  stat: number;
}

function totals(bins: readonly FitBin[], a: number): { stat: number; d1: number; d2: number } {
  let stat = 0, d1 = 0, d2 = 0;
  for (const b of bins) {
    const mu = a * b.perAmplitude;
    stat += wstat(b.nOn, b.nOff, b.alpha, mu);
    const d = wstatDerivatives(b.nOn, b.nOff, b.alpha, mu);
    d1 += d.d1 * b.perAmplitude;
    d2 += d.d2 * b.perAmplitude * b.perAmplitude;
  }
  return { stat, d1, d2 };
}

/**
 * Maximum-likelihood amplitude of a fixed-shape model over all bins (runs × safe bins) with the WStat likelihood
 * (background profiled per bin), and its 1σ error from the curvature. The profiled WStat is convex in the
 * amplitude; the minimum is bracketed and found by safeguarded Newton steps on the derivative.
 * Null when nothing constrains the amplitude (no bins, or no predicted signal).
 */
export function fitAmplitude(bins: readonly FitBin[]): AmplitudeFit | null {
  const used = bins.filter((b) => b.perAmplitude > 0);
  if (used.length === 0) return null;
  const s = used.reduce((x, b) => x + b.perAmplitude, 0);
  const excess = used.reduce((x, b) => x + b.nOn - b.alpha * b.nOff, 0);
  const valid = (a: number) => Number.isFinite(totals(used, a).d1);
  // Bracket [lo, hi] with d1(lo) < 0 < d1(hi).
  let hi = Math.max(excess, 1) / s;
  for (let i = 0; i < 200 && !(totals(used, hi).d1 > 0); i++) hi *= 2;
  let lo = 0;
  if (!(totals(used, 0).d1 < 0)) {
    // Negative excess: the best amplitude is below 0, above where the model turns invalid (ON mean ≤ 0).
    let step = hi;
    lo = -step;
    for (let i = 0; i < 200 && valid(lo) && !(totals(used, lo).d1 < 0); i++) {
      step *= 2;
      lo = -step;
    }
    if (!valid(lo) || !(totals(used, lo).d1 < 0)) {
      let good = 0, bad = lo;
      for (let i = 0; i < 200; i++) {
        const m = (good + bad) / 2;
        if (valid(m) && totals(used, m).d1 < 0) {
          lo = m;
          break;
        }
        if (valid(m)) good = m;
        else bad = m;
        lo = good;
      }
      if (!(totals(used, lo).d1 < 0)) {
        const t = totals(used, lo);
        return { amplitude: lo, error: t.d2 > 0 ? Math.sqrt(2 / t.d2) : NaN, stat: t.stat };
      }
    }
    hi = 0;
  }
  let a = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const t = totals(used, a);
    if (t.d1 > 0) hi = a;
    else lo = a;
    let next = t.d2 > 0 ? a - t.d1 / t.d2 : NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - a) <= 1e-13 * Math.max(Math.abs(a), 1e-300) || hi - lo <= 1e-13 * Math.abs(hi)) {
      a = next;
      break;
    }
    a = next;
  }
  const t = totals(used, a);
  return { amplitude: a, error: t.d2 > 0 ? Math.sqrt(2 / t.d2) : NaN, stat: t.stat };
}
