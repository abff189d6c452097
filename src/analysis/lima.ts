/**
 * Li & Ma (1983) eq. 17 significance, signed with the excess, computed exactly as gammapy 1.0's
 * `WStatCountsStatistic(n_on, n_off, alpha).sqrt_ts`: sqrt(clip(wstat(μ_sig=0) − wstat(μ_sig=excess), 0)) × sign(excess),
 * including gammapy's handling of N_on = 0 and N_off = 0.
 */

function wstatMuBkg(nOn: number, nOff: number, alpha: number, muSig: number): number {
  const C = alpha * (nOn + nOff) - (1 + alpha) * muSig;
  const D = Math.sqrt(C * C + 4 * alpha * (alpha + 1) * nOff * muSig);
  return (C + D) / (2 * alpha * (alpha + 1));
}

/** gammapy.stats.wstat with extra_terms=True. */
export function wstat(nOn: number, nOff: number, alpha: number, muSig: number): number {
  const muBkg = wstatMuBkg(nOn, nOff, alpha, muSig);
  const term1 = muSig + (1 + alpha) * muBkg;
  const term2 = nOn === 0 ? 0 : -nOn * Math.log(muSig + alpha * muBkg);
  const term3 = nOff === 0 ? 0 : -nOff * Math.log(muBkg);
  let gof = 0;
  if (nOn !== 0) gof += -nOn * (1 - Math.log(nOn));
  if (nOff !== 0) gof += -nOff * (1 - Math.log(nOff));
  return 2 * (term1 + term2 + term3) + 2 * gof;
}

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
