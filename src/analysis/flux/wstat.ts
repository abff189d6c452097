/**
 * WStat (Poisson ON and OFF, background profiled), as gammapy 1.0 `gammapy.stats.wstat` with its corner cases.
 * stat = −2 ln L (+ goodness-of-fit terms that do not depend on the model).
 */

/** The background that maximises the likelihood for a given signal (gammapy `get_wstat_mu_bkg`). */
export function wstatMuBkg(nOn: number, nOff: number, alpha: number, muSig: number): number {
  const c = alpha * (nOn + nOff) - (1 + alpha) * muSig;
  const d = Math.sqrt(c * c + 4 * alpha * (alpha + 1) * nOff * muSig);
  return (c + d) / (2 * alpha * (alpha + 1));
}

/** WStat of one bin with the background profiled (gammapy `wstat(..., extra_terms=True)`). */
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

/**
 * First and second derivative of the profiled WStat of one bin with respect to the signal μ
 * (envelope theorem for the first; the second through dμ_bkg/dμ of the closed-form profile).
 */
export function wstatDerivatives(nOn: number, nOff: number, alpha: number, muSig: number): { d1: number; d2: number } {
  const b = wstatMuBkg(nOn, nOff, alpha, muSig);
  const lam = muSig + alpha * b;
  const d1 = 2 * (1 - (nOn === 0 ? 0 : nOn / lam));
  const a2 = 2 * alpha * (alpha + 1);
  const c = alpha * (nOn + nOff) - (1 + alpha) * muSig;
  const d = Math.sqrt(c * c + 2 * a2 * nOff * muSig);
  const dc = -(1 + alpha);
  const dd = d > 0 ? (c * dc + a2 * nOff) / d : Math.abs(dc);
  const db = (dc + dd) / a2;
  const d2 = nOn === 0 ? 0 : (2 * nOn * (1 + alpha * db)) / (lam * lam);
  return { d1, d2 };
}
