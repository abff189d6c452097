/** Uniform bin edges exactly as numpy.linspace(lo, hi, nbins + 1) (so θ² bins match gammapy bit for bit). */
export function histEdges(lo: number, hi: number, nbins: number): Float64Array {
  const e = new Float64Array(nbins + 1);
  const step = (hi - lo) / nbins;
  for (let i = 0; i <= nbins; i++) e[i] = i * step + lo;
  e[nbins] = hi;
  return e;
}
