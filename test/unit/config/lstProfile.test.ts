/**
 * The LST profile (config/lst.yaml): it loads and validates, and the Slurm job scripts and sbatch command lines it
 * produces for a sample night are pinned by golden files. Regenerate deliberately with ASTRAN_UPDATE_GOLDEN=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkConfig, loadConfig } from '../../../src/bot/config.js';
import { planStages, dl3Paths, stageSubmission, type PlannedTask } from '../../../src/pipeline/PipelinePlan.js';
import type { StageConfig } from '../../../src/pipeline/config.js';
import type { StageSubmission } from '../../../src/pipeline/ClusterBackend.js';
import { SlurmConfigSchema } from '../../../src/pipeline/slurm/config.js';
import { buildJobScript, buildSbatchArgv } from '../../../src/pipeline/slurm/jobScript.js';
import { stageWorkdir } from '../../../src/pipeline/slurm/naming.js';
import { shellJoin } from '../../../src/pipeline/slurm/shq.js';
import { StageSubmissionSchema } from '../../../src/pipeline/slurm/submissionSchema.js';

const PROFILE = fileURLToPath(new URL('../../../config/lst.yaml', import.meta.url));
const GOLDEN = new URL('../../fixtures/slurm/golden-lst/', import.meta.url);

function golden(name: string, actual: string): void {
  const f = new URL(name, GOLDEN);
  if (process.env.ASTRAN_UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(f, actual);
  }
  assert.equal(actual, readFileSync(f, 'utf8'), `golden ${name} differs (regenerate with ASTRAN_UPDATE_GOLDEN=1 if intended)`);
}

const loaded = loadConfig(PROFILE);
const { config } = loaded;

/** The submission exactly as JobRunner.submit builds it from a stage plan (with the profile's lstchain version probe). */
function submission(jobId: string, stage: StageConfig, tasks: PlannedTask[], attempt: number, setup: string[]): StageSubmission {
  return stageSubmission(jobId, stage, tasks, attempt, setup, config.pipeline.version_probe?.command);
}
const crab = loaded.sources.resolve('Crab')!;
const subject = { source: crab.name, ra: crab.ra, dec: crab.dec, runs: [16042, 16043, 16045].map((runId) => ({ runId, night: '20231207', decLine: 'dec_2276' })) };
const plans = planStages(config, loaded.base, subject);
const slurm = SlurmConfigSchema.parse(config.backends.slurm);

test('the LST profile passes check-config and uses the LST layout, Slurm and a run catalog', () => {
  assert.deepEqual(checkConfig(PROFILE), []);
  assert.equal(config.pipeline.backend, 'slurm');
  assert.equal(loaded.base, '/fefs/onsite/data/lst-pipe/LSTN-01');
  assert.equal(config.data.night_index, 'run_catalog');
  assert.equal(config.data.run_catalog, '{base}/monitoring/RunCatalog/RunCatalog_{night}.ecsv');
  assert.deepEqual(plans.map((p) => `${p.stage.name}:${p.stage.per}:${p.tasks.length}`), ['dl1_to_dl2:run:3', 'dl2_to_dl3:run:3', 'dl3_index:night:1']);
  assert.equal(plans[0].tasks[0].inputs[0], '/fefs/onsite/data/lst-pipe/LSTN-01/DL1/20231207/v0.10/tailcut84/dl1_LST-1.Run16042.h5');
  // ASTRAN's own products live in its workspace; the production tree is read-only for it.
  assert.deepEqual(dl3Paths(config, loaded.base, subject)[1], '/fefs/aswg/workspace/astran/data/DL3/20231207/v0.10/tailcut84/std_cuts/Crab_Nebula/dl3_LST-1.Run16043.fits.gz');
  assert.ok(config.data.read_only_roots.includes('{base}'));
  for (const p of plans) for (const t of p.tasks) for (const f of [...t.outputs, ...t.mkdirs]) assert.ok(f.startsWith('/fefs/aswg/workspace/astran/data/'), f);
  assert.ok(plans[0].tasks[0].inputs[0].startsWith('/fefs/onsite/data/lst-pipe/LSTN-01/DL1/'), 'DL1 read from the production tree');
  // Each stage's outputs are the next stage's inputs, so a rerun skips what exists.
  assert.deepEqual(plans[0].tasks.map((t) => t.outputs[0]), plans[1].tasks.map((t) => t.inputs[0]));
  assert.ok(config.pipeline.setup.some((l) => /conda activate/.test(l)));
});

test('lstchain argv: coordinates with units, gzip, the index pattern that matches .fits.gz', () => {
  const dl3 = plans[1].tasks[0].argv;
  assert.equal(dl3[0], 'lstchain_create_dl3_file');
  assert.equal(dl3[dl3.indexOf('--source-ra') + 1], '83.63308deg');
  assert.equal(dl3[dl3.indexOf('--source-dec') + 1], '22.01450deg');
  assert.equal(dl3[dl3.indexOf('--source-name') + 1], 'Crab_Nebula');
  assert.ok(dl3.includes('--gzip') && dl3.includes('--overwrite'));
  const idx = plans[2].tasks[0].argv;
  assert.equal(idx[idx.indexOf('-p') + 1], 'dl3*.fits.gz');
  assert.equal(idx[idx.indexOf('-d') + 1], idx[idx.indexOf('-o') + 1]);
});

for (const [i, attempt] of [[0, 1], [1, 1], [2, 1]] as const) {
  const plan = plans[i];
  test(`golden LST profile: ${plan.stage.name} job script and sbatch argv`, () => {
    const sub = submission('L-0042', plan.stage, plan.tasks, attempt, config.pipeline.setup);
    StageSubmissionSchema.parse(sub);
    const wd = stageWorkdir(slurm.remote_workdir, sub);
    const script = buildJobScript(sub, wd);
    const sbatch = buildSbatchArgv(StageSubmissionSchema.parse(sub) as StageSubmission, slurm, wd);
    golden(`${plan.stage.name}.job.sh`, script);
    golden(`${plan.stage.name}.sbatch.txt`, shellJoin(sbatch) + '\n');
    // Stage resources override the backend defaults; output folders are created by the script.
    assert.ok(sbatch.includes(`--time=${plan.stage.time}`) && sbatch.includes(`--mem=${plan.stage.memory}`), sbatch.join(' '));
    for (const d of sub.mkdirs!) assert.ok(script.includes(d), `script creates ${d}`);
  });
}

test('a retry resubmits only the failed run, keeping its array index', () => {
  const retry = submission('L-0042', plans[0].stage, [plans[0].tasks[1]], 2, config.pipeline.setup);
  const wd = stageWorkdir(slurm.remote_workdir, retry);
  golden('dl1_to_dl2_retry.sbatch.txt', shellJoin(buildSbatchArgv(retry, slurm, wd)) + '\n');
  assert.match(buildJobScript(retry, wd), /\n {2}1\) run=16043; staging=/);
});
