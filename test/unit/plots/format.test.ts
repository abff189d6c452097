import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRunsTable } from '../../../src/plots/formatRunsTable.js';
import { pickFonts } from '../../../src/plots/fonts.js';
import { projectTan, unprojectTan } from '../../../src/plots/gnomonic.js';
import { sqrtReference } from '../../../src/plots/renderSignificanceVsTime.js';
import { colorRange, linearTicks, niceCeil } from '../../../src/plots/colorScale.js';
import { raTicks, decTicks } from '../../../src/plots/skyGrid.js';
import { viridis } from '../../../src/plots/viridis.js';
import { nightsLabel, formatLivetime } from '../../../src/plots/format.js';
import { PlotError } from '../../../src/plots/PlotError.js';
import { makeSampleResult } from '../../helpers/sampleResult.js';
import type { AnalysisResult, RunResult } from '../../../src/analysis/types.js';

function run(p: Partial<RunResult>): RunResult {
  return {
    obs_id: 1,
    start: '2023-11-15T23:10:42.5Z',
    night: '20231115',
    livetime_s: 1200,
    zenith_deg: 10,
    n_events: 60000,
    n_on: 100,
    n_off: 150,
    alpha: 1 / 3,
    excess: 50,
    significance: 5.04,
    event_rate_hz: 50,
    excess_rate_per_min: 2.5,
    pointing: { ra: 83.6, dec: 22.4 },
    wobble_offset_deg: 0.4,
    on_radius_deg: 0.1414,
    file: '/x.fits.gz',
    ...p,
  };
}

test('formatRunsTable: exact aligned text for two runs', () => {
  const r = makeSampleResult();
  const small: AnalysisResult = {
    ...r,
    runs: [
      run({ obs_id: 2967, start: '2023-11-15T23:10:42.5Z', livetime_s: 1185, zenith_deg: 12.34, event_rate_hz: 53.27, n_on: 360, n_off: 367, excess: 237.67, significance: 14.23 }),
      run({ obs_id: 12968, start: '2023-11-16T01:02:03Z', livetime_s: 600, zenith_deg: null, event_rate_hz: 9.1, n_on: 7, n_off: 30, excess: -3, significance: NaN }),
    ],
    total: { n_runs: 2, livetime_s: 1785, n_events: 89250, n_on: 367, n_off: 397, alpha: 1 / 3, excess: 234.67, significance: 13.96, excess_rate_per_min: 7.9 },
  };
  const expected = [
    '  Run  Start (UTC)       Live [min]  Zd [°]  Rate [Hz]  N_on  N_off  Excess  Sig [σ]',
    '------------------------------------------------------------------------------------',
    ' 2967  2023-11-15 23:10        19.8    12.3       53.3   360    367   237.7     14.2',
    '12968  2023-11-16 01:02        10.0       -        9.1     7     30    -3.0      n/a',
    '------------------------------------------------------------------------------------',
    'Total  2 runs                  29.8               50.0   367    397   234.7     14.0',
  ].join('\n');
  assert.equal(formatRunsTable(small), expected);
});

test('formatRunsTable: no runs and a bad start time', () => {
  const r = makeSampleResult();
  assert.equal(formatRunsTable({ ...r, runs: [] }), 'No runs analysed.');
  const one = formatRunsTable({ ...r, runs: [run({ start: 'yesterday' })], total: { ...r.total, n_runs: 1 } });
  assert.match(one.split('\n')[2], /^ {4}1 {2}\? {10,}20\.0/);
  assert.match(one, /Total {2}1 run /);
});

test('pickFonts: prefers DejaVu, falls back to the sans for mono, fails clearly without fonts', () => {
  assert.deepEqual(pickFonts(['cmr10', 'DejaVu Sans Mono', 'DejaVu Sans']), { sans: 'DejaVu Sans', mono: 'DejaVu Sans Mono' });
  assert.deepEqual(pickFonts(['Liberation Sans']), { sans: 'Liberation Sans', mono: 'Liberation Sans' });
  assert.throws(() => pickFonts([]), (e) => e instanceof PlotError && /fonts-dejavu-core/.test(e.message));
  assert.throws(() => pickFonts(['cmr10', 'msam10']), PlotError);
});

test('gnomonic projection: known values and round trip', () => {
  const c = { ra: 83.633, dec: 22.0145 };
  assert.deepEqual(projectTan(c, c), { xi: 0, eta: 0 });
  const north = projectTan(c, { ra: c.ra, dec: c.dec + 1 })!;
  assert.ok(Math.abs(north.xi) < 1e-12);
  assert.ok(Math.abs(north.eta - (Math.tan(Math.PI / 180) * 180) / Math.PI) < 1e-9);
  const east = projectTan(c, { ra: c.ra + 1, dec: c.dec })!;
  assert.ok(east.xi > 0.9 && east.xi < 0.95, `east xi ${east.xi} ≈ cos(dec)`);
  for (const [xi, eta] of [
    [0.7, -0.3],
    [-1, 1],
    [0.01, 0.02],
  ]) {
    const p = unprojectTan(c, xi, eta);
    const q = projectTan(c, p)!;
    assert.ok(Math.abs(q.xi - xi) < 1e-9 && Math.abs(q.eta - eta) < 1e-9);
  }
  // Wraps RA across 0 and rejects the far hemisphere.
  assert.ok(Math.abs(unprojectTan({ ra: 0.2, dec: 0 }, 0.5, 0).ra - 0.7) < 1e-4);
  assert.ok(Math.abs(unprojectTan({ ra: 0.2, dec: 0 }, -0.5, 0).ra - 359.7) < 1e-4);
  assert.equal(projectTan(c, { ra: c.ra + 180, dec: -c.dec }), null);
});

test('sky axis ticks: nice RA/Dec values at the map edges, RA across 0 wraps', () => {
  const c = { ra: 83.633, dec: 22.0145 };
  const dec = decTicks(c, 1, 1);
  assert.deepEqual(dec.map((t) => t.label), ['21.5°', '22.0°', '22.5°', '23.0°']);
  for (const t of dec) assert.ok(Math.abs(unprojectTan(c, 1, t.at).dec - t.value) < 1e-9);
  const ra = raTicks(c, 1, -1);
  assert.deepEqual(ra.map((t) => t.label), ['83.0°', '83.5°', '84.0°', '84.5°']);
  for (const t of ra) assert.ok(Math.abs(unprojectTan(c, t.at, -1).ra - t.value) < 1e-9);
  assert.ok(ra[0].at < ra[ra.length - 1].at, 'RA increases with xi (east)');
  const wrap = raTicks({ ra: 0.1, dec: 0 }, 1, -1).map((t) => t.label);
  assert.ok(wrap.includes('0.0°') && wrap.includes('359.5°'), wrap.join(' '));
});

test('√t reference passes through the last finite point', () => {
  const pts = [
    { obs_id: 1, livetime_s: 1800, significance: 4, excess: 10 },
    { obs_id: 2, livetime_s: 3600, significance: 6, excess: 20 },
    { obs_id: 3, livetime_s: 5400, significance: NaN, excess: 0 },
  ];
  const ref = sqrtReference(pts, 4)!;
  const at = (x: number) => ref.find((p) => Math.abs(p.x - x) < 1e-9)!.y;
  assert.equal(at(0), 0);
  assert.ok(Math.abs(at(1) - 6) < 1e-9);
  assert.ok(Math.abs(at(4) - 12) < 1e-9);
  assert.equal(sqrtReference([], 1), null);
});

test('colour scale helpers', () => {
  assert.deepEqual(colorRange([0, 0, 0]), { vmin: 0, vmax: 1 });
  assert.deepEqual(colorRange([NaN, 2, -9, 7], -5), { vmin: -5, vmax: 7 });
  assert.deepEqual(colorRange([]), { vmin: 0, vmax: 1 });
  assert.deepEqual(linearTicks({ vmin: -3.5, vmax: 8.6 }), [-2, 0, 2, 4, 6, 8]);
  assert.equal(niceCeil(1.33), 1.4);
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
  assert.deepEqual(viridis(NaN), [68, 1, 84]);
});

test('labels: nights and livetime', () => {
  const r = makeSampleResult();
  assert.equal(nightsLabel(r), 'nights 20231115, 20231116');
  assert.equal(nightsLabel({ ...r, runs: r.runs.slice(0, 1) }), 'night 20231115');
  const many = r.runs.flatMap((x, i) => [{ ...x, night: `2023111${i}` }]);
  assert.equal(nightsLabel({ ...r, runs: many }), 'nights 20231110–20231113 (4)');
  assert.equal(nightsLabel({ ...r, runs: [] }), '');
  assert.equal(formatLivetime(1800), '30.0 min');
  assert.equal(formatLivetime(5400), '1.50 h');
});
