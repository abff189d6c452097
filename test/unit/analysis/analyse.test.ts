import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyse } from '../../../src/analysis/analyse.js';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisResult } from '../../../src/analysis/types.js';

const ref = JSON.parse(readFileSync('test/fixtures/gammapy/reference.json', 'utf8'));
const file = (id: number) => `test/fixtures/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_${String(id).padStart(6, '0')}.fits.gz`;

const cache = new Map<string, AnalysisResult>();
async function run(group: string, theta2Cut: number, offRegions: number): Promise<AnalysisResult> {
  const k = `${group}/${theta2Cut}/${offRegions}`;
  if (!cache.has(k)) {
    const g = ref.groups[group];
    cache.set(k, await analyse(g.obs_ids.map(file), { ...DEFAULT_ANALYSIS_OPTIONS, source: g.source, sourceName: group, theta2Cut, offRegions }));
  }
  return cache.get(k)!;
}

function relClose(a: number, b: number, rel: number, msg: string) {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-12), `${msg}: ${a} vs ${b}`);
}

for (const group of ['crab', 'pks2155']) {
  for (const c of ref.groups[group].cases) {
    test(`${group}: θ² < ${c.theta2_cut}, ${c.n_off_regions} OFF region(s) agree with gammapy regions`, async () => {
      const r = await run(group, c.theta2_cut, c.n_off_regions);
      assert.equal(r.runs.length, c.runs.length);
      for (const g of c.runs) {
        const mine = r.runs.find((x) => x.obs_id === g.obs_id)!;
        assert.ok(mine, `run ${g.obs_id}`);
        // Counts exactly; ±1 allowed only when gammapy saw events within 1e-4° of a region edge.
        const slack = g.n_near_edge > 0 ? 1 : 0;
        assert.ok(Math.abs(mine.n_on - g.n_on) <= slack, `N_on ${g.obs_id}: ${mine.n_on} vs ${g.n_on}`);
        assert.ok(Math.abs(mine.n_off - g.n_off) <= slack, `N_off ${g.obs_id}: ${mine.n_off} vs ${g.n_off}`);
        assert.equal(mine.alpha, g.alpha);
        if (mine.n_on === g.n_on && mine.n_off === g.n_off) {
          relClose(mine.significance, g.significance, 1e-6, `sig ${g.obs_id}`);
          relClose(mine.excess, g.excess, 1e-12, `excess ${g.obs_id}`);
        }
        assert.equal(mine.n_events, ref.groups[group].runs[String(g.obs_id)].n_events);
        relClose(mine.wobble_offset_deg, ref.groups[group].runs[String(g.obs_id)].wobble_offset_deg, 1e-9, 'wobble');
      }
      assert.equal(r.total.n_on, c.total.n_on);
      assert.equal(r.total.n_off, c.total.n_off);
      relClose(r.total.alpha, c.total.alpha, 1e-12, 'alpha total');
      relClose(r.total.significance, c.total.significance, 1e-6, 'sig total');
      relClose(r.total.excess, c.total.excess, 1e-12, 'excess total');
    });
  }

  test(`${group}: θ² table equals gammapy make_theta_squared_table`, async () => {
    const r = await run(group, 0.02, 3);
    const g = ref.groups[group].theta2;
    assert.deepEqual(r.theta2.edges_deg2, g.edges_deg2);
    assert.deepEqual(r.theta2.on, g.on);
    assert.deepEqual(r.theta2.off, g.off);
    assert.equal(r.theta2.alpha, 1);
    assert.ok(g.alpha.every((a: number) => a === 1));
  });

  test(`${group}: counts map equals gammapy WcsGeom TAN counts, pixel by pixel`, async () => {
    const r = await run(group, 0.02, 3);
    const g = ref.groups[group].counts_map;
    assert.equal(r.skymap.nx, g.nx);
    assert.equal(r.skymap.ny, g.ny);
    assert.equal(r.skymap.sum, g.sum);
    assert.equal(r.skymap.max, g.max);
    const expected = new Float64Array(g.nx * g.ny);
    for (const [iy, ix, n] of g.pixels) expected[iy * g.nx + ix] = n;
    assert.deepEqual(Array.from(r.skymap.counts), Array.from(expected));
  });
}

test('diagnostics: time order, nights, zenith, rates, cumulative significance', async () => {
  const r = await run('crab', 0.02, 3);
  assert.deepEqual(r.runs.map((x) => x.obs_id), [23523, 23526, 23559, 23592]);
  assert.deepEqual(r.runs.map((x) => x.night), ['20041204', '20041204', '20041206', '20041208']);
  assert.equal(r.runs[0].start, '2004-12-04T22:08:10.184Z');
  // Zenith from the header ALT_PNT (files read without the index): 90 − 41.3897890380338.
  assert.ok(Math.abs(r.runs[0].zenith_deg! - (90 - 41.3897890380338)) < 1e-9);
  assert.ok(Math.abs(r.runs[0].livetime_s - 1581.73681640625) < 1e-9);
  assert.ok(Math.abs(r.runs[0].event_rate_hz - 7613 / 1581.73681640625) < 1e-12);
  assert.ok(Math.abs(r.runs[0].excess_rate_per_min - r.runs[0].excess / (1581.73681640625 / 60)) < 1e-9);
  assert.equal(r.cumulative.length, 4);
  const last = r.cumulative[3];
  assert.equal(last.significance, r.total.significance);
  assert.ok(Math.abs(last.livetime_s - r.total.livetime_s) < 1e-9);
  assert.equal(r.cumulative[0].significance, r.runs[0].significance);
  for (let i = 1; i < 4; i++) assert.ok(r.cumulative[i].livetime_s > r.cumulative[i - 1].livetime_s);
  assert.ok(r.total.significance > 30);
  assert.equal(r.runs[0].on_radius_deg, Math.sqrt(0.02));
});

test('ring-background significance map peaks at the source, is near zero away from it', async () => {
  const r = await run('pks2155', 0.02, 3);
  const { nx, significance, excess } = r.skymap;
  let best = -Infinity, bestI = -1;
  for (let i = 0; i < significance.length; i++) if (significance[i] > best) [best, bestI] = [significance[i], i];
  const ix = bestI % nx, iy = Math.floor(bestI / nx);
  assert.ok(Math.abs(ix - 49.5) <= 2 && Math.abs(iy - 49.5) <= 2, `peak at ${ix},${iy}`);
  assert.ok(best > 50);
  assert.ok(excess[bestI] > 1000);
  // A corner pixel far from the source: no significant excess.
  assert.ok(Math.abs(significance[10 * nx + 10]) < 5);
  assert.match(r.skymap.method, /ring/);
});

test('energy cut reduces events consistently', async () => {
  const g = ref.groups.crab;
  const all = await run('crab', 0.02, 3);
  const hi = await analyse(g.obs_ids.map(file), { ...DEFAULT_ANALYSIS_OPTIONS, source: g.source, sourceName: 'crab', emin: 1, emax: 10 });
  assert.ok(hi.total.n_events < all.total.n_events && hi.total.n_events > 0);
  assert.ok(hi.total.n_on < all.total.n_on);
  assert.ok(hi.skymap.sum < all.skymap.sum);
  const lo = await analyse(g.obs_ids.map(file), { ...DEFAULT_ANALYSIS_OPTIONS, source: g.source, sourceName: 'crab', emax: 1 });
  const rest = await analyse(g.obs_ids.map(file), { ...DEFAULT_ANALYSIS_OPTIONS, source: g.source, sourceName: 'crab', emin: 10 });
  // [0,1) + [1,10) + [10,∞) partition the events.
  assert.equal(lo.total.n_events + hi.total.n_events + rest.total.n_events, all.total.n_events);
  assert.equal(lo.total.n_on + hi.total.n_on + rest.total.n_on, all.total.n_on);
});

test('RAD_MAX asked for on files without it: global cut and a warning', async () => {
  const g = ref.groups.crab;
  const r = await analyse([file(23523)], { ...DEFAULT_ANALYSIS_OPTIONS, source: g.source, sourceName: 'crab', useRadMax: true });
  assert.equal(r.runs[0].n_on, g.cases.find((c: { theta2_cut: number; n_off_regions: number }) => c.theta2_cut === 0.02 && c.n_off_regions === 3).runs[0].n_on);
  assert.ok(r.warnings.some((w) => /RAD_MAX/.test(w)));
});

test('observations from the data store feed analyse() directly (zenith from the obs-index)', async () => {
  const { openDataStore, listObservations } = await import('../../../src/analysis/DataStore.js');
  const obs = listObservations(openDataStore('test/fixtures/hess-dl3-dr1'), { position: ref.groups.crab.source, requireFile: true });
  const r = await analyse(obs.map((o) => ({ file: o.file!, zenith: o.zenith })), { ...DEFAULT_ANALYSIS_OPTIONS, source: ref.groups.crab.source, sourceName: 'Crab' });
  assert.deepEqual(r.runs.map((x) => x.zenith_deg), obs.map((o) => o.zenith));
  assert.equal(r.total.n_on, (await run('crab', 0.02, 3)).total.n_on);
});
