/**
 * One axis of an IRF table, as gammapy 1.0 builds it from a GADF DL3 HDU (`MapAxis.from_table(format="gadf-dl3")`):
 * bin edges (or nodes when every LO equals its HI), a name, and the interpolation scale of its coordinate.
 */
export type AxisName = 'energy_true' | 'energy' | 'offset' | 'migra' | 'rad';
export type AxisScale = 'log' | 'lin';

export interface IrfAxis {
  name: AxisName;
  scale: AxisScale;
  /** Bin edges (n + 1 values) in TeV or deg; null for a node axis. */
  edges: Float64Array | null;
  /** Interpolation points (n values): bin centres (log or linear mean of the edges) or the nodes. */
  centers: Float64Array;
}

/** gammapy's bin centre: geometric mean for a log axis, arithmetic mean for a linear one. */
export function axisCenters(edges: ArrayLike<number>, scale: AxisScale): Float64Array {
  const n = edges.length - 1;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = scale === 'log' ? Math.sqrt(edges[i] * edges[i + 1]) : (edges[i] + edges[i + 1]) / 2;
  return c;
}

/** An axis from bin edges. */
export function edgesAxis(name: AxisName, scale: AxisScale, edges: ArrayLike<number>): IrfAxis {
  const e = Float64Array.from(edges);
  return { name, scale, edges: e, centers: axisCenters(e, scale) };
}

/**
 * numpy.logspace(log10(lo), log10(hi), n + 1) as gammapy's `MapAxis.from_energy_bounds(lo, hi, nbin=n)`:
 * exponents start + i·step, the last one exactly log10(hi).
 */
export function logEdges(lo: number, hi: number, n: number): Float64Array {
  const a = Math.log10(lo), b = Math.log10(hi);
  const step = (b - a) / n;
  const e = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) e[i] = Math.pow(10, i * step + a);
  e[n] = Math.pow(10, b);
  return e;
}

/** Index of the bin holding x (edges ascending, bins [lo, hi)), or -1 outside [first edge, last edge) (numpy.digitize). */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  const n = edges.length - 1;
  if (!(x >= edges[0] && x < edges[n])) return -1;
  let a = 0, b = n - 1;
  while (a < b) {
    const m = (a + b + 1) >> 1;
    if (edges[m] <= x) a = m;
    else b = m - 1;
  }
  return a;
}
