import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const BIN = resolve(new URL('../../bin/astran.js', import.meta.url).pathname);

function astran(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ASTRAN_CONFIG: '' }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function pngSize(file: string): { w: number; h: number } {
  const b = readFileSync(file);
  assert.equal(b.subarray(1, 4).toString(), 'PNG', `${file} is a PNG`);
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

test('the main job on the embedded default: launch Crab 20041204 → real θ² and skymap, exit 0', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'astran-cli-'));
  const r = astran(['run', 'launch source=Crab date=20041204', '--out', 'out'], cwd);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /\*A-0001\* · Crab Nebula · night 20041204 · 2 run\(s\) \(23523, 23526\)/);
  // The numbers are the engine's (cross-checked against gammapy in the analysis tests); here: they reach the thread.
  const res = JSON.parse(readFileSync(join(cwd, 'out/A-0001/results.json'), 'utf8'));
  assert.equal(res.total.n_runs, 2);
  assert.ok(res.total.significance > 10, `Crab is detected (${res.total.significance}σ)`);
  assert.match(r.out, new RegExp(`\\*${res.total.significance.toFixed(1)}σ\\* \\(Li & Ma\\)`));
  assert.match(r.out, /H\.E\.S\.S\. DL3 public test data release 1/, 'the sample data licence attribution is printed');
  for (const f of ['theta2.png', 'skymap.png', 'significance_vs_time.png', 'runs.png']) {
    assert.ok(existsSync(join(cwd, 'out/A-0001', f)), f);
    assert.ok(pngSize(join(cwd, 'out/A-0001', f)).w >= 800);
  }
  // Provenance (#9 §7): the bundled DL3 files with their real checksums, and honestly no lstchain (no stage ran).
  const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
  const bundled = (run: number) => resolve(new URL('../fixtures/hess-dl3-dr1/data', import.meta.url).pathname, `hess_dl3_dr1_obs_id_0${run}.fits.gz`);
  assert.deepEqual(
    res.provenance.inputs_dl3.map((f: { run_id: number; sha256: string; size: number }) => [f.run_id, f.sha256, f.size]),
    [23523, 23526].map((r) => [r, sha(bundled(r)), readFileSync(bundled(r)).length]),
  );
  assert.deepEqual(res.provenance.tool, { name: 'lstchain', version: null, reports: [], note: 'no pipeline stage ran in this job: every DL3 file existed before it, so no pipeline tool ran' });
  assert.deepEqual(res.provenance.cluster_jobs, []);
  assert.match(r.out, /Provenance: no lstchain run \(DL3 files pre-existing\) · ASTRAN \d+\.\d+\.\d+/);
  assert.doesNotMatch(r.out, /hess-dl3-dr1|\/fixtures\//, 'no paths in the chat output');
  assert.ok(existsSync(join(cwd, 'astran.db')), 'jobs are kept in ./astran.db');
  // A second run gets the next job id from the same store.
  const r2 = astran(['run', 'status A-0001'], cwd);
  assert.equal(r2.code, 0);
  assert.match(r2.out, /State: done/);
});

test('a rejected request exits 2 with the helpful error on stdout and creates no job', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'astran-cli-'));
  const r = astran(['run', 'launch source=Crbb date=20041304'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.out, /Did you mean `Crab Nebula`\?/);
  assert.match(r.out, /month 13/);
  assert.ok(!existsSync(join(cwd, 'astran-out')) || readdirSync(join(cwd, 'astran-out')).length === 0);
});

test('check-config reports every problem with its path', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'astran-cli-'));
  const ok = astran(['check-config'], cwd);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /default\.yaml: OK/);
  const bad = join(cwd, 'bad.yaml');
  writeFileSync(bad, `bot: { max_nights: 0, colour: blue }\ndata: { base: /x, night_index: run_catalog }\npaths: { dl3: "{nope}/a", dl3_dir: /b }\nauth: { users: { "nobody": admin } }\npipeline:\n  stages:\n    - { name: s1, per: run, outputs: ["{dl3}"], command: [x, "{typo}"] }\n`);
  const r = astran(['check-config', bad], cwd);
  assert.equal(r.code, 1);
  assert.match(r.out, /bot\.max_nights: /);
  assert.match(r.out, /bot: Unrecognized key: "colour"|bot.*colour/);
  assert.match(r.out, /data\.run_catalog: required when night_index is run_catalog/);
  assert.match(r.out, /auth\.users\.nobody/);
});

test('serve: commands typed on stdin, thread follow-ups with `T1:`, exits when input ends and jobs are done', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'astran-serve-'));
  const r = spawnSync(process.execPath, [BIN, 'serve'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ASTRAN_CONFIG: '' },
    input: 'help\nlaunch source="PKS 2155-304" date=20060729\nT1: status\nnights source=Crab\n',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ASTRAN is listening \(console\)/);
  assert.match(r.stdout, /\/astran launch source=NAME[\s\S]*\/astran status \[JOB\]/, 'help lists the commands');
  assert.match(r.stdout, /\[T1 A-0001\] 🔭 \*A-0001\* · PKS 2155-304 · night 20060729 · 4 run\(s\)/);
  assert.match(r.stdout, /\[T1 A-0001\] ✅ \*A-0001\* done/);
  assert.match(r.stdout, /\*A-0001\* · PKS 2155-304 · night 20060729 · 4 run\(s\)[^\n]*\nState: /, 'status typed in thread T1 answers for its job');
  assert.match(r.stdout, /\*Crab Nebula\*: 4 runs in 3 nights/);
});
