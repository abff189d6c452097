/**
 * Issue 12's proof on the REAL services: the real bot process (`astran serve`) is SIGKILLed at named points and the
 * cluster's daemons (sshd, slurmctld, slurmdbd) are stopped for longer than every timeout. Everything is asserted by
 * count: exactly one Slurm array per (stage, attempt), exactly one final summary per job, no partial output used,
 * the user told once per outage and once per recovery.
 *
 * Named crash points are the ASTRAN_CRASH_AT hook of src/util/crashPoint.ts (the process SIGKILLs itself at that
 * exact step); "mid-stage" and "during a failing task" are a SIGKILL from outside while the cluster works.
 * (The mail-burst kill case is in the e-mail tests.) These run in the default `pipeline.submission: chain` mode (every
 * stage on the cluster from the launch); chainRecovery.test.ts adds a retry with a re-pointed dependent to a kill.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJobStore } from '../../src/store/SqliteJobStore.js';
import { formatJobId } from '../../src/store/jobIds.js';
import { silentLogger } from '../../src/log.js';
import { analyse } from '../../src/analysis/analyse.js';
import { analysisOptions } from '../../src/orchestrator/analysisStep.js';
import { SLURM_SH, ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { HESS_FILE, World, latestJob, sacctJobs, squeueJobs, waitFinal, waitUntil } from '../helpers/slurmBot.js';
import { launch, restartToTheEnd, serve } from '../helpers/astranServe.js';

let cluster: ClusterEnv;
const worlds: World[] = [];
const scratch: string[] = [];
function world(o: Omit<ConstructorParameters<typeof World>[0], 'cluster'>): World {
  const w = new World({ cluster, ...o });
  worlds.push(w);
  return w;
}
const crab = (runId: number, hess: number) => ({ night: '20231207', runId, catalogName: 'Crab', hess });

before(() => {
  cluster = ensureCluster();
});

after(() => {
  const left = worlds.flatMap((w) => [1, 2].flatMap((i) => squeueJobs(formatJobId('E', w.firstSeq + i)).map((j) => j.arrayId)));
  if (left.length) execFileSync('scancel', left);
  for (const w of worlds) w.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function storeOf(w: World) {
  return new SqliteJobStore({ path: w.dbPath, prefix: 'E', log: silentLogger });
}

const count = (text: string, re: RegExp) => text.match(new RegExp(re.source, 'g'))?.length ?? 0;

/** Exactly one Slurm array per (stage, attempt) of the job, and these names. */
function assertOneArrayPerAttempt(jobId: string, expected: string[]): void {
  const jobs = sacctJobs(jobId);
  const names = jobs.map((j) => j.name.replace(`astran-${jobId}-`, '')).sort();
  assert.deepEqual(names, [...expected].sort(), JSON.stringify(jobs));
}

const ALL_A1 = ['dl1_to_dl2-a1', 'dl2_to_dl3-a1', 'dl3_index-a1'];
const SUMMARY = /✅ \*E-\d+\* done · /;

describe('ASTRAN killed and starved of its cluster: nothing lost, nothing twice, nobody fooled', { concurrency: false }, () => {
  test('SIGKILL between sbatch and recording the Slurm id: the array is found by name and adopted, never submitted twice', async () => {
    const w = world({ runs: [crab(1901, 23523), crab(1902, 23526)], console: true });
    const jobId = formatJobId('E', w.firstSeq + 1);
    const first = serve(w, 'after_sbatch@dl1_to_dl2');
    await launch(first);
    const end = await first.exited;
    assert.equal(end.signal, 'SIGKILL', first.out());
    const store = storeOf(w);
    try {
      const sub = store.submissions(jobId).find((s) => s.stage === 'dl1_to_dl2')!;
      assert.deepEqual([sub.state, sub.backendRef], ['submitting', null], 'the crash hit before the Slurm id was recorded');
    } finally {
      store.close();
    }
    assert.equal(sacctJobs(jobId).length + squeueJobs(jobId).length > 0, true, 'but sbatch had run');
    const second = await restartToTheEnd(w);
    const said = first.out() + second.out();
    const s2 = storeOf(w);
    try {
      assert.equal(s2.getJob(jobId)!.state, 'done', said);
      assert.ok(s2.events(jobId).some((e) => e.kind === 'adopted'), 'adopted by name');
    } finally {
      s2.close();
    }
    assertOneArrayPerAttempt(jobId, ALL_A1);
    assert.equal(count(said, SUMMARY), 1, said);
    assert.equal(count(said, /▶️ dl1_to_dl2/), 1, said);
  });

  test('SIGKILL during a failing task that leaves a partial output: the failure is read from Slurm, the run redone, the partial never used', async () => {
    // Run 1912's dl1_to_dl2 fails once (after writing half its output); everything else has "already failed once".
    const once = mkdtempSync('/tmp/astran-once-');
    for (const tool of ['lstchain_dl1_to_dl2', 'lstchain_create_dl3_file', 'lstchain_create_dl3_index_files'])
      for (const run of [1911, 1912]) if (!(tool === 'lstchain_dl1_to_dl2' && run === 1912)) writeFileSync(join(once, `${tool}.Run0${run}.failed-once`), 'x');
    execFileSync('chown', ['-R', cluster.user, once]);
    scratch.push(once);
    const w = world({
      runs: [crab(1911, 23523), crab(1912, 23526)],
      console: true,
      standinEnv: { ASTRAN_STANDIN_FAIL_ONCE_DIR: once },
      setupExtra: ['case "$SLURM_JOB_NAME" in *-dl1_to_dl2-a1) export ASTRAN_STANDIN_SLEEP_MS=6000 ;; esac'],
    });
    const jobId = formatJobId('E', w.firstSeq + 1);
    const dl2Dir = join(w.workspace, 'DL2', '20231207', 'v0.10', 'tailcut84', 'nsb_tuning_0.14');
    const finalDl2 = join(dl2Dir, 'dl2_LST-1.Run01912.h5');
    const first = serve(w);
    await launch(first);
    // The failing task is at work and its half-written file exists (in its staging folder, never under the final name).
    const partial = await waitUntil(
      'the partial output of run 1912',
      () => existsSync(dl2Dir) && readdirSync(dl2Dir).filter((d) => d.startsWith('.astran-tmp-')).map((d) => join(dl2Dir, d, 'dl2_LST-1.Run01912.h5')).find((f) => existsSync(f)),
      60_000,
      100,
    );
    assert.equal(readFileSync(partial, 'utf8'), 'PARTIAL');
    assert.equal(existsSync(finalDl2), false, 'a partial file never carries the final name');
    first.child.kill('SIGKILL');
    await first.exited;
    // The task fails while the bot is down.
    await waitUntil('Slurm to record the failure', () => sacctJobs(jobId).some((j) => j.name.endsWith('-dl1_to_dl2-a1') && j.states.includes('FAILED') && j.states.length === 2 && !j.states.includes('RUNNING')), 60_000, 500);
    const second = await restartToTheEnd(w);
    const said = first.out() + second.out();
    const store = storeOf(w);
    try {
      const job = store.getJob(jobId)!;
      assert.equal(job.state, 'done', said);
      const a1 = store.submissions(jobId).find((s) => s.stage === 'dl1_to_dl2' && s.attempt === 1)!;
      assert.equal(a1.state, 'failed', 'the outcome Slurm recorded while the bot was away');
      // The engine on the original files gives the same numbers: the partial DL2 was not used downstream.
      const loaded = w.load();
      const expected = await analyse([HESS_FILE(23523), HESS_FILE(23526)], analysisOptions(loaded.config, job, loaded.sources.resolve('Crab')!));
      assert.deepEqual((job.result as { total: { n_on: number; n_off: number; significance: number } }).total.n_on, expected.total.n_on);
      assert.equal((job.result as { total: { significance: number } }).total.significance, expected.total.significance);
    } finally {
      store.close();
    }
    assert.notEqual(readFileSync(finalDl2, 'utf8'), 'PARTIAL');
    assertOneArrayPerAttempt(jobId, [...ALL_A1, 'dl1_to_dl2-a2']);
    const a2 = sacctJobs(jobId).find((j) => j.name.endsWith('-dl1_to_dl2-a2'))!;
    assert.deepEqual(a2.states, ['COMPLETED'], 'attempt 2 is run 1912 alone');
    assert.equal(count(said, SUMMARY), 1, said);
    assert.equal(count(said, /🔁 dl1_to_dl2/), 1, said);
    assert.equal(count(said, /▶️ dl1_to_dl2/), 1, said);
  });

  test('SIGKILL during the summary upload: the next start delivers it, exactly once, and only then is the job done', async () => {
    const w = world({ runs: [crab(1921, 23523)], console: true });
    const jobId = formatJobId('E', w.firstSeq + 1);
    const first = serve(w, 'summary_upload');
    await launch(first);
    const end = await first.exited;
    assert.equal(end.signal, 'SIGKILL', first.out());
    assert.equal(count(first.out(), SUMMARY), 0, 'killed before the summary reached the platform');
    const s1 = storeOf(w);
    try {
      assert.equal(s1.getJob(jobId)!.state, 'analysis', 'not done for the user while the summary is undelivered');
      assert.equal(s1.outboxItem(`${jobId}/final`)!.state, 'pending');
    } finally {
      s1.close();
    }
    const second = await restartToTheEnd(w);
    assert.equal(count(first.out() + second.out(), SUMMARY), 1, second.out());
    const s2 = storeOf(w);
    try {
      assert.equal(s2.getJob(jobId)!.state, 'done');
      assert.equal(s2.outboxItem(`${jobId}/final`)!.state, 'delivered');
    } finally {
      s2.close();
    }
    assertOneArrayPerAttempt(jobId, ALL_A1);
  });

  test('sshd, slurmctld and slurmdbd down longer than every timeout: the job pauses, users hear once of the outage, once of the patience, once of the end', async () => {
    const w = world({
      runs: [crab(1931, 23523)],
      setupExtra: ['case "$SLURM_JOB_NAME" in *-dl1_to_dl2-a*) export ASTRAN_STANDIN_SLEEP_MS=15000 ;; esac'],
      operation_timeout_s: 2,
      outagePatienceS: 8,
    });
    const { bot, chat } = await w.bot();
    const down: string[] = [];
    const restore = () => {
      for (const [stop, start] of [['acct-off', 'acct-on'], ['ctld-stop', 'ctld-start'], ['sshd-stop', 'sshd-start']] as const)
        if (down.includes(stop)) execFileSync(SLURM_SH, [start], { stdio: 'ignore' });
      down.length = 0;
    };
    try {
      await chat.say('launch source=Crab date=20231207');
      const job = latestJob(bot)!;
      await waitUntil('dl1_to_dl2 RUNNING', () => squeueJobs(job.id).some((j) => j.states.includes('RUNNING')), 60_000, 200);
      for (const a of ['acct-off', 'ctld-stop', 'sshd-stop']) {
        execFileSync(SLURM_SH, [a], { stdio: 'ignore' });
        down.push(a);
      }
      const key = job.thread!.key;
      await waitUntil('the outage message', () => /The cluster is not answering/.test(chat.text(key)), 60_000);
      await waitUntil('the patience message', () => /longer than I am set to wait/.test(chat.text(key)), 60_000);
      // Well past the operation timeout, the reconnect back-off and the patience: still paused, not failed.
      await new Promise((r) => setTimeout(r, 6000));
      assert.ok(!/❌|internal error/i.test(chat.text(key)), chat.text(key));
      assert.match(bot.orchestrator.describe(bot.store.getJob(job.id)!), /paused: the cluster has not answered since/);
      restore();
      const final = await waitFinal(bot, job.id, 240_000);
      const said = chat.text(key);
      assert.equal(final.state, 'done', said);
      assert.equal(count(said, /The cluster is not answering\. Your job is paused, not failed/), 1, said);
      assert.equal(count(said, /longer than I am set to wait quietly/), 1, said);
      assert.equal(count(said, /The cluster answers again/), 1, said);
      assert.equal(count(said, SUMMARY), 1, said);
      await waitUntil('accounting to catch up', () => sacctJobs(job.id).length === 3, 60_000, 1000);
      assertOneArrayPerAttempt(job.id, ALL_A1);
    } finally {
      restore();
      await bot.stop();
    }
  });
});
