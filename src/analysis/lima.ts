/**
 * Li & Ma (1983) eq. 17 significance, signed with the excess, computed exactly as gammapy 1.0's
 * `WStatCountsStatistic(n_on, n_off, alpha).sqrt_ts`: sqrt(clip(wstat(μ_sig=0) − wstat(μ_sig=excess), 0)) × sign(excess),
 * including gammapy's handling of N_on = 0 and N_off = 0.
 */

// The one WStat implementation (gammapy.stats.wstat, extra_terms=True), shared with the flux fit.
import { wstat } from './flux/wstat.js';

/** Signed Li & Ma significance (gammapy WStatCountsStatistic.sqrt_ts). */
export function liMaSignificance(nOn: number, nOff: number, alpha: number): number {
  const excess = nOn - alpha * nOff;
  const ts = wstat(nOn, nOff, alpha, 0) - wstat(nOn, nOff, alpha, excess);
  const clipped = ts > 0 ? ts : 0;
  // np.sign(0) is 0; NaN ts (not reachable with α > 0) would propagate as in numpy.
  return Math.sign(excess) * Math.sqrt(clipped);
}

/** Stacked α: Σα_i·N_off,i / ΣN_off,i, or the mean α when there are no OFF counts at all. */
export function stackedAlpha(parts: { alpha: number; nOff: number }[]): number {
  let num = 0, den = 0, sum = 0;
  for (const p of parts) {
    num += p.alpha * p.nOff;
    den += p.nOff;
    sum += p.alpha;
  }
  if (den > 0) return num / den;
  return parts.length ? sum / parts.length : 1;
}
