/**
 * The Slurm backend against the REAL single-node cluster of scripts/services/slurm.sh (started here
 * if needed; the tests fail, not skip, when it cannot be). Scenarios run in sequence because some
 * stop daemons. Stage programs are the stand-ins of test/fakes/standins, uploaded over SFTP like cluster software.
 */
import { after, before, describe, test } from 'node:test';
import { clusterReadable } from '../helpers/clusterReadable.js';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageSubmission } from '../../src/pipeline/ClusterBackend.js';
import type { SlurmBackend } from '../../src/pipeline/slurm/SlurmBackend.js';
import { ConnectionLostError, HostKeyError, type ConnectionChange } from '../../src/pipeline/slurm/SshConnection.js';
import { shellJoin } from '../../src/pipeline/slurm/shq.js';
import { clusterCtl, ensureCluster, makeBackend, uniq, waitFinal, waitUntil, type ClusterEnv } from '../helpers/slurmCluster.js';

const STANDINS = new URL('../fakes/standins/', import.meta.url);
// A copy the `astran` cluster user can read, wherever the checkout lives.
const DL3_SOURCE = join(clusterReadable().hess, 'data');
// H.E.S.S. Crab runs: the stand-ins find their real DL3 files by these numbers.
const RUNS = [23523, 23526, 23559];

let env: ClusterEnv;
let b: SlurmBackend;
let home: string;
let base: string; // per-test-run data dir on the cluster

async function sh(argv: string[]): Promise<string> {
  const r = await b.conn.exec(shellJoin(argv), { retry: true });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function sleeper(jobId: string, stage: string, n: number, seconds: number, extra: Partial<StageSubmission> = {}): StageSubmission {
  return {
    jobId,
    stage,
    attempt: 1,
    tasks: Array.from({ length: n }, (_, i) => ({ index: i, runId: 100 + i, argv: ['sleep', String(seconds)], inputs: [], outputs: [] })),
    ...extra,
  };
}

before(async () => {
  env = ensureCluster();
  b = makeBackend(env);
  await b.start();
  home = `/home/${env.user}`;
  base = `${home}/astran-it/${uniq('r')}`;
  // Install the stand-ins on the "cluster" and lay out DL1 inputs, models and an IRF dir.
  await sh(['mkdir', '-p', `${home}/astran-standins`, `${base}/DL1`, `${base}/models`, `${base}/irf`, `${base}/DL2`, `${base}/DL3`]);
  await b.conn.withSftp(async (sftp) => {
    for (const f of readdirSync(STANDINS).filter((n) => n.endsWith('.mjs'))) {
      await new Promise<void>((res, rej) => sftp.writeFile(`${home}/astran-standins/${f}`, readFileSync(new URL(f, STANDINS)), { mode: 0o755 }, (e) => (e ? rej(e) : res())));
    }
  });
  await sh(['sh', '-c', 'for r in "$@"; do echo dl1 > "$0/DL1/dl1_LST-1.Run$(printf %05d "$r").h5"; done; echo irf > "$0/irf/irf_test.fits.gz"', base, ...RUNS.map(String)]);
});

after(async () => {
  await b?.stop();
});

const standin = (tool: string) => ['node', `${home}/astran-standins/standin_${tool}.mjs`];
const dl1 = (r: number) => `${base}/DL1/dl1_LST-1.Run${String(r).padStart(5, '0')}.h5`;
const dl2 = (r: number) => `${base}/DL2/dl2_LST-1.Run${String(r).padStart(5, '0')}.h5`;
const dl3 = (r: number) => `${base}/DL3/dl3_LST-1.Run${String(r).padStart(5, '0')}.fits.gz`;

describe('slurm backend on the real cluster', { concurrency: false }, () => {
  test('array of 3 stand-in tasks with a dependency chain completes; a failing run reports exit code and log tail', async () => {
    const jobId = uniq('C');
    const s1: StageSubmission = {
      jobId,
      stage: 'dl1_to_dl2',
      attempt: 1,
      env: { ASTRAN_STANDIN_SLEEP_MS: '300' },
      tasks: RUNS.map((r, index) => ({ index, runId: r, argv: [...standin('lstchain_dl1_to_dl2'), '-f', dl1(r), '-p', `${base}/models`, '-o', `${base}/DL2`], inputs: [dl1(r)], outputs: [dl2(r)] })),
    };
    const ref1 = await b.submit(s1);
    const s2: StageSubmission = {
      jobId,
      stage: 'dl3',
      attempt: 1,
      dependsOn: [ref1],
      env: { ASTRAN_STANDIN_DL3_SOURCE_DIR: DL3_SOURCE },
      maxParallel: 2,
      tasks: RUNS.map((r, index) => ({
        index,
        runId: r,
        argv: [...standin('lstchain_create_dl3_file'), '-d', dl2(r), '-o', `${base}/DL3`, '-i', `${base}/irf`, '-f', `final_irf_Run${r}.fits.gz`, '--source-name', 'Crab Nebula', '--source-ra', '83.633deg', '--source-dec', '22.01deg', '--gzip', '--overwrite'],
        inputs: [dl2(r)],
        outputs: [dl3(r)],
      })),
    };
    const ref2 = await b.submit(s2);
    const s3: StageSubmission = {
      jobId,
      stage: 'dl3_index',
      attempt: 1,
      dependsOn: [ref2],
      tasks: [{ index: 0, runId: 0, argv: [...standin('lstchain_create_dl3_index_files'), '-d', `${base}/DL3`, '-o', `${base}/DL3`, '-p', 'dl3*.fits.gz', '--overwrite'], inputs: [], outputs: [`${base}/DL3/dl3-index.json`] }],
    };
    const ref3 = await b.submit(s3);

    // Meanwhile: a stage whose run 23526 fails, and a stage depending on it that can never start.
    const bad = uniq('F');
    const f1: StageSubmission = { ...s1, jobId: bad, env: { ASTRAN_STANDIN_FAIL_RUNS: '23526' }, tasks: s1.tasks.map((t) => ({ ...t, argv: t.argv.map((a) => (a === `${base}/DL2` ? `${base}/DL2-${bad}` : a)) })) };
    const fref = await b.submit(f1);
    const dref = await b.submit(sleeper(bad, 'dl3', 2, 1, { dependsOn: [fref] }));

    const st = await waitFinal(b, [ref1, ref2, ref3, fref, dref], 90_000);
    for (const r of [ref1, ref2, ref3]) assert.equal(st.get(r)!.state, 'completed', JSON.stringify(st.get(r)));
    assert.equal(st.get(ref2)!.tasks.length, 3);
    assert.deepEqual(await b.exists([...RUNS.map(dl3), `${base}/DL3/dl3-index.json`, `${base}/DL3/nope`]), [true, true, true, true, false]);

    const f = st.get(fref)!;
    assert.equal(f.state, 'failed');
    assert.deepEqual(f.tasks.map((t) => t.state), ['completed', 'failed', 'completed']);
    assert.equal(f.tasks[1]!.exitCode, 3);
    assert.equal(f.tasks[1]!.reason, 'non-zero exit code 3');
    const tail = await b.logTail(fref, 1, 40);
    assert.match(tail, /Traceback/);
    assert.match(tail, /astran: task 1 run 23526 exit 3/);

    const d = st.get(dref)!;
    assert.equal(d.state, 'cancelled');
    assert.ok(d.tasks.every((t) => t.state === 'cancelled' && t.reason === 'DependencyNeverSatisfied'), JSON.stringify(d));

    // Retry of the failed index only (attempt 2): remove the partial output, resubmit index 1.
    await b.remove([dl2(23526).replace('/DL2/', `/DL2-${bad}/`)]);
    const retry = await b.submit({ ...f1, attempt: 2, env: {}, tasks: [f1.tasks[1]!] });
    const rs = await waitFinal(b, [retry]);
    assert.deepEqual(rs.get(retry)!.tasks.map((t) => [t.index, t.state]), [[1, 'completed']]);

    const local = mkdtempSync(join(tmpdir(), 'astran-fetch-'));
    const got = await b.fetch([dl3(23523), `${base}/DL3/dl3-index.json`], local);
    assert.deepEqual(readFileSync(got[0]!), readFileSync(join(DL3_SOURCE, 'hess_dl3_dr1_obs_id_023523.fits.gz')));
    assert.match(readFileSync(got[1]!, 'utf8'), /23523/);
    rmSync(local, { recursive: true });
  });

  test('cancel mid-run', async () => {
    const ref = await b.submit(sleeper(uniq('X'), 'dl1_to_dl2', 2, 30));
    await waitUntil(b, [ref], (st) => st.get(ref)!.tasks.some((t) => t.state === 'running'));
    await b.cancel([ref]);
    const st = await waitFinal(b, [ref]);
    assert.equal(st.get(ref)!.state, 'cancelled');
  });

  test('findSubmitted after a restart finds the job; no duplicate sbatch', async () => {
    const jobId = uniq('R');
    const first = makeBackend(env);
    await first.start();
    const ref = await first.submit(sleeper(jobId, 'dl3', 2, 2));
    await first.stop(); // the bot "crashes"

    const second = makeBackend(env);
    await second.start();
    try {
      const found = await second.findSubmitted(jobId, 'dl3', 1);
      assert.equal(found, ref);
      assert.equal(await second.findSubmitted(jobId, 'dl3', 2), undefined);
      assert.equal(await second.findSubmitted(jobId, 'dl1_to_dl2', 1), undefined);
      // What the orchestrator does on restart: reuse, never resubmit.
      const ref2 = (await second.findSubmitted(jobId, 'dl3', 1)) ?? (await second.submit(sleeper(jobId, 'dl3', 2, 2)));
      assert.equal(ref2, ref);
      const count = await sh(['sh', '-c', 'squeue -h -r --states=all --me -n "$0" -o %F | sort -u | wc -l', `astran-${jobId}-dl3-a1`]);
      assert.equal(count.trim(), '1');
      const st = await waitFinal(second, [ref]);
      assert.deepEqual(st.get(ref)!.tasks.map((t) => t.state), ['completed', 'completed']);
      assert.match(await second.logTail(ref, 0, 5), /astran: task 0 run 100 exit 0/);
      // A backend that only knows the reference finds the log through the Slurm job name.
      const third = makeBackend(env);
      await third.start();
      assert.match(await third.logTail(ref, 1, 5), /astran: task 1 run 101 exit 0/);
      await third.stop();
    } finally {
      await second.stop();
    }
  });

  test('connection cut right after sbatch ran: submit finds the job instead of submitting twice', async () => {
    const jobId = uniq('L');
    const c = makeBackend(env);
    await c.start();
    try {
      const real = c.conn.exec.bind(c.conn);
      let cut = 0;
      // The answer of sbatch is lost as if the link dropped after the command ran on the cluster.
      c.conn.exec = async (cmd, opts) => {
        const r = await real(cmd, opts);
        if (cmd.startsWith('sbatch ') && cut++ === 0) throw new ConnectionLostError();
        return r;
      };
      const ref = await c.submit(sleeper(jobId, 'dl3', 2, 1));
      assert.equal(cut, 1, 'sbatch ran exactly once');
      const count = await sh(['sh', '-c', 'squeue -h -r --states=all --me -n "$0" -o %F | sort -u', `astran-${jobId}-dl3-a1`]);
      assert.deepEqual(count.trim().split('\n'), [ref]);
      const st = await waitFinal(c, [ref]);
      assert.equal(st.get(ref)!.state, 'completed');
    } finally {
      await c.stop();
    }
  });

  test('slurmctld restarted mid-run: jobs still complete', async () => {
    const ref = await b.submit(sleeper(uniq('K'), 'dl1_to_dl2', 2, 4));
    await waitUntil(b, [ref], (st) => st.get(ref)!.tasks.some((t) => t.state === 'running'));
    clusterCtl('ctld-restart');
    const st = await waitFinal(b, [ref], 60_000);
    assert.equal(st.get(ref)!.state, 'completed', JSON.stringify(st.get(ref)));
  });

  test('accounting down (slurmdbd stopped): fallback polling gives states and exit codes', async () => {
    clusterCtl('acct-off');
    try {
      const jobId = uniq('N');
      const ref = await b.submit({
        jobId,
        stage: 'dl3',
        attempt: 1,
        tasks: [
          { index: 0, runId: 1, argv: ['sh', '-c', 'sleep 1'], inputs: [], outputs: [] },
          { index: 1, runId: 2, argv: ['sh', '-c', 'sleep 1; exit 4'], inputs: [], outputs: [] },
        ],
      });
      const st = await waitFinal(b, [ref]);
      assert.deepEqual(st.get(ref)!.tasks, [
        { index: 0, state: 'completed', exitCode: 0 },
        { index: 1, state: 'failed', exitCode: 4, reason: 'non-zero exit code 4' },
      ]);
      // Proof the fallback was used: sacct really is failing right now.
      const r = await b.conn.exec('sacct -n -j 1 >/dev/null 2>&1; echo $?');
      assert.equal(r.stdout.trim(), '1');
    } finally {
      clusterCtl('acct-on');
    }
  });

  test('sshd stopped and started mid-run: reported down once, reconnects, completes', async () => {
    const changes: ConnectionChange[] = [];
    const c = makeBackend(env, {}, { onConnectionChange: (x) => changes.push(x) });
    await c.start();
    try {
      const ref = await c.submit(sleeper(uniq('S'), 'dl1_to_dl2', 2, 3));
      await waitUntil(c, [ref], (st) => st.get(ref)!.tasks.some((t) => t.state === 'running'));
      clusterCtl('sshd-stop');
      // Give the client time to notice and fail a few reconnects (quietly).
      const pending = c.poll([ref]); // waits for the connection, result not lost
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(c.conn.isConnected, false);
      clusterCtl('sshd-start');
      const during = await pending;
      assert.ok(during.get(ref));
      const st = await waitFinal(c, [ref]);
      assert.equal(st.get(ref)!.state, 'completed');
      assert.deepEqual(changes.map((x) => x.state), ['up', 'down', 'up']);
    } finally {
      await c.stop();
      clusterCtl('sshd-start');
    }
  });

  test('unknown or changed host keys are refused; first use only when allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'astran-kh-'));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    await assert.rejects(makeBackend(env, { known_hosts_path: empty }).start(), (e: unknown) => e instanceof HostKeyError && e.verdict === 'unknown');
    const wrong = join(dir, 'wrong');
    // The right name with another key: a changed host key.
    writeFileSync(wrong, `[${env.host}]:${env.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGuFvYt1yJ9kWg4FQeYcL8fB6v1c6Yw8k0n2H5hR0a7B\n`);
    await assert.rejects(makeBackend(env, { known_hosts_path: wrong }).start(), (e: unknown) => e instanceof HostKeyError && e.verdict === 'mismatch');
    await assert.rejects(makeBackend(env, { known_hosts_path: wrong, allow_first_use: true }).start(), HostKeyError);
    const tofu = join(dir, 'tofu');
    const t = makeBackend(env, { known_hosts_path: tofu, allow_first_use: true });
    await t.start();
    assert.deepEqual(await t.exists(['/']), [true]);
    await t.stop();
    assert.equal(readFileSync(tofu, 'utf8').trim(), readFileSync(env.knownHosts, 'utf8').trim().split('\n').find((l) => l.includes('ssh-ed25519')));
    rmSync(dir, { recursive: true });
  });

  test('injection attempts in argv, env and paths stay literal on the cluster', async () => {
    const marks = ['/tmp/astran-pwned-1', '/tmp/astran-pwned-2', '/tmp/astran-pwned-3', '/tmp/astran-pwned-4'];
    for (const m of marks) rmSync(m, { force: true });
    const evil = [`'; touch ${marks[0]} #`, `$(touch ${marks[1]})`, `\`touch ${marks[2]}\``, `x\ntouch ${marks[3]}`, '"; exit 0; "', '*'];
    const out = `${base}/evil-out`;
    const ref = await b.submit({
      jobId: uniq('I'),
      stage: 'dl3',
      attempt: 1,
      env: { EVIL: evil[1]! },
      tasks: [{ index: 0, runId: 1, argv: ['bash', '-c', 'printf "%s\\0" "$EVIL" "$@" > "$0"', out, ...evil], inputs: [], outputs: [] }],
    });
    const st = await waitFinal(b, [ref]);
    assert.equal(st.get(ref)!.state, 'completed');
    const local = mkdtempSync(join(tmpdir(), 'astran-evil-'));
    const [got] = await b.fetch([out], local);
    assert.deepEqual(readFileSync(got!, 'utf8').split('\0').slice(0, -1), [evil[1], ...evil]);
    assert.deepEqual(await b.exists(evil.map((e) => `${base}/${e}`)), evil.map(() => false));
    await b.remove([`${base}/x; touch ${marks[0]}`]);
    for (const m of marks) assert.equal(existsSync(m), false, `${m} was created`);
    await assert.rejects(b.submit({ ...sleeper('A-1', 'dl3', 1, 1), jobId: `A'; touch ${marks[0]} #` }));
    await assert.rejects(b.poll(['1; touch /tmp/astran-pwned-1']));
    rmSync(local, { recursive: true });
  });
});
