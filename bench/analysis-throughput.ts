/**
 * In-process throughput of the analysis hot loop (ON/OFF with 3 OFF regions + θ² histograms + counts map) on a
 * synthetic 10-million-event list, against a naive per-event implementation (spherical law of cosines with
 * Math.acos for every region, a TAN projection through trig per event) measured in the same run.
 * Run: node --import tsx bench/analysis-throughput.ts [nEvents]
 */
import { histEdges } from '../src/analysis/histEdges.js';
import { histBin, newAccumulator, runKernel, type KernelConfig } from '../src/analysis/kernel.js';
import { wobbleOffCenters } from '../src/analysis/geometry.js';

const N = Number(process.argv[2] ?? 10_000_000);
const D2R = Math.PI / 180, R2D = 180 / Math.PI;
const source = { ra: 83.63308, dec: 22.0145 };
const pointing = { ra: 83.63333, dec: 21.51444 };

// Synthetic events: Gaussian-ish cloud of 2° around the pointing plus a source blob (deterministic PRNG).
let seed = 42;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
const ra = new Float32Array(N), dec = new Float32Array(N), energy = new Float32Array(N);
for (let i = 0; i < N; i++) {
  const c = i % 10 === 0 ? source : pointing;
  const s = i % 10 === 0 ? 0.1 : 1.5;
  dec[i] = c.dec + gauss() * s;
  ra[i] = c.ra + (gauss() * s) / Math.cos(c.dec * D2R);
  energy[i] = 0.1 + rnd() * 10;
}

const cfg: KernelConfig = {
  source,
  pointing,
  offCenters: wobbleOffCenters(pointing, source, 3),
  mirror: wobbleOffCenters(pointing, source, 1)[0],
  radiusDeg: Math.sqrt(0.02),
  theta2Edges: histEdges(0, 0.4, 40),
  map: { nx: 100, ny: 100, binszDeg: 0.02 },
};

function fast() {
  const acc = newAccumulator(cfg);
  runKernel({ ra, dec, energy }, cfg, acc);
  return acc;
}

/** What one would write first: angles for every event and region with acos, trig TAN projection. */
function naive() {
  const acc = newAccumulator(cfg);
  const cosSep = (a1: number, d1: number, a2: number, d2: number) =>
    Math.acos(Math.min(1, Math.sin(d1 * D2R) * Math.sin(d2 * D2R) + Math.cos(d1 * D2R) * Math.cos(d2 * D2R) * Math.cos((a1 - a2) * D2R))) * R2D;
  const r = cfg.radiusDeg, edges = cfg.theta2Edges, norm = 40 / 0.4;
  const { nx, ny, binszDeg } = cfg.map;
  const b0 = source.dec * D2R;
  for (let i = 0; i < N; i++) {
    acc.nEvents++;
    const t = cosSep(ra[i], dec[i], source.ra, source.dec);
    if (t < r) acc.nOn++;
    for (const o of cfg.offCenters) if (cosSep(ra[i], dec[i], o.ra, o.dec) < r) acc.nOff++;
    const j = histBin(t * t, edges, norm);
    if (j >= 0) acc.theta2On[j]++;
    const tm = cosSep(ra[i], dec[i], cfg.mirror.ra, cfg.mirror.dec);
    const k = histBin(tm * tm, edges, norm);
    if (k >= 0) acc.theta2Off[k]++;
    const b = dec[i] * D2R, dl = (ra[i] - source.ra) * D2R;
    const cosc = Math.sin(b0) * Math.sin(b) + Math.cos(b0) * Math.cos(b) * Math.cos(dl);
    if (cosc <= 0) continue;
    const x = ((Math.cos(b) * Math.sin(dl)) / cosc) * R2D, y = ((Math.cos(b0) * Math.sin(b) - Math.sin(b0) * Math.cos(b) * Math.cos(dl)) / cosc) * R2D;
    const px = nx / 2 - x / binszDeg, py = ny / 2 + y / binszDeg;
    if (px >= 0 && px < nx && py >= 0 && py < ny) acc.counts[Math.floor(py) * nx + Math.floor(px)]++;
  }
  return acc;
}

function time<T>(f: () => T, reps: number): { best: number; out: T } {
  let best = Infinity, out!: T;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    out = f();
    best = Math.min(best, performance.now() - t);
  }
  return { best, out };
}

const f = time(fast, 5);
const n = time(naive, 3);
// Same physics: counts agree (up to events within rounding of a region edge).
const diff = Math.abs(f.out.nOn - n.out.nOn) + Math.abs(f.out.nOff - n.out.nOff);
const mapDiff = f.out.counts.reduce((s, v, i) => s + Math.abs(v - n.out.counts[i]), 0);
const fastRate = N / f.best / 1e3, naiveRate = N / n.best / 1e3;
console.log(`events: ${N}`);
console.log(`fast kernel : ${f.best.toFixed(1)} ms  ${fastRate.toFixed(1)} M events/s  (N_on ${f.out.nOn}, N_off ${f.out.nOff}, map sum ${f.out.counts.reduce((a, b) => a + b, 0)})`);
console.log(`naive       : ${n.best.toFixed(1)} ms  ${naiveRate.toFixed(1)} M events/s  (N_on ${n.out.nOn}, N_off ${n.out.nOff})`);
console.log(`count differences fast vs naive: regions ${diff}, map ${mapDiff}`);
console.log(`ratio fast/naive: ${(fastRate / naiveRate).toFixed(2)}x   goal ≥ 30 M events/s: ${fastRate >= 30 ? 'met' : 'NOT met'}`);
