import type { IrfAxis } from './IrfAxis.js';

export type InterpMethod = 'linear' | 'nearest';

/**
 * gammapy 1.0 `IRF.evaluate`: scipy `RegularGridInterpolator` over the axis centres in each axis' scale (log energy,
 * linear offset/migra/rad), linear extrapolation between the outermost centre and the outermost edge, 0 for a
 * coordinate outside the axis edges (`fill_value=0`), non-finite results → 0, negative results clipped to 0.
 * Axes with a single point are ignored, as gammapy does. `data` is flattened with the first axis fastest
 * (the FITS TDIM order of GADF tables).
 */
export class GridInterpolator {
  private readonly scaled: Float64Array[];
  private readonly strides: number[];
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly invalid: boolean[];
  private readonly idx: Int32Array;
  private readonly w: Float64Array;

  constructor(
    readonly axes: readonly IrfAxis[],
    readonly data: Float64Array,
    readonly opts: {
      method?: InterpMethod;
      fillOutside?: boolean;
      clip?: boolean;
      /** Which combinations of out-of-edges axes give 0 (default: any one); gammapy's `_mask_out_bounds`. */
      outside?: (invalid: readonly boolean[]) => boolean;
    } = {},
  ) {
    let n = 1;
    this.strides = axes.map((a) => {
      const s = n;
      n *= a.centers.length;
      return s;
    });
    if (data.length !== n) throw new RangeError(`IRF data has ${data.length} values, the axes need ${n}`);
    this.scaled = axes.map((a) => a.centers.map((c) => (a.scale === 'log' ? Math.log(c) : c)));
    const edges = axes.map((a) => a.edges ?? nodeEdges(a));
    this.lo = Float64Array.from(edges, (e) => e[0]);
    this.hi = Float64Array.from(edges, (e) => e[e.length - 1]);
    this.invalid = axes.map(() => false);
    this.idx = new Int32Array(axes.length);
    this.w = new Float64Array(axes.length);
  }

  /** Value at one coordinate per axis (same order as the axes). */
  at(coords: readonly number[]): number {
    const { axes, scaled, strides, data } = this;
    const nearest = this.opts.method === 'nearest';
    if (this.opts.fillOutside !== false) {
      const invalid = this.invalid;
      let any = false;
      for (let d = 0; d < axes.length; d++) {
        const x = coords[d];
        invalid[d] = !(x >= this.lo[d] && x <= this.hi[d]);
        any ||= invalid[d];
      }
      if (any && (this.opts.outside ? this.opts.outside(invalid) : true)) return 0;
    }
    // Per dimension: lower index and weight of the upper neighbour (may be <0 or >1: extrapolation).
    const { idx, w } = this;
    for (let d = 0; d < axes.length; d++) {
      const g = scaled[d];
      if (g.length === 1) {
        idx[d] = 0;
        w[d] = 0;
        continue;
      }
      const x = axes[d].scale === 'log' ? Math.log(coords[d]) : coords[d];
      let i = lowerIndex(g, x);
      let t = (x - g[i]) / (g[i + 1] - g[i]);
      if (nearest) {
        if (t > 0.5) i += 1;
        t = 0;
      }
      idx[d] = i;
      w[d] = t;
    }
    let v = 0;
    const corners = 1 << axes.length;
    for (let c = 0; c < corners; c++) {
      let weight = 1, off = 0;
      for (let d = 0; d < axes.length; d++) {
        const up = (c >> d) & 1;
        if (up && (w[d] === 0 || scaled[d].length === 1)) {
          weight = 0;
          break;
        }
        weight *= up ? w[d] : 1 - w[d];
        off += (idx[d] + up) * strides[d];
      }
      if (weight !== 0) v += weight * data[off];
    }
    if (!Number.isFinite(v)) return 0;
    return this.opts.clip === false ? v : Math.max(0, v);
  }
}

/** scipy's interval search: i with g[i] ≤ x < g[i+1], clamped to [0, n−2] (so outside points extrapolate). */
export function lowerIndex(g: Float64Array, x: number): number {
  const n = g.length;
  let a = 0, b = n - 2;
  if (!(x >= g[1])) return 0;
  while (a < b) {
    const m = (a + b + 1) >> 1;
    if (g[m] <= x) a = m;
    else b = m - 1;
  }
  return a;
}

/** Edges of a node axis (gammapy: half-way between nodes in the axis scale, half a step beyond the ends). */
export function nodeEdges(a: IrfAxis): Float64Array {
  const s = a.centers.map((c) => (a.scale === 'log' ? Math.log(c) : c));
  const n = s.length;
  const e = new Float64Array(n + 1);
  if (n === 1) {
    e[0] = -Infinity;
    e[1] = Infinity;
    return e;
  }
  for (let i = 1; i < n; i++) e[i] = (s[i - 1] + s[i]) / 2;
  e[0] = s[0] - (s[1] - s[0]) / 2;
  e[n] = s[n - 1] + (s[n - 1] - s[n - 2]) / 2;
  return a.scale === 'log' ? e.map(Math.exp) : e;
}
