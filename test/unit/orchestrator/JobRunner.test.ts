/**
 * JobRunner's guarantees (issue 12) on the in-memory fakes; the same guarantees against the real bot process and the
 * real Slurm cluster are in test/integration/crashRecovery.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserFacingError } from '../../../src/core/errors.js';
import { FitsError } from '../../../src/fits/FitsError.js';
import { dl1, dl2, harness, params, request, runs, until } from '../../helpers/orchestratorHarness.js';

test('a task that failed while the bot was down, leaving a partial output, is redone after the restart, not skipped (stage by stage)', async () => {
  const h = harness({ pipeline: { submission: 'stage_by_stage' } });
  h.backend.runTicks = 3;
  h.backend.partialOnFailure = true;
  h.backend.failures.set(1808, 1);
  const o1 = h.make();
  const job = await o1.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 1);
  o1.poller.stop(); // the bot dies; the cluster carries on
  for (let i = 0; i < 6; i++) await h.backend.poll(['fake-1']);
  assert.ok(h.backend.files.has(dl2(1808)), 'the failed task left a file with the final name');
  const o2 = h.make();
  await o2.start();
  const final = await o2.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  const dl2Subs = h.backend.submitted.filter((s) => s.stage === 'dl1_to_dl2');
  assert.deepEqual(dl2Subs.map((s) => [s.attempt, s.tasks.map((t) => t.runId)]), [[1, [1807, 1808]], [2, [1808]]], 'run 1808 redone alone');
  assert.ok(h.backend.removed.includes(dl2(1808)), 'the partial output was removed before the retry');
  const recorded = h.store.submissions(job.id).find((s) => s.stage === 'dl1_to_dl2' && s.attempt === 1)!;
  assert.equal(recorded.state, 'failed', 'the outcome sacct gave while the bot was away is recorded');
  assert.equal(h.chat.sent(/🔁 dl1_to_dl2/), 1);
  assert.equal(h.chat.sent(/▶️ dl1_to_dl2/), 1);
  await o2.stop();
});

test('a restart while a stage runs: one ▶️, one "restarted" note, nothing submitted twice (stage by stage)', async () => {
  const h = harness({ pipeline: { submission: 'stage_by_stage' } });
  h.backend.runTicks = 5;
  const o1 = h.make();
  const job = await o1.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 1);
  await until(() => h.chat.sent(/▶️ dl1_to_dl2/) === 1);
  o1.poller.stop();
  const o2 = h.make();
  await o2.start();
  const final = await o2.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.equal(h.chat.sent(/▶️ dl1_to_dl2/), 1);
  assert.equal(h.chat.sent(/🔄 ASTRAN restarted: dl1_to_dl2/), 1);
  const keys = h.backend.submitted.map((s) => `${s.stage}#${s.attempt}`);
  assert.deepEqual(keys, ['dl1_to_dl2#1', 'dl2_to_dl3#1', 'dl3_index#1']);
  await o2.stop();
});

test('the bot stops while the summary is being posted: the next start delivers it once and only then is the job done', async () => {
  const h = harness();
  h.chat.hold = /SUMMARY/;
  const o1 = h.make();
  const job = await o1.launch(params, runs, request);
  await until(() => h.store.outboxItem(`${job.id}/final`) !== undefined);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.store.getJob(job.id)!.state, 'analysis', 'not done while the summary is undelivered');
  // Simulated SIGKILL: the first bot is gone mid-upload (its hung send never completes).
  o1.poller.stop();
  o1.deliverer.stop();
  h.chat.hold = null;
  const o2 = h.make();
  await o2.start();
  const final = await o2.waitFor(job.id);
  assert.equal(final.state, 'done');
  assert.equal(h.chat.sent(/SUMMARY 5\.5σ/), 1, 'exactly one summary');
  assert.equal(h.store.outboxItem(`${job.id}/final`)!.state, 'delivered');
  assert.equal(h.backend.submitted.length, 3, 'nothing redone');
  await o2.stop();
});

test('a summary the platform keeps refusing: retried, then the job ends and the admins channel is told', async () => {
  const h = harness({ bot: { delivery: { retry_initial_s: 0.01, retry_max_s: 0.02, patience_s: 0.1 }, admins: { adapter: 'rec', channel: 'C-ADMINS' } } });
  h.chat.failSends = /SUMMARY/;
  const o = h.make();
  const job = await o.launch(params, runs, request);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done');
  const item = h.store.outboxItem(`${job.id}/final`)!;
  assert.equal(item.state, 'failed');
  assert.ok(item.attempts >= 2, 'retried before giving up');
  assert.match(h.chat.posts.filter((p) => p.op === 'root').at(-1)!.text, new RegExp(`could not deliver the final message \\(result\\) of job ${job.id}`));
  await o.stop();
});

test('openThread fails (e.g. not_in_channel): the launch is refused with what to do, and the job never runs', async () => {
  const h = harness();
  h.chat.openThreadError = Object.assign(new Error('An API error occurred: not_in_channel'), { code: 'slack_webapi_platform_error' });
  const o = h.make();
  await assert.rejects(o.launch(params, runs, request), (e: unknown) => {
    assert.ok(e instanceof UserFacingError);
    assert.match(e.message, /could not post in this channel/);
    assert.match(e.hint!, /Invite me to the channel.*Error id: E-/);
    assert.doesNotMatch(`${e.message} ${e.hint}`, /not_in_channel|API error/);
    return true;
  });
  const [job] = h.store.listJobs();
  assert.equal(job.state, 'failed');
  await o.start(); // a restart does not run it either
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.backend.submitted.length, 0);
  await o.stop();
});

test('an outage longer than the patience: told once at the start, once when patience runs out, once when over', async () => {
  const h = harness({ pipeline: { outage_patience_s: 0.1 } });
  h.backend.runTicks = 2;
  const o = h.make();
  const job = await o.launch(params, runs, request);
  await until(() => h.backend.submitted.length >= 1);
  h.backend.down = true;
  await until(() => h.chat.sent(/longer than I am set to wait/) === 1);
  await new Promise((r) => setTimeout(r, 150));
  h.backend.down = false;
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.equal(h.chat.sent(/not answering/), 1);
  assert.equal(h.chat.sent(/longer than I am set to wait/), 1);
  assert.match(h.chat.text(), /`cancel` here/);
  assert.equal(h.chat.sent(/answers again/), 1);
  await o.stop();
});

test('an outage during the DL3 fetch and the submit is waited out, not reported as an internal error', async () => {
  const h = harness();
  let fetchOutages = 2;
  const realFetch = h.backend.fetch.bind(h.backend);
  h.backend.fetch = async (p: string[], dir: string) => {
    if (fetchOutages-- > 0) {
      h.backend.down = true;
      setTimeout(() => (h.backend.down = false), 30);
    }
    return realFetch(p, dir);
  };
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.doesNotMatch(h.chat.text(), /internal error/);
  await o.stop();
});

test('an unreadable DL3 file fails the job naming the file, the run, the HDU problem and what to do', async () => {
  const h = harness();
  h.setAnalysis(async () => {
    throw new FitsError('dl3_LST-1.Run01808.fits.gz', 'no HDU named EVENTS');
  });
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'failed');
  const said = h.chat.text();
  assert.match(said, /could not read its input: dl3_LST-1\.Run01808\.fits\.gz \(run 1808\): no HDU named EVENTS/);
  assert.match(said, /relaunch with force=yes to remake it, or leave that run out with `runs=`/);
  assert.match(said, /Error id: E-[0-9A-F]{6}/);
  assert.doesNotMatch(said, /internal error/);
  await o.stop();
});

test('cancel while the cluster is down: the job waits for the cluster to cancel its jobs (the whole chain), nothing is orphaned', async () => {
  const h = harness();
  h.backend.runTicks = 1000;
  const o = h.make();
  const job = await o.launch(params, runs, request);
  await until(() => h.backend.submitted.length === 3);
  h.backend.down = true;
  const cancel = o.cancel(h.store.getJob(job.id)!, { adapter: 'rec', userId: 'bob', displayName: 'bob' });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.backend.cancelled.length, 0);
  h.backend.down = false;
  await cancel;
  assert.deepEqual(h.backend.cancelled, ['fake-1', 'fake-2', 'fake-3'], 'every stage of the chain, each once');
  assert.equal(h.store.getJob(job.id)!.state, 'cancelled');
  await o.stop();
});

void dl1;

test('an unexpected analysis error still says what stopped and what to do, never just "internal error"', async () => {
  const h = harness();
  h.setAnalysis(async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  });
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'failed');
  const said = h.chat.text();
  assert.match(said, /The analysis of the 2 DL3 file\(s\) stopped on an unexpected problem/);
  assert.match(said, /relaunching without force=yes only redoes the analysis/);
  assert.doesNotMatch(said, /Cannot read properties|internal error stopped/);
  await o.stop();
});
