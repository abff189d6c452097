import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { offsetBy, positionAngleDeg, separationDeg, tanProject, tanUnproject, unitVector, wobbleOffCenters } from '../../../src/analysis/geometry.js';

const ref = JSON.parse(readFileSync('test/fixtures/gammapy/reference.json', 'utf8'));

function close(a: number, b: number, tol: number, msg?: string) {
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} vs ${b}`);
}

test('separation, position angle and offset-by agree with astropy', () => {
  assert.ok(ref.geometry.length >= 8);
  for (const g of ref.geometry) {
    const [ra1, de1] = g.a, [ra2, de2] = g.b;
    close(separationDeg(ra1, de1, ra2, de2), g.separation_deg, 1e-12, 'sep');
    if (g.separation_deg > 0) close(positionAngleDeg(ra1, de1, ra2, de2), g.position_angle_deg, 1e-9, 'pa');
    const o = offsetBy(ra1, de1, 37, 1.3);
    close(o.ra, g.offset_pa37_sep1p3[0], 1e-10, 'offset ra');
    close(o.dec, g.offset_pa37_sep1p3[1], 1e-10, 'offset dec');
  }
});

test('simple cases: poles, RA wrap, antipodes, PA quadrants', () => {
  close(separationDeg(359.5, 0, 0.5, 0), 1, 1e-12);
  close(separationDeg(0, 0, 180, 0), 180, 1e-12);
  close(separationDeg(10, 90, 250, 90), 0, 1e-12);
  close(positionAngleDeg(0, 0, 0, 1), 0, 1e-12); // north
  close(positionAngleDeg(0, 0, 1, 0), 90, 1e-12); // east
  close(positionAngleDeg(0, 0, 0, -1), 180, 1e-12);
  close(positionAngleDeg(0, 0, 359, 0), 270, 1e-12);
  const n = offsetBy(30, 89.5, 0, 1);
  close(n.dec, 89.5, 1e-9); // over the pole
  close(n.ra, 210, 1e-9);
});

test('offset-by then separation/position angle round trip', () => {
  for (const [ra, dec] of [[83.6, 22], [329.7, -30.2], [0.1, -89], [359.9, 45]]) {
    for (const pa of [0, 45, 135, 200, 359]) {
      for (const sep of [0.001, 0.5, 1.5, 40]) {
        const o = offsetBy(ra, dec, pa, sep);
        close(separationDeg(ra, dec, o.ra, o.dec), sep, 1e-9);
        const back = positionAngleDeg(ra, dec, o.ra, o.dec);
        close(Math.min(Math.abs(back - pa), 360 - Math.abs(back - pa)), 0, 1e-6, `pa ${pa}`);
      }
    }
  }
});

test('wobble OFF centres match the gammapy reference positions', () => {
  const crab = ref.groups.crab;
  for (const c of crab.cases) {
    for (const r of c.runs) {
      const run = crab.runs[String(r.obs_id)];
      const offs = wobbleOffCenters({ ra: run.ra_pnt, dec: run.dec_pnt }, crab.source, c.n_off_regions);
      assert.equal(offs.length, c.n_off_regions);
      offs.forEach((o, k) => {
        close(separationDeg(o.ra, o.dec, r.off_centers[k].ra, r.off_centers[k].dec), 0, 1e-9);
        // All OFF centres are at the source's distance from the pointing.
        close(separationDeg(run.ra_pnt, run.dec_pnt, o.ra, o.dec), run.wobble_offset_deg, 1e-9);
      });
    }
  }
  // n = 1 is the mirror position: pointing is the midpoint.
  const m = wobbleOffCenters({ ra: 83.633, dec: 21.514 }, { ra: 83.633, dec: 22.014 }, 1)[0];
  close(m.ra, 83.633, 1e-9);
  close(m.dec, 21.014, 1e-9);
});

test('TAN projection round trips and has the expected orientation', () => {
  for (const [ra0, dec0] of [[83.63, 22.01], [329.7, -30.2], [0.2, 0], [120, 88]]) {
    for (const [dx, dy] of [[0, 0], [0.7, -0.3], [-1.2, 1.1], [3, 2]]) {
      const p = tanUnproject(ra0, dec0, dx, dy);
      const q = tanProject(ra0, dec0, p.ra, p.dec)!;
      close(q.x, dx, 1e-10);
      close(q.y, dy, 1e-10);
    }
  }
  const east = tanProject(83, 22, 83.1, 22)!;
  assert.ok(east.x > 0 && Math.abs(east.y) < 1e-3);
  const north = tanProject(83, 22, 83, 22.1)!;
  assert.ok(north.y > 0);
  close(north.x, 0, 1e-12);
  // Small-angle: projected radius ≈ separation.
  const p = tanProject(83, 22, 83.3, 22.4)!;
  close(Math.hypot(p.x, p.y), separationDeg(83, 22, 83.3, 22.4), 1e-4);
  assert.equal(tanProject(0, 0, 180, 0), null);
});

test('unit vectors are unit length and dot products give the separation', () => {
  const a = unitVector(83.6, 22), b = unitVector(84.1, 21.5);
  close(Math.hypot(...a), 1, 1e-15);
  const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  close((Math.acos(dot) * 180) / Math.PI, separationDeg(83.6, 22, 84.1, 21.5), 1e-9);
});
