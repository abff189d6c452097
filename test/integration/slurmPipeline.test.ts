/**
 * ASTRAN end to end on the REAL Slurm cluster of scripts/services/slurm.sh (brought up here; the file FAILS when it
 * cannot be): the real bot (createBot, dispatcher, orchestrator, SQLite store, Slurm-over-SSH backend) with the LST
 * profile's stages run by the lstchain stand-ins, asserting what users see in the job's thread and what Slurm saw.
 */
import { after, before, describe, test } from 'node:test';
import { clusterJobKey } from '../../src/orchestrator/clusterJobKey.js';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteJobStore } from '../../src/store/SqliteJobStore.js';
import { formatJobId } from '../../src/store/jobIds.js';
import { silentLogger } from '../../src/log.js';
import { SLURM_SH } from '../helpers/slurmCluster.js';
import { ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { analyse } from '../../src/analysis/analyse.js';
import { analysisOptions } from '../../src/orchestrator/analysisStep.js';
import { HESS_FILE, REPO, World, latestJob, sacctJobs, squeueJobs, waitFinal, waitUntil } from '../helpers/slurmBot.js';

let cluster: ClusterEnv;
const worlds: World[] = [];
const scratch: string[] = [];
function world(o: Omit<ConstructorParameters<typeof World>[0], 'cluster'>): World {
  const w = new World({ cluster, ...o });
  worlds.push(w);
  return w;
}

before(() => {
  cluster = ensureCluster();
});

after(() => {
  // A failed scenario may leave slow stand-ins queued: cancel whatever this file's jobs still have on the cluster.
  const left = worlds.flatMap((w) => [1, 2, 3].flatMap((i) => squeueJobs(formatJobId('E', w.firstSeq + i)).map((j) => j.arrayId)));
  if (left.length) execFileSync('scancel', left);
  for (const w of worlds) w.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const crab = (night: string, runId: number, hess: number, dl1 = true) => ({ night, runId, catalogName: 'Crab', hess, dl1 });
/** Lines users read: no absolute paths, no host names. */
function assertNoPathsOrHosts(text: string, w: World): void {
  assert.doesNotMatch(text, /\/(tmp|home|work|var|fefs|usr)\//, 'no absolute paths in the thread');
  assert.ok(!text.includes(w.base) && !text.includes(w.workspace) && !text.includes(cluster.host) && !text.includes('localhost'), 'no data paths or host names');
}

describe('ASTRAN on the real Slurm cluster', { concurrency: false }, () => {
  test('launch → DL2 array → DL3 → index → analysis → summary with 6 PNGs; numbers equal analyse() on the same files', async () => {
    const w = world({ runs: [crab('20231207', 1807, 23523), crab('20231207', 1808, 23526)] });
    const { bot, chat } = await w.bot();
    try {
      const reply = await chat.say('launch source=Crab date=20231207');
      assert.ok(!reply?.rejected, reply?.text);
      const job = latestJob(bot)!;
      assert.equal(job.seq, w.firstSeq + 1);
      const final = await waitFinal(bot, job.id);
      const key = final.thread!.key;
      const said = chat.text(key);
      assert.equal(final.state, 'done', said);
      for (const stage of ['dl1_to_dl2', 'dl2_to_dl3', 'dl3_index']) assert.match(said, new RegExp(`✅ ${stage} done`), said);
      assert.match(said, /▶️ dl1_to_dl2: 2 task\(s\) \(stage 1\/3\)/);
      const last = chat.thread(key).filter((p) => p.op === 'send').at(-1)!;
      assert.deepEqual([...last.files].sort(), ['lightcurve.png', 'runs.png', 'significance_vs_time.png', 'skymap.png', 'spectrum.png', 'theta2.png']);

      // The same numbers as the engine on the original H.E.S.S. files (the stand-ins copied them byte for byte).
      const loaded = w.load();
      const src = loaded.sources.resolve('Crab')!;
      const expected = await analyse([HESS_FILE(23523), HESS_FILE(23526)], analysisOptions(loaded.config, final, src));
      const got = final.result as { total: typeof expected.total };
      assert.deepEqual(got.total, expected.total);
      assert.ok(expected.total.significance > 10);
      assert.match(last.text, new RegExp(`\\*${expected.total.significance.toFixed(1)}σ\\* \\(Li & Ma\\)`));
      assertNoPathsOrHosts(said, w);

      // One Slurm array per stage, all COMPLETED; the DL3 products are where the LST layout puts them.
      const jobs = sacctJobs(final.id);
      assert.deepEqual(jobs.map((j) => j.name).sort(), [`astran-${final.id}-dl1_to_dl2-a1`, `astran-${final.id}-dl2_to_dl3-a1`, `astran-${final.id}-dl3_index-a1`]);
      assert.ok(jobs.every((j) => j.states.every((st) => st === 'COMPLETED')), JSON.stringify(jobs));
      // The stage's own time and memory (the profile's per-stage resources) reached Slurm.
      const limits = execFileSync('sacct', ['-n', '-P', '-X', '-j', jobs.map((j) => j.arrayId).join(','), '-o', 'Timelimit,ReqMem'], { encoding: 'utf8' });
      assert.deepEqual([...new Set(limits.trim().split('\n'))], ['00:10:00|200M']);
      const dl3 = readdirSync(w.dl3Dir('20231207', 'Crab_Nebula')).sort();
      // Each run's DL3 task wrote its own final IRF (lstchain 0.10.0-0.10.9 would otherwise share final_irf.fits.gz).
      assert.deepEqual(dl3, ['dl3-index.json', 'dl3_LST-1.Run01807.fits.gz', 'dl3_LST-1.Run01808.fits.gz', 'final_irf_Run01807.fits.gz', 'final_irf_Run01808.fits.gz', 'hdu-index.fits.gz', 'obs-index.fits.gz']);
      assert.deepEqual(readFileSync(join(w.dl3Dir('20231207', 'Crab_Nebula'), 'dl3_LST-1.Run01807.fits.gz')), readFileSync(HESS_FILE(23523)));
      assert.ok(existsSync(join(w.resultsDir, final.id, 'theta2.png')));
      // The result posted is the analysis made while the index ran (JobAnalysis), moved into the results folder with
      // its provenance added afterwards; nothing is left in the staging folder.
      assert.equal(bot.store.events(final.id).filter((e) => e.kind === 'analysis_ahead').length, 1, JSON.stringify(bot.store.events(final.id)));
      assert.ok(JSON.parse(readFileSync(join(w.resultsDir, final.id, 'results.json'), 'utf8')).provenance);
      assert.equal((final.result as { outDir: string }).outDir, join(w.resultsDir, final.id));
    } finally {
      await bot.stop();
    }
  });
  test('a task that fails once is retried alone (attempt 2 for that run only) after its partial output is removed', async () => {
    // Every tool and run has "already failed once" except dl1_to_dl2 of run 1812.
    const once = mkdtempSync('/tmp/astran-once-');
    for (const tool of ['lstchain_dl1_to_dl2', 'lstchain_create_dl3_file', 'lstchain_create_dl3_index_files'])
      for (const run of [1811, 1812]) if (!(tool === 'lstchain_dl1_to_dl2' && run === 1812)) writeFileSync(join(once, `${tool}.Run0${run}.failed-once`), 'x');
    execFileSync('chown', ['-R', cluster.user, once]);
    scratch.push(once);
    const w = world({
      runs: [crab('20231207', 1811, 23523), crab('20231207', 1812, 23526)],
      standinEnv: { ASTRAN_STANDIN_FAIL_ONCE_DIR: once, ASTRAN_STANDIN_PARTIAL_OUTPUT: '1' },
    });
    const { bot, chat } = await w.bot();
    try {
      await chat.say('launch source=Crab date=20231207');
      const final = await waitFinal(bot, latestJob(bot)!.id);
      const said = chat.text(final.thread!.key);
      assert.equal(final.state, 'done', said);
      assert.match(said, /🔁 dl1_to_dl2: 1 task\(s\) failed \(run 1812: non-zero exit code 3\)\. Partial outputs removed; retrying \(attempt 2\/2\)\./);
      const subs = bot.store.submissions(final.id).filter((x) => x.stage === 'dl1_to_dl2').sort((a, b) => a.attempt - b.attempt);
      assert.deepEqual(subs.map((x) => [x.attempt, x.state, (x.detail as { tasks: { runId: number }[] }).tasks.map((t) => t.runId)]), [
        [1, 'failed', [1811, 1812]],
        [2, 'completed', [1812]],
      ]);
      const jobs = sacctJobs(final.id);
      const a1 = jobs.find((j) => j.name.endsWith('-dl1_to_dl2-a1'))!;
      const a2 = jobs.find((j) => j.name.endsWith('-dl1_to_dl2-a2'))!;
      assert.deepEqual([...a1.states].sort(), ['COMPLETED', 'FAILED']);
      assert.deepEqual(a2.states, ['COMPLETED'], 'attempt 2 is one task: run 1812 only');
      assert.equal(jobs.length, 4, JSON.stringify(jobs));
    } finally {
      await bot.stop();
    }
  });

  test('a task that always fails: job failed, thread shows the log tail and the reason, no paths or host names', async () => {
    const w = world({ runs: [crab('20231207', 1821, 23523), crab('20231207', 1822, 23526)], standinEnv: { ASTRAN_STANDIN_FAIL_RUNS: '1821' } });
    const { bot, chat } = await w.bot();
    try {
      await chat.say('launch source=Crab date=20231207');
      const final = await waitFinal(bot, latestJob(bot)!.id);
      const said = chat.text(final.thread!.key);
      assert.equal(final.state, 'failed', said);
      assert.match(said, /❌ E-\d+ failed: Stage dl1_to_dl2 failed for run\(s\) 1821: non-zero exit code 3 \(after 2 attempts\)\./);
      assert.match(said, /Last lines of the log:\n```\n[\s\S]*HDF5ExtError: HDF5 error back trace \(stand-in injected failure for run 1821\)[\s\S]*astran: task 0 run 1821 exit 3/);
      assert.match(said, /What to do: Read the log lines above/);
      assert.match(said, /Error id: E-[0-9A-Z]+/);
      assertNoPathsOrHosts(said, w);
      const host = execFileSync('hostname', { encoding: 'utf8' }).trim();
      assert.doesNotMatch(said, new RegExp(`\\bon ${host}\\b|ON ${host} `), 'the node name from the task log is not shown');
      if (process.env.ASTRAN_TEST_DEBUG) console.log(said);
      assert.deepEqual(final.error?.message, 'Stage dl1_to_dl2 failed for run(s) 1821: non-zero exit code 3 (after 2 attempts). The later stages queued on the cluster were cancelled.');
      // Attempt 2 ran run 1821 alone; the chain's later stages (submitted at launch) were taken off the cluster.
      const jobs = sacctJobs(final.id);
      assert.deepEqual(jobs.map((j) => j.name.replace(/^astran-E-\d+-/, '')).sort(), ['dl1_to_dl2-a1', 'dl1_to_dl2-a2', 'dl2_to_dl3-a1', 'dl3_index-a1']);
      assert.equal(jobs.find((j) => j.name.endsWith('-dl1_to_dl2-a2'))!.states.length, 1);
      assert.ok(jobs.find((j) => j.name.endsWith('-dl3_index-a1'))!.states.every((st) => st === 'CANCELLED'), JSON.stringify(jobs));
      assert.deepEqual(squeueJobs(final.id), [], 'nothing left pending');
    } finally {
      await bot.stop();
    }
  });

  test('cancel mid-run: every Slurm job of the ASTRAN job is cancelled and the thread confirms', async () => {
    const w = world({ runs: [crab('20231207', 1831, 23523), crab('20231207', 1832, 23526)], standinEnv: { ASTRAN_STANDIN_SLEEP_MS: '120000' } });
    const { bot, chat } = await w.bot();
    try {
      await chat.say('launch source=Crab date=20231207');
      const job = latestJob(bot)!;
      await waitUntil('a dl1_to_dl2 task RUNNING on the cluster', () => squeueJobs(job.id).some((j) => j.states.includes('RUNNING')), 60_000, 250);
      // pipeline.submission: chain: the later stages wait on the cluster too.
      await waitUntil('the whole chain on the queue', () => squeueJobs(job.id).length === 3, 60_000, 250);
      const ask = await chat.say('cancel', job.thread!);
      assert.match(ask!.text, /Reply `yes`/);
      const ok = await chat.say('yes', job.thread!);
      assert.ok(!ok?.rejected, ok?.text);
      const final = await waitFinal(bot, job.id, 60_000);
      assert.equal(final.state, 'cancelled');
      assert.match(chat.text(job.thread!.key), /🛑 E-\d+ cancelled by alice\. Its cluster jobs were cancelled\./);
      await waitUntil('the queue to be empty of the job', () => squeueJobs(job.id).length === 0, 30_000, 250);
      // The whole chain, each stage once.
      const jobs = await waitUntil('sacct to record the cancellation', () => {
        const j = sacctJobs(job.id);
        return j.length === 3 && j.every((x) => x.states.every((s) => s === 'CANCELLED')) && j;
      }, 30_000, 500);
      assert.deepEqual(jobs.map((j) => j.name).sort(), ['dl1_to_dl2-a1', 'dl2_to_dl3-a1', 'dl3_index-a1'].map((n) => `astran-${job.id}-${n}`));
    } finally {
      await bot.stop();
    }
  });

  test('stage by stage: SIGKILL of `astran serve` mid-run, then a restart on the same SQLite store: resumes, finishes, no duplicate sbatch', async () => {
    // pipeline.submission: stage_by_stage (clusters that forbid dependencies); the chain's restart: chainRecovery.test.ts.
    const w = world({ runs: [crab('20231207', 1841, 23523), crab('20231207', 1842, 23526)], standinEnv: { ASTRAN_STANDIN_SLEEP_MS: '3000' }, console: true, submission: 'stage_by_stage' });
    const jobId = formatJobId('E', w.firstSeq + 1);
    const serve = (): { child: ChildProcess; out: () => string; exited: Promise<number | null> } => {
      const child = spawn(process.execPath, [join(REPO, 'bin/astran.js'), 'serve', '--config', w.configFile], {
        cwd: w.dir,
        env: { ...process.env, ASTRAN_CONFIG: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      return { child, out: () => out, exited };
    };
    const first = serve();
    try {
      await waitUntil('the bot to listen', () => first.out().includes('ASTRAN is listening'), 60_000);
      first.child.stdin!.write('launch source=Crab date=20231207\n');
      await waitUntil('the first stage RUNNING on the cluster', () => squeueJobs(jobId).some((j) => j.name.endsWith('-dl1_to_dl2-a1') && j.states.includes('RUNNING')), 60_000, 200);
    } finally {
      first.child.kill('SIGKILL');
    }
    assert.equal(await first.exited, null, 'killed by a signal');
    const second = serve();
    second.child.stdin!.end(); // console only: serve exits once no job is active
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([second.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 120_000)))]);
    clearTimeout(timer);
    if (code === 'timeout') second.child.kill('SIGKILL');
    assert.equal(code, 0, second.out());
    const store = new SqliteJobStore({ path: w.dbPath, prefix: 'E', log: silentLogger });
    try {
      const job = store.getJob(jobId)!;
      assert.equal(job.state, 'done', JSON.stringify(job) + second.out());
      assert.ok(store.events(jobId).some((e) => e.kind === 'resumed'));
      assert.match(second.out(), new RegExp(`${jobId}\\* done`));
    } finally {
      store.close();
    }
    const jobs = sacctJobs(jobId);
    const names = jobs.map((j) => j.name).sort();
    assert.deepEqual(names, [`astran-${jobId}-dl1_to_dl2-a1`, `astran-${jobId}-dl2_to_dl3-a1`, `astran-${jobId}-dl3_index-a1`], 'exactly one Slurm job per (stage, attempt)');
    assert.equal(new Set(jobs.map((j) => j.storeId)).size, 1, 'the restarted bot kept its store id, so it found its own jobs');
  });

  test('sshd stopped and started mid-run: exactly one "cluster is not answering" and one "answers again" message, the job completes', async () => {
    const w = world({
      runs: [crab('20231207', 1851, 23523)],
      // Only the first stage is slow: it outlives the outage.
      setupExtra: ['case "$SLURM_JOB_NAME" in *-dl1_to_dl2-a*) export ASTRAN_STANDIN_SLEEP_MS=12000 ;; esac'],
      operation_timeout_s: 2,
    });
    const { bot, chat } = await w.bot();
    let sshdDown = false;
    try {
      await chat.say('launch source=Crab date=20231207');
      const job = latestJob(bot)!;
      await waitUntil('dl1_to_dl2 RUNNING', () => squeueJobs(job.id).some((j) => j.states.includes('RUNNING')), 60_000, 200);
      execFileSync(SLURM_SH, ['sshd-stop'], { stdio: 'ignore' });
      sshdDown = true;
      // Two failed polls in a row, so the test shows the second one stays quiet.
      await waitUntil('two failed polls', () => bot.orchestrator.poller.failures >= 2, 30_000);
      execFileSync(SLURM_SH, ['sshd-start'], { stdio: 'ignore' });
      sshdDown = false;
      const final = await waitFinal(bot, job.id);
      const said = chat.text(job.thread!.key);
      assert.equal(final.state, 'done', said);
      assert.equal(said.match(/The cluster is not answering\. Your job is paused, not failed/g)?.length, 1, said);
      assert.equal(said.match(/The cluster answers again/g)?.length, 1, said);
      assertNoPathsOrHosts(said, w);
    } finally {
      if (sshdDown) execFileSync(SLURM_SH, ['sshd-start'], { stdio: 'ignore' });
      await bot.stop();
    }
  });

  test('DL1 appearing late: the thread says what is missing, the job goes on when the file appears', async () => {
    const w = world({ runs: [crab('20231207', 1861, 23523), crab('20231207', 1862, 23526, false)] });
    const { bot, chat } = await w.bot();
    try {
      await chat.say('launch source=Crab date=20231207');
      const job = latestJob(bot)!;
      await waitUntil('the waiting message', () => chat.text(job.thread!.key).includes('Waiting for DL1: 1 of 2 runs ready, 1 not there yet (run 1862)'), 30_000);
      assert.equal(bot.store.getJob(job.id)!.state, 'waiting_inputs');
      assert.equal(sacctJobs(job.id).length, 0, 'nothing submitted while DL1 is missing');
      w.addDl1('20231207', 1862);
      const final = await waitFinal(bot, job.id);
      const said = chat.text(job.thread!.key);
      assert.equal(final.state, 'done', said);
      assert.match(said, /✅ DL1 complete for all 2 runs\./);
      assert.equal((final.result as { total: { n_runs: number } }).total.n_runs, 2);
    } finally {
      await bot.stop();
    }
  });

  test('injection attempts in every user field are refused; an odd catalog name reaches the cluster as one literal argument', async () => {
    const tag = randomUUID().slice(0, 8);
    const marker = (x: string) => `/tmp/pwned-${tag}-${x}`;
    const weird = `Odd "Q' Src $(touch ${marker('W')}) ;`;
    const w = world({
      runs: [crab('20231207', 1871, 23523), { night: '20231208', runId: 1872, catalogName: 'OddSrc', hess: 23526 }],
      extraSources: [{ name: weird, aliases: ['OddSrc'], ra: 83.63308, dec: 22.0145 }],
    });
    const { bot, chat } = await w.bot();
    try {
      const attempts: [string, RegExp][] = [
        [`launch source="Crab'; touch ${marker('X')} #" date=20231207`, /I don't know the source/],
        [`launch source=Crab date='20231207$(touch ${marker('Y')})'`, /date|night/i],
        [`launch source=Crab date=20231207 runs=1;touch ${marker('R')}`, /runs/],
        [`launch source=Crab date=20231207 theta2_cut=0.02;id`, /theta2_cut/],
        [`launch source=Crab date=\`touch ${marker('B')}\``, /date|night/i],
        [`launch source=Crab date=20231207 off_regions='3$(touch ${marker('O')})'`, /off_regions/],
        [`launch source=Crab date=20231207 emin="0.1|touch ${marker('E')}"`, /emin/],
        [`launch source=Crab date=20231207 emax=10&&id`, /emax/],
        [`launch source=Crab date=20231207 dry_run="yes; touch ${marker('D')}"`, /dry_run/],
        [`launch source=Crab date=20231207 force=$(id)`, /force/],
      ];
      for (const [cmd, why] of attempts) {
        const r = await chat.say(cmd);
        if (process.env.ASTRAN_TEST_DEBUG) console.log(`${cmd}\n→ ${r?.text}\n`);
        assert.ok(r?.rejected, `refused: ${cmd} → ${r?.text}`);
        assert.match(r!.text, why, r!.text);
        assert.ok(!/internal error|stack|at .*\.ts/i.test(r!.text), r!.text);
      }
      assert.equal(bot.store.listJobs().length, 0, 'no job was created');

      await chat.say('launch source=OddSrc date=20231208');
      const final = await waitFinal(bot, latestJob(bot)!.id);
      assert.equal(final.state, 'done', chat.text(final.thread!.key));
      // The stand-in logs the --source-name it received: exactly the catalog name, spaces and quotes included.
      const log = readFileSync(join(w.jobsDir(), clusterJobKey(bot.store, final.id), 'dl2_to_dl3-a1', 'task-0.log'), 'utf8');
      assert.ok(log.includes(`Source ${weird} at RA 83.63308 deg`), log);
      assert.ok(existsSync(join(w.dl3Dir('20231208', 'Odd_Q_Src_touch_tmp_pwned-' + tag + '-W_'), 'dl3_LST-1.Run01872.fits.gz')), readdirSync(join(w.workspace, 'DL3', '20231208', 'v0.10', 'tailcut84', 'std_cuts')).join());
      for (const x of ['X', 'Y', 'R', 'B', 'O', 'E', 'D', 'W']) assert.equal(existsSync(marker(x)), false, `marker ${x} must not exist`);
    } finally {
      await bot.stop();
    }
  });
});
