import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageSubmission } from '../../../../src/pipeline/ClusterBackend.js';
import { SlurmConfigSchema } from '../../../../src/pipeline/slurm/config.js';
import { buildJobScript, buildSbatchArgv } from '../../../../src/pipeline/slurm/jobScript.js';
import { stageWorkdir } from '../../../../src/pipeline/slurm/naming.js';
import { shellJoin } from '../../../../src/pipeline/slurm/shq.js';
import { StageSubmissionSchema } from '../../../../src/pipeline/slurm/submissionSchema.js';

// Golden files pin what ASTRAN sends to an LST-like cluster. Regenerate deliberately with ASTRAN_UPDATE_GOLDEN=1.
const GOLDEN = new URL('../../../fixtures/slurm/golden/', import.meta.url);
function golden(name: string, actual: string): void {
  const f = new URL(name, GOLDEN);
  if (process.env.ASTRAN_UPDATE_GOLDEN === '1') writeFileSync(f, actual);
  assert.equal(actual, readFileSync(f, 'utf8'), `golden ${name} differs`);
}

const cfg = SlurmConfigSchema.parse({
  host: 'cp01',
  user: 'lstanalyzer',
  known_hosts_path: '/etc/astran/known_hosts',
  remote_workdir: '/fefs/aswg/workspace/astran/jobs',
  partition: 'short',
  account: 'aswg',
  time: '02:00:00',
  memory: '16G',
  kill_on_invalid_dep: true,
});
const SETUP = ['source /fefs/aswg/software/conda/etc/profile.d/conda.sh', 'conda activate lstchain-v0.10'];
const DL1 = '/fefs/onsite/data/lst-pipe/LSTN-01/DL1/20231115/v0.10/tailcut84';
const DL2 = '/fefs/aswg/workspace/astran/A-0042/DL2';
const DL3 = '/fefs/aswg/workspace/astran/A-0042/DL3';
const runs = [1807, 1808, 1809];

const dl2: StageSubmission = {
  jobId: 'A-0042',
  stage: 'dl1_to_dl2',
  attempt: 1,
  setup: SETUP,
  env: { MPLBACKEND: 'Agg', NUMBA_CACHE_DIR: '/tmp/numba cache' },
  maxParallel: 2,
  tasks: runs.map((r, index) => ({
    index,
    runId: r,
    argv: ['lstchain_dl1_to_dl2', '-f', `${DL1}/dl1_LST-1.Run0${r}.h5`, '-p', '/fefs/aswg/data/models/AllSky/20230927_v0.10.4_crab_tuned', '-o', DL2],
    inputs: [`${DL1}/dl1_LST-1.Run0${r}.h5`],
    outputs: [`${DL2}/dl2_LST-1.Run0${r}.h5`],
  })),
};
const dl3: StageSubmission = {
  jobId: 'A-0042',
  stage: 'dl3',
  attempt: 2,
  setup: SETUP,
  dependsOn: ['4242'],
  // A retry of the failed task only: index 1 keeps its array index.
  tasks: [
    {
      index: 1,
      runId: 1808,
      argv: ['lstchain_create_dl3_file', '-d', `${DL2}/dl2_LST-1.Run01808.h5`, '-o', DL3, '-i', '/fefs/aswg/data/mc/IRF/AllSky/20230927_v0.10.4_crab_tuned/dec_2276', '--source-name', 'Crab Nebula', '--source-ra', '83.633deg', '--source-dec', '22.01deg', '--gzip', '--overwrite'],
      inputs: [`${DL2}/dl2_LST-1.Run01808.h5`],
      outputs: [`${DL3}/dl3_LST-1.Run01808.fits.gz`],
    },
  ],
};
const index: StageSubmission = {
  jobId: 'A-0042',
  stage: 'dl3_index',
  attempt: 1,
  setup: SETUP,
  dependsOn: ['4243', '4244'],
  tasks: [{ index: 0, runId: 0, argv: ['lstchain_create_dl3_index_files', '-d', DL3, '-o', DL3, '-p', 'dl3*.fits.gz', '--overwrite'], inputs: [], outputs: [`${DL3}/obs-index.fits.gz`] }],
};

for (const [name, sub] of [['dl1_to_dl2', dl2], ['dl3_retry', dl3], ['dl3_index', index]] as const) {
  test(`golden LST profile: ${name} job script and sbatch argv`, () => {
    StageSubmissionSchema.parse(sub);
    const wd = stageWorkdir(cfg.remote_workdir, sub);
    golden(`${name}.job.sh`, buildJobScript(sub, wd));
    golden(`${name}.sbatch.txt`, shellJoin(buildSbatchArgv(sub, cfg, wd)) + '\n');
  });
}

test('the generated script runs the chosen task argv literally (local bash, fake programs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-js-'));
  const evil = ["'; touch /tmp/astran-pwned-js #", '$(touch /tmp/astran-pwned-js)', '`touch /tmp/astran-pwned-js`', 'a\nb'];
  const sub: StageSubmission = {
    jobId: 'T-1',
    stage: 'x',
    attempt: 1,
    setup: ['PRINTER=printf # a trailing comment must not hide a failure'],
    env: { ODD: "it's $(x)" },
    tasks: [0, 1].map((i) => ({ index: i, runId: 100 + i, argv: ['bash', '-c', 'printf "%s\\0" "$ODD" "$@" > "$0"', join(dir, `out-${i}`), ...evil, `task${i}`], inputs: [], outputs: [] })),
  };
  const script = join(dir, 'job.sh');
  writeFileSync(script, buildJobScript(sub, dir));
  const r = spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /astran: task 1 run 101 start/);
  assert.deepEqual(readFileSync(join(dir, 'out-1'), 'utf8').split('\0').slice(0, -1), ["it's $(x)", ...evil, 'task1']);
  assert.equal(existsSync(join(dir, 'out-0')), false);
  assert.equal(existsSync('/tmp/astran-pwned-js'), false);
  const bad = spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '7' }, encoding: 'utf8' });
  assert.equal(bad.status, 97);
  // A failing setup line stops the task with 98 before the program runs.
  writeFileSync(script, buildJobScript({ ...sub, setup: ['false # comment'] }, dir));
  assert.equal(spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '0' } }).status, 98);
});

test('submissions with unsafe ids or empty tasks are refused before reaching the cluster', () => {
  const ok = dl2;
  assert.throws(() => StageSubmissionSchema.parse({ ...ok, jobId: "A'; rm -rf ~ #" }));
  assert.throws(() => StageSubmissionSchema.parse({ ...ok, stage: 'dl1-to-dl2' }));
  assert.throws(() => StageSubmissionSchema.parse({ ...ok, tasks: [] }));
  assert.throws(() => StageSubmissionSchema.parse({ ...ok, dependsOn: ['1;2'] }));
  assert.throws(() => StageSubmissionSchema.parse({ ...ok, env: { 'A B': 'x' } }));
  assert.throws(() => StageSubmissionSchema.parse({ ...ok, tasks: [ok.tasks[0], ok.tasks[0]] }));
});

test('config schema: strict, absolute work dir, token-like Slurm options', () => {
  assert.throws(() => SlurmConfigSchema.parse({ host: 'h', user: 'u', known_hosts_path: 'k', remote_workdir: 'rel/dir' }));
  assert.throws(() => SlurmConfigSchema.parse({ host: 'h', user: 'u', known_hosts_path: 'k', remote_workdir: '/a', partition: 'x y' }));
  assert.throws(() => SlurmConfigSchema.parse({ host: 'h', user: 'u', known_hosts_path: 'k', remote_workdir: '/a', typo: 1 }));
  assert.equal(SlurmConfigSchema.parse({ host: 'h', user: 'u', known_hosts_path: 'k', remote_workdir: '/a' }).port, 22);
});

test('outputs are atomic: a failed task leaves no final name (staged or not); a successful one has every file in place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-atomic-'));
  const out = join(dir, 'DL3');
  const staging = join(out, '.astran-tmp-k_T-1-x-7');
  // A tool that writes its output, plus a side file (like final_irf.fits.gz), then exits with $RC.
  const tool = (o: string) => ['bash', '-c', 'mkdir -p "$0" && printf half > "$0/dl3_7.fits.gz" && printf irf > "$0/final_irf.fits.gz" && exit "${RC:-0}"', o];
  const sub = (staged: boolean): StageSubmission => ({
    jobId: 'T-1',
    stage: 'x',
    attempt: 1,
    tasks: [{ index: 0, runId: 7, argv: tool(staged ? staging : out), inputs: [], outputs: [join(out, 'dl3_7.fits.gz')], ...(staged ? { staging } : {}) }],
  });
  const script = join(dir, 'job.sh');
  const runIt = (rc: number) => spawnSync('bash', [script], { cwd: dir, env: { ...process.env, SLURM_ARRAY_TASK_ID: '0', RC: String(rc) }, encoding: 'utf8' });

  writeFileSync(script, buildJobScript(sub(true), dir));
  assert.equal(runIt(3).status, 3);
  assert.equal(existsSync(join(out, 'dl3_7.fits.gz')), false, 'the partial file stays in the staging folder');
  const ok = runIt(0);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(readFileSync(join(out, 'dl3_7.fits.gz'), 'utf8'), 'half');
  assert.equal(readFileSync(join(out, 'final_irf.fits.gz'), 'utf8'), 'irf', 'side files are moved along');
  assert.equal(existsSync(staging), false, 'staging folder removed');

  // Exit 0 without the declared output: the task fails (95) instead of passing as done.
  const silent = { ...sub(true), tasks: [{ ...sub(true).tasks[0], argv: ['true'] }] };
  writeFileSync(script, buildJobScript(silent, dir));
  const r = runIt(0);
  assert.equal(r.status, 95);
  assert.match(r.stderr, /ended without writing dl3_7\.fits\.gz/);

  // Not staged (a tool that must write in place): a failure moves what it wrote to .partial.
  writeFileSync(script, buildJobScript(sub(false), dir));
  assert.equal(runIt(3).status, 3);
  assert.equal(existsSync(join(out, 'dl3_7.fits.gz')), false);
  assert.equal(readFileSync(join(out, 'dl3_7.fits.gz.partial'), 'utf8'), 'half');
});
