/**
 * A whole chain submitted at once on the REAL single-node cluster of scripts/services/slurm.sh: per-run stages with
 * aftercorr, a per-night stage on the whole array, a failed task retried and its dependent re-pointed, arrays that do
 * not line up (each task narrowed to its own parents), the DependencyNeverSatisfied cleanup, cancelling a whole chain (also from a fresh process), adoption by
 * name, and completions noticed through the events files with one follower command for all jobs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StageStatus, StageSubmission, TaskEvent } from '../../src/pipeline/ClusterBackend.js';
import type { SlurmBackend } from '../../src/pipeline/slurm/SlurmBackend.js';
import { shellJoin } from '../../src/pipeline/slurm/shq.js';
import { ensureCluster, makeBackend, uniq, waitFinal, waitUntil, type ClusterEnv } from '../helpers/slurmCluster.js';

let env: ClusterEnv;
let b: SlurmBackend;
const events: TaskEvent[] = [];

/** A stage whose task i runs `sh -c script` with I set to the index. */
function stage(jobId: string, name: string, indices: number[], script: string, extra: Partial<StageSubmission> = {}): StageSubmission {
  return {
    jobId,
    stage: name,
    attempt: 1,
    tasks: indices.map((index) => ({ index, runId: 100 + index, argv: ['sh', '-c', script, 'task', String(index)], inputs: [], outputs: [] })),
    ...extra,
  };
}
const states = (s: StageStatus | undefined) => s?.tasks.map((t) => `${t.index}:${t.state}`).join(' ');

before(async () => {
  env = ensureCluster();
  b = makeBackend(env, { blocked_grace_s: 120 });
  await b.start();
  b.onTaskEvent((e) => events.push(e));
});

after(async () => {
  await b?.stop();
});

describe('a chain submitted at once on the real cluster', { concurrency: false }, () => {
  test('aftercorr per run, afterok per night, a failed run retried with its dependent re-pointed; events seen', async () => {
    const job = uniq('K');
    // Stage A: run index 1 fails (exit 3); runs 0 and 2 succeed. B: each run waits for its own A task only.
    const a = await b.submit(stage(job, 'dl1_to_dl2', [0, 1, 2], 'sleep 1; [ "$1" = 1 ] && exit 3; exit 0'));
    const bRef = await b.submit(stage(job, 'dl2_to_dl3', [0, 1, 2], 'sleep 1', { taskDependsOn: [0, 1, 2].map((i) => ({ index: i, on: [{ ref: a, index: i }] })) }));
    const c = await b.submit(stage(job, 'dl3_index', [0], 'true', { dependsOn: [bRef] }));
    const deps = await b.conn.exec(shellJoin(['squeue', '-h', '-r', '-j', `${bRef},${c}`, '-o', '%i %E']), { retry: true });
    assert.match(deps.stdout, new RegExp(`aftercorr:${a}`), deps.stdout);
    assert.match(deps.stdout, new RegExp(`afterok:${bRef}`), deps.stdout);

    // Runs 0 and 2 go through B while run 1's B task is blocked (not cancelled: a retry may come).
    const mid = await waitUntil(b, [a, bRef, c], (st) => st.get(a)?.tasks[1]?.state === 'failed' && st.get(bRef)?.tasks.filter((t) => t.state === 'completed').length === 2, 60_000);
    assert.equal(mid.get(bRef)!.tasks[1]!.state, 'pending', states(mid.get(bRef)));
    assert.equal(mid.get(c)!.tasks[0]!.state, 'pending');
    assert.ok(events.some((e) => e.ref === a && e.index === 1 && e.exitCode === 3), 'the failure came through the events file');
    assert.equal(mid.get(a)!.tasks[1]!.exitCode, 3);

    // Retry run 1 (attempt 2, now succeeding) and point B's task 1 at it.
    const retry = await b.submit({ ...stage(job, 'dl1_to_dl2', [1], 'sleep 1'), attempt: 2 });
    assert.deepEqual(await b.repoint([{ ref: bRef, index: 1, on: [{ ref: retry, index: 1 }] }]), [true]);
    const fin = await waitFinal(b, [a, retry, bRef, c], 90_000);
    assert.equal(fin.get(retry)!.state, 'completed');
    assert.equal(fin.get(bRef)!.state, 'completed', states(fin.get(bRef)));
    assert.equal(fin.get(c)!.state, 'completed');
    // Every task of the chain wrote its line (completions are hints; the poll agreed).
    for (const [ref, n] of [[a, 3], [retry, 1], [bRef, 3], [c, 1]] as const) assert.equal(new Set(events.filter((e) => e.ref === ref).map((e) => e.index)).size, n, ref);
    // A re-point of a task that already ran is refused, not silently accepted.
    assert.deepEqual(await b.repoint([{ ref: bRef, index: 1, on: [{ ref: retry, index: 1 }] }]), [false]);
  });

  test('arrays that do not line up: each task waits for its own parent; a task with none waits for nothing', async () => {
    const job = uniq('M');
    const a = await b.submit(stage(job, 'dl1_to_dl2', [0, 1], 'sleep 4'));
    // Run index 5's earlier output exists: it has no parent task.
    const x = await b.submit(stage(job, 'dl2_to_dl3', [0, 1, 5], 'true', { taskDependsOn: [0, 1].map((i) => ({ index: i, on: [{ ref: a, index: i }] })) }));
    // What Slurm holds per task (the node's 2 CPUs may be busy, so when task 5 runs says little).
    const q = await b.conn.exec(shellJoin(['squeue', '-h', '-r', '-j', x, '-o', '%K %E']), { retry: true });
    const deps = new Map(q.stdout.trim().split('\n').map((l) => l.trim().split(' ') as [string, string]));
    assert.equal(deps.get('0'), `afterok:${a}_0(unfulfilled)`, q.stdout);
    assert.equal(deps.get('1'), `afterok:${a}_1(unfulfilled)`, q.stdout);
    assert.equal(deps.get('5'), '(null)', q.stdout);
    const fin = await waitFinal(b, [a, x], 60_000);
    assert.equal(fin.get(x)!.state, 'completed');
  });

  test('a task whose parent failed and is not re-pointed is cancelled after the grace period and reported', async () => {
    const quick = makeBackend(env, { blocked_grace_s: 1 });
    await quick.start();
    try {
      const job = uniq('N');
      const a = await quick.submit(stage(job, 'dl1_to_dl2', [0, 1], '[ "$1" = 0 ] && exit 2; exit 0'));
      const x = await quick.submit(stage(job, 'dl2_to_dl3', [0, 1], 'true', { taskDependsOn: [0, 1].map((i) => ({ index: i, on: [{ ref: a, index: i }] })) }));
      const fin = await waitFinal(quick, [a, x], 60_000);
      assert.deepEqual(fin.get(x)!.tasks.map((t) => [t.state, t.reason]), [['cancelled', 'DependencyNeverSatisfied'], ['completed', undefined]]);
      const left = await quick.conn.exec(shellJoin(['squeue', '-h', '-j', x, '-o', '%i %T']), { retry: true });
      assert.doesNotMatch(left.stdout, /PENDING/, 'nothing left pending on the cluster');
    } finally {
      await quick.stop();
    }
  });

  test('cancel removes the whole chain, also from a fresh process; a restart adopts the chain by name', async () => {
    const job = uniq('Q');
    const a = await b.submit(stage(job, 'dl1_to_dl2', [0, 1], 'sleep 60'));
    const x = await b.submit(stage(job, 'dl2_to_dl3', [0, 1], 'true', { taskDependsOn: [0, 1].map((i) => ({ index: i, on: [{ ref: a, index: i }] })) }));
    const y = await b.submit(stage(job, 'dl3_index', [0], 'true', { dependsOn: [x] }));
    // A restarted bot finds each stage by name (no duplicate submission) and can cancel the chain without knowing refs.
    const fresh = makeBackend(env);
    await fresh.start();
    try {
      assert.equal(await fresh.findSubmitted(job, 'dl1_to_dl2', 1), a);
      assert.equal(await fresh.findSubmitted(job, 'dl2_to_dl3', 1), x);
      assert.equal(await fresh.findSubmitted(job, 'dl3_index', 1), y);
      const other = makeBackend(env);
      await other.start();
      try {
        assert.deepEqual(await other.cancelJob(job), [a, x, y].sort());
      } finally {
        await other.stop();
      }
      const fin = await waitFinal(fresh, [a, x, y], 30_000);
      for (const r of [a, x, y]) assert.equal(fin.get(r)!.state, 'cancelled', states(fin.get(r)));
    } finally {
      await fresh.stop();
    }
  });

  test('one follower command on the cluster for all jobs being watched', async () => {
    const j1 = uniq('E'), j2 = uniq('E');
    const r1 = await b.submit(stage(j1, 'dl1_to_dl2', [0], 'true'));
    const r2 = await b.submit(stage(j2, 'dl1_to_dl2', [0, 1], 'true'));
    await waitFinal(b, [r1, r2], 30_000);
    await waitUntil(b, [r1, r2], () => [r1, r2].every((r) => events.some((e) => e.ref === r)), 10_000);
    const ps = await b.conn.exec(shellJoin(['sh', '-c', 'ps -u "$(id -un)" -o args= | grep -c "^sh -c tail -q -n +1 -F"']), { retry: true });
    assert.equal(ps.stdout.trim(), '1', 'exactly one follower running');
  });
});
