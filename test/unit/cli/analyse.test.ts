import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAnalyse as run } from '../../helpers/runAnalyse.js';

const ref = JSON.parse(readFileSync('test/fixtures/gammapy/reference.json', 'utf8'));
const DIR = resolve('test/fixtures/hess-dl3-dr1');


test('--json: one document with runs, total, θ², counts map and images, matching gammapy', async () => {
  const files = ref.groups.crab.obs_ids.map((id: number) => join(DIR, 'data', `hess_dl3_dr1_obs_id_0${id}.fits.gz`));
  const r = await run([...files, '--source', 'crab', '--json', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  const g = ref.groups.crab.cases.find((c: { theta2_cut: number; n_off_regions: number }) => c.theta2_cut === 0.02 && c.n_off_regions === 3);
  assert.deepEqual(doc.runs.map((x: { n_on: number }) => x.n_on), g.runs.map((x: { n_on: number }) => x.n_on));
  assert.deepEqual(doc.runs.map((x: { n_off: number }) => x.n_off), g.runs.map((x: { n_off: number }) => x.n_off));
  for (const k of ['obs_id', 'livetime_s', 'n_events', 'n_on', 'n_off', 'alpha', 'excess', 'significance']) assert.ok(k in doc.runs[0], k);
  for (const k of ['n_runs', 'livetime_s', 'n_events', 'n_on', 'n_off', 'alpha', 'excess', 'significance']) assert.ok(k in doc.total, k);
  assert.equal(doc.total.n_runs, 4);
  assert.ok(Math.abs(doc.total.significance - g.total.significance) < 1e-6 * g.total.significance);
  assert.deepEqual(doc.theta2.on, ref.groups.crab.theta2.on);
  assert.equal(doc.theta2.edges_deg2.length, 41);
  assert.deepEqual([doc.counts_map.nx, doc.counts_map.ny, doc.counts_map.binsz_deg, doc.counts_map.sum, doc.counts_map.max], [100, 100, 0.02, 7317, 21]);
  assert.deepEqual(doc.images, []);
  assert.equal(doc.source.name, 'Crab Nebula');
});

test('a data-store folder: select by source name (alias, any case), skip absent files with a warning, night filter', async () => {
  const r = await run([DIR, '--source', 'pks2155', '--date', '20060729', '--off-regions', '1', '--theta2-cut', '0.0125', '--json', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.runs.map((x: { obs_id: number }) => x.obs_id), [33787, 33788, 33789, 33790]);
  const g = ref.groups.pks2155.cases.find((c: { theta2_cut: number; n_off_regions: number }) => c.theta2_cut === 0.0125 && c.n_off_regions === 1);
  assert.equal(doc.total.n_on, g.total.n_on);
  assert.equal(doc.total.n_off, g.total.n_off);
  assert.match(r.err, /skipped \d+ run\(s\) listed in the index whose file is absent/);
  assert.ok(doc.warnings.some((w: string) => /absent/.test(w)));
  assert.ok(!r.err.includes(DIR), 'no paths in messages');
});

test('without a source, the runs’ common OBJECT/RA_OBJ/DEC_OBJ is used; mixed targets are refused', async () => {
  const ok = await run([DIR, '--runs', '33787,33788', '--json', '--no-plots']);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(JSON.parse(ok.out).source.name, 'PKS 2155-304');
  const mixed = await run([DIR, '--runs', '33787,23523', '--no-plots']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.err, /give --source or --ra\/--dec/);
});

test('human summary table, --out writes analysis.json, plots via deps.renderPlots unless --no-plots', async () => {
  const out = mkdtempSync(join(tmpdir(), 'astran-cli-'));
  try {
    let called = 0;
    const renderPlots = async (_r: unknown, dir: string) => {
      called++;
      const p = join(dir, 'theta2.png');
      writeFileSync(p, 'png');
      return [p];
    };
    const r = await run([DIR, '--source', 'Crab Nebula', '--out', out], { renderPlots });
    assert.equal(r.code, 0, r.err);
    assert.equal(called, 1);
    assert.match(r.out, /Source: Crab Nebula/);
    assert.match(r.out, /23523 .* 238 +97 /);
    assert.match(r.out, /total +4 run\(s\)/);
    assert.match(r.out, /image: .*theta2\.png/);
    assert.ok(existsSync(join(out, 'analysis.json')));
    const j = await run([DIR, '--source', 'crab', '--json', '--out', out], { renderPlots });
    assert.deepEqual(JSON.parse(j.out).images, [join(out, 'theta2.png')]);
    await run([DIR, '--source', 'crab', '--no-plots'], { renderPlots });
    assert.equal(called, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('invalid flags exit 2 with a specific message', async () => {
  const cases: [string[], RegExp][] = [
    [[DIR, '--theta2-cut', 'abc'], /--theta2-cut must be a number/],
    [[DIR, '--theta2-cut', '-1'], /--theta2-cut must be > 0/],
    [[DIR, '--off-regions', '6'], /--off-regions must be an integer from 1 to 5/],
    [[DIR, '--off-regions', '2.5'], /--off-regions must be an integer from 1 to 5/],
    [[DIR, '--date', '2024-03-04'], /--date must be YYYYMMDD/],
    [[DIR, '--date', '20240310..20240301'], /first ≤ last/],
    [[DIR, '--runs', '12,abc'], /--runs must be a comma-separated list/],
    [[DIR, '--ra', '400', '--dec', '0'], /--ra must be in \[0, 360\)/],
    [[DIR, '--ra', '10'], /--ra and --dec go together/],
    [[DIR, '--source', 'crab', '--ra', '1', '--dec', '2'], /either --source or --ra\/--dec/],
    [[DIR, '--emin', '5', '--emax', '1'], /--emin must be below --emax/],
    [[DIR, '--frobnicate'], /unknown option --frobnicate/],
    [[DIR, '--source'], /--source needs a value/],
    [[DIR, '--json', '--json'], /--json given twice/],
    [['--json'], /at least one DL3 directory or file/],
    [[DIR, '--source', 'crabb'], /unknown source "crabb" \(did you mean "Crab Nebula"\?\)/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, re, argv.join(' '));
    assert.equal(r.out, '');
  }
});

test('unreadable input exits 1 naming the file, no path or stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-bad-'));
  try {
    const p = join(dir, 'run.fits');
    writeFileSync(p, 'SIMPLE  = nonsense');
    const r = await run([p, '--source', 'crab']);
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot read run\.fits: /);
    assert.ok(!r.err.includes(dir) && !/\bat \S+:\d+/.test(r.err));
    const none = await run([DIR, '--source', 'crab', '--date', '20200101']);
    assert.equal(none.code, 1);
    assert.match(none.err, /no runs match/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing plot renderer does not lose the numbers', async () => {
  const renderPlots = async () => {
    const e = new Error('no font available');
    e.name = 'PlotError';
    throw e;
  };
  const r = await run([DIR, '--source', 'crab', '--json'], { renderPlots });
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.total.n_on, 876);
  assert.deepEqual(doc.images, []);
  assert.ok(doc.warnings.includes('plots could not be made: no font available'));
  assert.match(r.err, /plots could not be made: no font available/);
});

test('files named on the command line are filtered by --runs and --date as they are read, each run once', async () => {
  const files = [23523, 23526, 23559].map((id) => join(DIR, 'data', `hess_dl3_dr1_obs_id_0${id}.fits.gz`));
  const r = await run([...files, files[0], '--source', 'crab', '--runs', '23523,23559,99', '--json', '--no-plots']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.runs.map((x: { obs_id: number }) => x.obs_id), [23523, 23559]);
  assert.match(r.err, /run\(s\) not found: 99/);
  assert.ok(doc.warnings.includes('run(s) not found: 99'));
  const none = await run([...files, '--source', 'crab', '--date', '20200101', '--json']);
  assert.equal(none.code, 1);
  assert.match(none.err, /no runs match/);
});

test('--no-flux: the same numbers without the flux', async () => {
  const files = [23523, 23526].map((id) => join(DIR, 'data', `hess_dl3_dr1_obs_id_0${id}.fits.gz`));
  const a = await run([...files, '--source', 'crab', '--json', '--no-plots']);
  const b = await run([...files, '--source', 'crab', '--json', '--no-plots', '--no-flux']);
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  const da = JSON.parse(a.out), db = JSON.parse(b.out);
  assert.ok(da.total.flux, 'the flux is there by default');
  assert.equal(db.total.flux, undefined);
  assert.deepEqual(db.runs.map((r: { n_on: number; n_off: number }) => [r.n_on, r.n_off]), da.runs.map((r: { n_on: number; n_off: number }) => [r.n_on, r.n_off]));
  assert.equal(db.total.significance, da.total.significance);
});
