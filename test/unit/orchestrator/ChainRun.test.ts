/**
 * The chain mode (pipeline.submission: chain, the default) on the in-memory fakes: every stage submitted at launch with
 * its dependencies, a failed task retried with its dependents re-pointed, dependents the cluster dropped submitted
 * again, the chain removed when a stage fails for good, and a restart that adopts the chain. FakeBackend holds
 * dependencies as Slurm does (see its header); the same on the real cluster: test/integration/chainRecovery.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dl1, dl2, harness, params, request, runs, until } from '../../helpers/orchestratorHarness.js';

const dl3 = (r: number) => `/d/DL3/20231207/dl3_LST-1.Run0${r}.fits.gz`;
const order = (text: string, res: RegExp[]) => res.map((re) => text.search(re));
const increasing = (xs: number[]) => xs.every((x, i) => x >= 0 && (i === 0 || x > xs[i - 1]));

test('chain: every stage is on the cluster before the first task ends; per-run tasks wait for their run, the night for the array', async () => {
  const h = harness();
  h.backend.runTicks = 3;
  const o = h.make();
  const job = await o.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 3);
  assert.ok(!h.backend.files.has(dl2(1807)) && !h.backend.files.has(dl2(1808)), 'all three submitted while the first stage still runs');
  const [s1, s2, s3] = h.backend.submitted;
  assert.deepEqual([s1.stage, s2.stage, s3.stage], ['dl1_to_dl2', 'dl2_to_dl3', 'dl3_index']);
  assert.equal(s1.dependsOn ?? s1.taskDependsOn, undefined, 'the first stage waits for nothing');
  assert.deepEqual(s2.taskDependsOn, [
    { index: 0, on: [{ ref: 'fake-1', index: 0 }] },
    { index: 1, on: [{ ref: 'fake-1', index: 1 }] },
  ]);
  assert.deepEqual(s3.dependsOn, ['fake-2']);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.equal(h.backend.submitted.length, 3, 'one submission per stage');
  for (const st of ['dl1_to_dl2', 'dl2_to_dl3', 'dl3_index']) {
    assert.equal(h.chat.sent(new RegExp(`▶️ ${st}`)), 1, st);
    assert.equal(h.chat.sent(new RegExp(`✅ ${st} done`)), 1, st);
  }
  assert.ok(increasing(order(h.chat.text(), [/✅ dl1_to_dl2/, /✅ dl2_to_dl3/, /✅ dl3_index/, /SUMMARY/])), h.chat.text());
  assert.equal(h.chat.sent(/SUMMARY/), 1);
  assert.deepEqual(h.store.submissions(job.id).map((s) => `${s.stage}#${s.attempt}:${s.state}`), ['dl1_to_dl2#1:completed', 'dl2_to_dl3#1:completed', 'dl3_index#1:completed']);
  await o.stop();
});

test('chain: a failed task is retried alone and its waiting dependent re-pointed to the retry; nothing else submitted again', async () => {
  const h = harness();
  h.backend.runTicks = 2;
  h.backend.blockedGracePolls = 1000;
  h.backend.partialOnFailure = true;
  h.backend.stageFailures.set('dl1_to_dl2:1808', 1);
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.deepEqual(
    h.backend.submitted.map((s) => `${s.stage}#${s.attempt}:${s.tasks.map((t) => t.runId).join(',')}`),
    ['dl1_to_dl2#1:1807,1808', 'dl2_to_dl3#1:1807,1808', 'dl3_index#1:1807', 'dl1_to_dl2#2:1808'],
  );
  assert.deepEqual(h.backend.repointed, [{ ref: 'fake-2', index: 1, on: [{ ref: 'fake-4', index: 0 }] }], 'run 1808 of dl2_to_dl3 now waits for the retry');
  assert.ok(h.backend.removed.includes(dl2(1808)), 'the partial output was removed before the retry');
  assert.equal(h.chat.sent(/🔁 dl1_to_dl2: 1 task\(s\) failed \(run 1808: exit code 3\).*attempt 2\/2/), 1, h.chat.text());
  assert.equal(h.chat.sent(/✅ dl1_to_dl2 done/), 1);
  assert.equal(h.chat.sent(/SUMMARY/), 1);
  await o.stop();
});

test('chain: dependents the cluster dropped (DependencyNeverSatisfied) before the retry came are submitted again, without using up their retries', async () => {
  const h = harness({ pipeline: { retries: 1 } });
  h.backend.runTicks = 2;
  h.backend.blockedGracePolls = 0; // the cluster drops a blocked task at once
  h.backend.stageFailures.set('dl1_to_dl2:1808', 1);
  h.backend.stageFailures.set('dl2_to_dl3:1808', 1); // and the requeued task still has its own retry
  const o = h.make();
  const job = await o.launch(params, runs, request);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  const subs = h.backend.submitted.map((s) => `${s.stage}#${s.attempt}:${s.tasks.map((t) => t.runId).join(',')}`);
  assert.deepEqual(subs.slice(0, 4), ['dl1_to_dl2#1:1807,1808', 'dl2_to_dl3#1:1807,1808', 'dl3_index#1:1807', 'dl1_to_dl2#2:1808']);
  assert.ok(subs.includes('dl2_to_dl3#2:1808'), subs.join(' '));
  assert.ok(subs.includes('dl2_to_dl3#3:1808'), `its own failure was retried too: ${subs.join(' ')}`);
  assert.ok(subs.filter((s) => s.startsWith('dl3_index')).length >= 2, 'the index dropped with its parent is submitted again');
  const requeue = h.backend.submitted.find((s) => s.stage === 'dl2_to_dl3' && s.attempt === 2)!;
  assert.deepEqual(requeue.taskDependsOn, [{ index: 0, on: [{ ref: 'fake-4', index: 0 }] }], 'waits for the retry of its run');
  assert.match(h.chat.text(), /↪️ dl2_to_dl3: run 1808 waited for a task that failed/);
  const lastIndex = h.store.submissions(job.id).filter((s) => s.stage === 'dl3_index').at(-1)!;
  assert.equal(lastIndex.state, 'completed');
  // Nothing is left pending on the cluster and every recorded attempt is settled.
  assert.ok(h.store.submissions(job.id).every((s) => ['completed', 'failed'].includes(s.state)), h.store.submissions(job.id).map((s) => s.state).join());
  assert.equal(h.chat.sent(/SUMMARY/), 1);
  await o.stop();
});

test('chain: a task that keeps failing fails the job, and the stages queued behind it are cancelled and said so', async () => {
  const h = harness();
  h.backend.runTicks = 1;
  h.backend.blockedGracePolls = 1000;
  h.backend.stageFailures.set('dl2_to_dl3:1808', 5);
  const o = h.make();
  const job = await o.launch(params, runs, request);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'failed');
  assert.match(h.chat.text(), /Stage dl2_to_dl3 failed for run\(s\) 1808: exit code 3 \(after 2 attempts\)\. The later stages queued on the cluster were cancelled\./);
  assert.ok(h.backend.cancelled.includes('fake-3'), `the index waiting on the failed stage was cancelled: ${h.backend.cancelled.join()}`);
  const st = await h.backend.poll(h.backend.submitted.map((_, i) => `fake-${i + 1}`));
  for (const [ref, s] of st) assert.ok(s.tasks.every((t) => t.state !== 'pending' && t.state !== 'running'), `${ref} left on the cluster`);
  assert.ok(h.store.submissions(job.id).every((s) => s.state !== 'submitted' && s.state !== 'submitting'));
  assert.equal(h.chat.sent(/✅ dl2_to_dl3/), 0);
  assert.equal(h.chat.sent(/SUMMARY/), 0);
  await o.stop();
});

test('chain: a restart adopts every stage on the cluster (no duplicate), and one recorded but unnamed is found by name', async () => {
  const h = harness();
  h.backend.runTicks = 4;
  const o1 = h.make();
  const job = await o1.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 3);
  await until(() => h.chat.sent(/▶️ dl1_to_dl2/) === 1);
  o1.poller.stop(); // the bot dies; the cluster carries on
  // As if it died between sbatch and recording the id of the last stage.
  const idx = h.store.submissions(job.id).find((s) => s.stage === 'dl3_index')!;
  h.store.putSubmission({ ...idx, backendRef: null, state: 'submitting' });
  const o2 = h.make();
  await o2.start();
  const final = await o2.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.deepEqual(h.backend.submitted.map((s) => `${s.stage}#${s.attempt}`), ['dl1_to_dl2#1', 'dl2_to_dl3#1', 'dl3_index#1'], 'nothing submitted twice');
  assert.equal(h.store.submissions(job.id).find((s) => s.stage === 'dl3_index')!.backendRef, 'fake-3', 'adopted by name');
  assert.equal(h.chat.sent(/▶️ dl1_to_dl2/), 1);
  assert.ok(h.chat.sent(/🔄 ASTRAN restarted/) >= 2, h.chat.text());
  assert.equal(h.chat.sent(/SUMMARY/), 1);
  await o2.stop();
});

test('chain: a restart after a task failed while the bot was away retries it and re-points its dependent', async () => {
  const h = harness();
  h.backend.runTicks = 2;
  h.backend.blockedGracePolls = 1000;
  h.backend.stageFailures.set('dl1_to_dl2:1807', 1);
  const o1 = h.make();
  const job = await o1.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 3);
  o1.poller.stop();
  for (let i = 0; i < 4; i++) await h.backend.poll(['fake-1', 'fake-2', 'fake-3']); // the cluster carries on
  const o2 = h.make();
  await o2.start();
  const final = await o2.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.deepEqual(h.backend.submitted.map((s) => `${s.stage}#${s.attempt}`), ['dl1_to_dl2#1', 'dl2_to_dl3#1', 'dl3_index#1', 'dl1_to_dl2#2']);
  assert.deepEqual(h.backend.repointed.map((r) => [r.ref, r.index]), [['fake-2', 0]]);
  assert.equal(h.chat.sent(/SUMMARY/), 1);
  await o2.stop();
});

test('chain: a run whose DL2 exists skips the first stage and its DL3 task waits for nothing; the other run waits for its own task', async () => {
  const h = harness();
  h.backend.files.add(dl2(1807));
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'done', h.chat.text());
  const [s1, s2] = h.backend.submitted;
  assert.deepEqual(s1.tasks.map((t) => t.runId), [1808]);
  assert.deepEqual(s2.tasks.map((t) => t.runId), [1807, 1808]);
  assert.deepEqual(s2.taskDependsOn, [{ index: 1, on: [{ ref: 'fake-1', index: 0 }] }]);
  assert.ok(h.backend.files.has(dl3(1807)) && h.backend.files.has(dl3(1808)));
  void dl1;
  await o.stop();
});

test('stage_by_stage: each stage is submitted only after the previous one succeeded, with no dependencies', async () => {
  const h = harness({ pipeline: { submission: 'stage_by_stage' } });
  h.backend.runTicks = 2;
  const o = h.make();
  const job = await o.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 1);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(h.backend.submitted.length, 1, 'the next stage waits for this one');
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.ok(h.backend.submitted.every((s) => !s.dependsOn && !s.taskDependsOn));
  assert.equal(h.backend.submitted.length, 3);
  await o.stop();
});
