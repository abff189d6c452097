import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histEdges } from '../../../src/analysis/histEdges.js';
import { newAccumulator, runKernel, type KernelConfig } from '../../../src/analysis/kernel.js';
import { separationDeg, tanProject, wobbleOffCenters } from '../../../src/analysis/geometry.js';

/** Reference: per event angles with the Vincenty separation, θ² histogram by division, map by TAN projection. */
function reference(ra: Float64Array, dec: Float64Array, cfg: KernelConfig) {
  const r = { nOn: 0, nOff: 0, on: new Array(40).fill(0), off: new Array(40).fill(0), counts: new Array(cfg.map.nx * cfg.map.ny).fill(0) };
  for (let i = 0; i < ra.length; i++) {
    const t = separationDeg(ra[i], dec[i], cfg.source.ra, cfg.source.dec);
    if (t < cfg.radiusDeg) r.nOn++;
    for (const o of cfg.offCenters) if (separationDeg(ra[i], dec[i], o.ra, o.dec) < cfg.radiusDeg) r.nOff++;
    const tm = separationDeg(ra[i], dec[i], cfg.mirror.ra, cfg.mirror.dec);
    if (t * t <= 0.4) r.on[Math.min(39, Math.floor((t * t) / 0.01))]++;
    if (tm * tm <= 0.4) r.off[Math.min(39, Math.floor((tm * tm) / 0.01))]++;
    const p = tanProject(cfg.source.ra, cfg.source.dec, ra[i], dec[i]);
    if (!p) continue;
    const px = cfg.map.nx / 2 - p.x / cfg.map.binszDeg, py = cfg.map.ny / 2 + p.y / cfg.map.binszDeg;
    if (px >= 0 && px < cfg.map.nx && py >= 0 && py < cfg.map.ny) r.counts[Math.floor(py) * cfg.map.nx + Math.floor(px)]++;
  }
  return r;
}

const cases = [
  { name: 'Crab-like', source: { ra: 83.633, dec: 22.014 }, pointing: { ra: 83.633, dec: 21.514 } },
  { name: 'RA wrap at 0/360', source: { ra: 0.2, dec: -10 }, pointing: { ra: 359.7, dec: -10.1 } },
  { name: 'near the pole', source: { ra: 40, dec: 88.9 }, pointing: { ra: 220, dec: 89.6 } },
  { name: 'large wobble', source: { ra: 200, dec: 5 }, pointing: { ra: 201.5, dec: 5.2 } },
];

for (const c of cases) {
  test(`kernel equals the per-event reference: ${c.name}`, () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    const n = 60000;
    const ra = new Float64Array(n), dec = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Half near the source / OFF regions, half over a wide field (incl. far-away events, other side of the sky).
      const wide = i % 2 === 0;
      const s = wide ? 3 : 0.6;
      const base = i % 4 === 1 ? c.source : c.pointing;
      dec[i] = Math.max(-90, Math.min(90, base.dec + (rnd() - 0.5) * 2 * s));
      ra[i] = (((base.ra + ((rnd() - 0.5) * 2 * s) / Math.max(0.05, Math.cos((base.dec * Math.PI) / 180))) % 360) + 360) % 360;
      if (i % 1000 === 0) [ra[i], dec[i]] = [(c.pointing.ra + 180) % 360, -c.pointing.dec];
    }
    const cfg: KernelConfig = {
      source: c.source, pointing: c.pointing, offCenters: wobbleOffCenters(c.pointing, c.source, 3), mirror: wobbleOffCenters(c.pointing, c.source, 1)[0],
      radiusDeg: Math.sqrt(0.02), theta2Edges: histEdges(0, 0.4, 40), map: { nx: 100, ny: 100, binszDeg: 0.02 },
    };
    const acc = newAccumulator(cfg);
    runKernel({ ra, dec }, cfg, acc);
    const ref = reference(ra, dec, cfg);
    assert.ok(ref.nOn > 50 && ref.nOff > 50, `test data reaches the regions (${ref.nOn}, ${ref.nOff})`);
    assert.equal(acc.nEvents, n);
    assert.equal(acc.nOn, ref.nOn);
    assert.equal(acc.nOff, ref.nOff);
    assert.deepEqual(Array.from(acc.theta2On), ref.on);
    assert.deepEqual(Array.from(acc.theta2Off), ref.off);
    assert.deepEqual(Array.from(acc.counts), ref.counts);
  });
}

test('energy cut and per-event radius', () => {
  const cfg: KernelConfig = {
    source: { ra: 10, dec: 10 }, pointing: { ra: 10, dec: 9.5 }, offCenters: [{ ra: 10, dec: 9 }], mirror: { ra: 10, dec: 9 },
    radiusDeg: 0.1, radiusForEnergy: (e) => (e < 1 ? 0.05 : 0.3), maxRadiusDeg: 0.3, emin: 0.5, emax: 5,
    theta2Edges: histEdges(0, 0.4, 40), map: { nx: 10, ny: 10, binszDeg: 0.1 },
  };
  const acc = newAccumulator(cfg);
  // at 0.2° from the source: energies 0.3 (cut), 0.7 (r = 0.05: out), 2 (r = 0.3: in), 7 (cut)
  runKernel({ ra: [10, 10, 10, 10, 10], dec: [10.2, 10.2, 10.2, 10.2, 9.1], energy: [0.3, 0.7, 2, 7, 2] }, cfg, acc);
  assert.equal(acc.nEvents, 3);
  assert.equal(acc.nOn, 1);
  assert.equal(acc.nOff, 1);
  assert.throws(() => runKernel({ ra: [1], dec: [1] }, cfg, newAccumulator(cfg)));
});

test('sinSmall matches Math.sin to 1e-11 on [-π/2, π/2]', async () => {
  const { sinSmall } = await import('../../../src/analysis/kernel.js');
  let worst = 0;
  for (let i = 0; i <= 200000; i++) {
    const x = -Math.PI / 2 + (Math.PI * i) / 200000;
    worst = Math.max(worst, Math.abs(sinSmall(x) - Math.sin(x)));
  }
  assert.ok(worst < 1e-11, `max error ${worst}`);
});
