/**
 * The chain mode (pipeline.submission: chain) end to end on the REAL services: `astran serve` launches a job whose
 * three stages go to Slurm at once; run 1952's first stage fails once (leaving a half-written file in its staging
 * folder); the bot is SIGKILLed right after the second stage's sbatch, before its Slurm id is recorded (ASTRAN_CRASH_AT);
 * a restarted bot adopts that array by name, submits the rest of the chain, retries the failed task and re-points its
 * waiting dependent. Asserted by count: one Slurm array per (stage, attempt), one summary, no partial output used,
 * nothing left pending. (The stage-by-stage mode's restart: slurmPipeline.test.ts; the chain's other crash points:
 * crashRecovery.test.ts, which runs in chain mode.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJobStore } from '../../src/store/SqliteJobStore.js';
import { formatJobId } from '../../src/store/jobIds.js';
import { silentLogger } from '../../src/log.js';
import { analyse } from '../../src/analysis/analyse.js';
import { analysisOptions } from '../../src/orchestrator/analysisStep.js';
import { ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { HESS_FILE, World, sacctJobs, squeueJobs } from '../helpers/slurmBot.js';
import { launch, restartToTheEnd, serve } from '../helpers/astranServe.js';

let cluster: ClusterEnv;
let w: World | undefined;
let once: string | undefined;
const crab = (runId: number, hess: number) => ({ night: '20231207', runId, catalogName: 'Crab', hess });
const count = (text: string, re: RegExp) => text.match(new RegExp(re.source, 'g'))?.length ?? 0;

before(() => {
  cluster = ensureCluster();
});

after(() => {
  if (w) {
    const left = squeueJobs(formatJobId('E', w.firstSeq + 1)).map((j) => j.arrayId);
    if (left.length) execFileSync('scancel', left);
    w.cleanup();
  }
  if (once) rmSync(once, { recursive: true, force: true });
});

describe('chain mode on the real cluster', { concurrency: false }, () => {
  test('whole chain at launch; a failing task retried with its dependent re-pointed; SIGKILL after an sbatch: adopted, nothing twice, no partial used', async () => {
    // Every tool and run has "already failed once" except dl1_to_dl2 of run 1952.
    once = mkdtempSync('/tmp/astran-once-');
    for (const tool of ['lstchain_dl1_to_dl2', 'lstchain_create_dl3_file', 'lstchain_create_dl3_index_files'])
      for (const run of [1951, 1952]) if (!(tool === 'lstchain_dl1_to_dl2' && run === 1952)) writeFileSync(join(once, `${tool}.Run0${run}.failed-once`), 'x');
    execFileSync('chown', ['-R', cluster.user, once]);
    w = new World({
      cluster,
      runs: [crab(1951, 23523), crab(1952, 23526)],
      console: true,
      submission: 'chain',
      standinEnv: { ASTRAN_STANDIN_FAIL_ONCE_DIR: once, ASTRAN_STANDIN_PARTIAL_OUTPUT: '1' },
      // The first attempt of the first stage outlives the crash and the restart.
      setupExtra: ['case "$SLURM_JOB_NAME" in *-dl1_to_dl2-a1) export ASTRAN_STANDIN_SLEEP_MS=8000 ;; esac'],
    });
    const jobId = formatJobId('E', w.firstSeq + 1);
    const first = serve(w, 'after_sbatch@dl2_to_dl3');
    await launch(first);
    const end = await first.exited;
    assert.equal(end.signal, 'SIGKILL', first.out());
    const s1 = new SqliteJobStore({ path: w.dbPath, prefix: 'E', log: silentLogger });
    try {
      const subs = s1.submissions(jobId).map((s) => `${s.stage}#${s.attempt}:${s.state}:${s.backendRef ? 'ref' : 'none'}`);
      // The second stage went to Slurm while the first one's attempt was still unsettled: a chain, not one by one.
      assert.deepEqual(subs, ['dl1_to_dl2#1:submitted:ref', 'dl2_to_dl3#1:submitting:none'], 'killed between the second sbatch and its record');
    } finally {
      s1.close();
    }
    const second = await restartToTheEnd(w);
    const said = first.out() + second.out();
    const store = new SqliteJobStore({ path: w.dbPath, prefix: 'E', log: silentLogger });
    try {
      const job = store.getJob(jobId)!;
      assert.equal(job.state, 'done', said);
      const events = store.events(jobId);
      assert.ok(events.some((e) => e.kind === 'adopted' && /dl2_to_dl3 attempt 1/.test(e.message)), 'the unrecorded array was adopted by name');
      assert.ok(events.some((e) => e.kind === 'repointed' && /dl2_to_dl3: 1 waiting task/.test(e.message)), events.map((e) => `${e.kind}: ${e.message}`).join('\n'));
      // The index waits on the cluster for the whole DL3 array (the adopted one), run 1952's retry for nothing.
      const sent = (stage: string, attempt: number) => events.find((e) => e.kind === 'submitted' && e.message.startsWith(`${stage} attempt ${attempt} `))?.data as { deps?: { dependsOn?: string[] } } | undefined;
      const dl3Ref = store.submissions(jobId).find((s) => s.stage === 'dl2_to_dl3')!.backendRef!;
      assert.deepEqual(sent('dl3_index', 1)?.deps, { dependsOn: [dl3Ref] });
      assert.equal(sent('dl1_to_dl2', 2)?.deps, undefined);
      const subs = store.submissions(jobId).map((s) => `${s.stage}#${s.attempt}:${s.state}`).sort();
      assert.deepEqual(subs, ['dl1_to_dl2#1:failed', 'dl1_to_dl2#2:completed', 'dl2_to_dl3#1:completed', 'dl3_index#1:completed']);
      // The same numbers as the engine on the original files: the half-written DL2 was not used downstream.
      const loaded = w.load();
      const expected = await analyse([HESS_FILE(23523), HESS_FILE(23526)], analysisOptions(loaded.config, job, loaded.sources.resolve('Crab')!));
      const total = (job.result as { total: { n_on: number; significance: number } }).total;
      assert.equal(total.n_on, expected.total.n_on);
      assert.equal(total.significance, expected.total.significance);
    } finally {
      store.close();
    }
    const dl2 = join(w.workspace, 'DL2', '20231207', 'v0.10', 'tailcut84', 'nsb_tuning_0.14', 'dl2_LST-1.Run01952.h5');
    assert.notEqual(readFileSync(dl2, 'utf8'), 'PARTIAL');
    // One Slurm array per (stage, attempt); the dependent of the failed run was re-pointed, not submitted again.
    const jobs = sacctJobs(jobId);
    assert.deepEqual(jobs.map((j) => j.name.replace(`astran-${jobId}-`, '')).sort(), ['dl1_to_dl2-a1', 'dl1_to_dl2-a2', 'dl2_to_dl3-a1', 'dl3_index-a1'], JSON.stringify(jobs));
    assert.deepEqual(jobs.find((j) => j.name.endsWith('-dl2_to_dl3-a1'))!.states, ['COMPLETED', 'COMPLETED']);
    assert.deepEqual(jobs.find((j) => j.name.endsWith('-dl1_to_dl2-a2'))!.states, ['COMPLETED'], 'the retry is run 1952 alone');
    assert.deepEqual(squeueJobs(jobId), [], 'nothing left on the queue');
    assert.equal(count(said, /✅ \*E-\d+\* done · /), 1, said);
    assert.equal(count(said, /🔁 dl1_to_dl2: 1 task\(s\) failed \(run 1952/), 1, said);
    assert.equal(count(said, /▶️ dl1_to_dl2/), 1, said);
    assert.equal(count(said, /✅ dl3_index done/), 1, said);
  });
});
