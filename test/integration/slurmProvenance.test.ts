/**
 * Provenance (#9 §7) on the REAL test Slurm cluster: a job whose first DL2 attempt fails for one run, retried, then
 * DL3 and the index. results.json's provenance block must hold the lstchain version as the compute node's configured
 * environment reports it (the stand-in lstchain environment activated by `pipeline.setup`; the version exists nowhere
 * else), the Slurm job ids per stage and attempt exactly as sacct knows them, every DL3 file with the sha256 of the file
 * on the cluster, the model/IRF folders per run and the config's sha256; the summary carries the one provenance line;
 * nothing in the chat names a compute node, the login host or a path.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { HESS_FILE, World, latestJob, sacctJobs, squeueJobs, waitFinal } from '../helpers/slurmBot.js';

/** A version no default produces: it can only come from the environment the setup lines build on the node. */
const VERSION = '0.10.13.dev2+g7c1d9e0';
const NIGHT = '20231207';
const RUNS = [
  { night: NIGHT, runId: 1891, catalogName: 'Crab', hess: 23523 },
  { night: NIGHT, runId: 1892, catalogName: 'Crab', hess: 23526 },
];

let cluster: ClusterEnv;
let w: World;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

before(() => {
  cluster = ensureCluster();
  w = new World({
    cluster,
    runs: RUNS,
    // Exported by the setup lines on the node only (after the stand-in of `conda activate`), never in the bot's process.
    standinEnv: { ASTRAN_STANDIN_LSTCHAIN_VERSION: VERSION },
    // The first DL2 attempt fails for run 1892: the retry is a second Slurm job of the same stage.
    setupExtra: ['case "$SLURM_JOB_NAME" in *-dl1_to_dl2-a1) export ASTRAN_STANDIN_FAIL_RUNS=1892 ;; esac'],
  });
});

after(() => {
  const left = [1, 2].flatMap((i) => squeueJobs(`E-${String(w.firstSeq + i).padStart(4, '0')}`).map((j) => j.arrayId));
  if (left.length) execFileSync('scancel', left);
  w?.cleanup();
});

test('results.json provenance: lstchain version from the node, Slurm ids per stage/attempt as sacct has them, DL3 sha256, one summary line, no nodes or paths in chat', async () => {
  assert.equal(process.env.ASTRAN_STANDIN_LSTCHAIN_VERSION, undefined, 'the bot process must not know the version');
  const { bot, chat } = await w.bot();
  let job;
  try {
    await chat.say(`launch source=Crab date=${NIGHT}`);
    job = await waitFinal(bot, latestJob(bot)!.id, 180_000);
  } finally {
    await bot.stop();
  }
  const said = chat.text(job.thread!.key);
  assert.equal(job.state, 'done', said);
  const prov = JSON.parse(readFileSync(join(w.resultsDir, job.id, 'results.json'), 'utf8')).provenance;

  // The lstchain version, reported by every stage attempt's environment on its compute node.
  assert.equal(prov.tool.name, 'lstchain');
  assert.equal(prov.tool.version, VERSION, JSON.stringify(prov.tool));
  assert.deepEqual(
    prov.tool.reports.map((r: { stage: string; attempt: number; version: string }) => `${r.stage}/a${r.attempt}=${r.version}`),
    ['dl1_to_dl2/a1', 'dl1_to_dl2/a2', 'dl2_to_dl3/a1', 'dl3_index/a1'].map((k) => `${k}=${VERSION}`),
  );

  // Slurm job ids per stage and attempt: exactly the array jobs sacct knows for this job, and their outcome.
  const slurm = sacctJobs(job.id);
  const bySacct = new Map(slurm.map((j) => [j.name.replace(`astran-${job.id}-`, ''), j]));
  assert.deepEqual(
    prov.cluster_jobs.map((c: { stage: string; attempt: number; job_id: string; state: string }) => `${c.stage}-a${c.attempt}=${c.job_id}:${c.state}`),
    ['dl1_to_dl2-a1', 'dl1_to_dl2-a2', 'dl2_to_dl3-a1', 'dl3_index-a1'].map((k) => `${k}=${bySacct.get(k)?.arrayId}:${k === 'dl1_to_dl2-a1' ? 'failed' : 'completed'}`),
    JSON.stringify(slurm),
  );
  assert.equal(slurm.length, 4, 'no Slurm job of this ASTRAN job is missing from the provenance');
  assert.ok(bySacct.get('dl1_to_dl2-a1')!.states.includes('FAILED'), JSON.stringify(slurm));
  assert.ok(bySacct.get('dl1_to_dl2-a2')!.states.every((s) => s === 'COMPLETED'));

  // Every DL3 file: size and sha256 of the file on the cluster (the stand-in's byte copy of the real H.E.S.S. file).
  const dl3 = (r: number) => join(w.dl3Dir(NIGHT, 'Crab_Nebula'), `dl3_LST-1.Run0${r}.fits.gz`);
  assert.deepEqual(
    prov.inputs_dl3.map((f: { run_id: number; file: string; size: number; sha256: string }) => [f.run_id, f.file, f.size, f.sha256]),
    RUNS.map((r) => [r.runId, `dl3_LST-1.Run0${r.runId}.fits.gz`, readFileSync(dl3(r.runId)).length, sha(dl3(r.runId))]),
  );
  for (const r of RUNS) assert.equal(sha(dl3(r.runId)), sha(HESS_FILE(r.hess)));

  // Model and IRF folders per run (the Crab's declination line), the effective commands, the config file's hash.
  for (const r of prov.runs) {
    assert.equal(r.dec_line, 'dec_2276');
    assert.equal(r.models_dir, join(w.base, 'models', 'dec_2276'));
    assert.equal(r.irf_dir, join(w.base, 'irf', 'dec_2276'));
    assert.deepEqual(r.stages_run, ['dl1_to_dl2', 'dl2_to_dl3', 'dl3_index']);
  }
  const dl2Cmd = prov.stage_commands.find((s: { stage: string }) => s.stage === 'dl1_to_dl2');
  assert.deepEqual(dl2Cmd.tasks.map((t: { runs: number[] }) => t.runs), [[1891], [1892]]);
  assert.ok(dl2Cmd.tasks.every((t: { argv: string[] }) => t.argv.includes(join(w.base, 'models', 'dec_2276'))));
  assert.ok(prov.stage_commands.find((s: { stage: string }) => s.stage === 'dl2_to_dl3').tasks.every((t: { argv: string[] }) => t.argv.includes('--final-irf-file')));
  assert.equal(prov.config_sha256, sha(w.configFile));
  assert.equal(prov.timings.stages.length, 4);
  for (const s of prov.timings.stages) assert.ok(s.submitted && s.done && s.done >= s.submitted, JSON.stringify(s));

  // One provenance line in the summary.
  assert.match(said, new RegExp(`Provenance: lstchain ${VERSION.replace(/[.+]/g, '\\$&')} · models dec_2276 · ASTRAN \\d+\\.\\d+\\.\\d+( \\([0-9a-f]{7}\\))? · config ${prov.config_sha256.slice(0, 8)} · 2 DL3 files sha256-recorded\\.`), said);

  // Compute nodes, hosts and paths stay out of the chat (all of the job's thread, not only the summary).
  const nodes = execFileSync('sinfo', ['-h', '-o', '%N'], { encoding: 'utf8' }).trim().split(/[\s,]+/).filter(Boolean);
  for (const name of [...nodes, hostname(), cluster.host]) assert.doesNotMatch(said, new RegExp(`\\b${name.replace(/[.]/g, '\\.')}\\b`), `"${name}" in the chat`);
  assert.doesNotMatch(said, /\/tmp\/|\/fefs\/|astran-e2e|lstchain-env|probe\.out/, said);
});
