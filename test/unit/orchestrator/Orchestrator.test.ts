import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dl1, harness, params, request, runs } from '../../helpers/orchestratorHarness.js';
import { clusterJobKey } from '../../../src/orchestrator/clusterJobKey.js';

test('full pipeline: stages in order, one array per stage, analysis on the DL3 files, summary with images', async () => {
  const h = harness();
  const o = h.make();
  const job = await o.launch(params, runs, request);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.deepEqual(h.backend.submitted.map((s) => `${s.stage}:${s.tasks.length}`), ['dl1_to_dl2:2', 'dl2_to_dl3:2', 'dl3_index:1']);
  assert.deepEqual(h.analysed, [['/d/DL3/20231207/dl3_LST-1.Run01807.fits.gz', '/d/DL3/20231207/dl3_LST-1.Run01808.fits.gz']]);
  const last = h.chat.posts.filter((p) => p.op === 'send').at(-1)!;
  assert.equal(last.text, 'SUMMARY 5.5σ');
  assert.equal(last.files, 1);
  assert.ok(h.chat.posts.some((p) => p.op === 'edit'), 'progress edited in place');
  assert.match(o.describe(final), /done in .*5\.5σ/);
  await o.stop();
});

test('DL3 already there: nothing is submitted, only the analysis runs', async () => {
  const h = harness({ dl1: false });
  for (const r of runs) h.backend.files.add(`/d/DL3/20231207/dl3_LST-1.Run0${r.runId}.fits.gz`);
  h.backend.files.add('/d/DL3/20231207/obs-index.fits.gz');
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'done');
  assert.equal(h.backend.submitted.length, 0);
  assert.equal(h.analysed.length, 1);
  await o.stop();
});

test('a task that fails once is retried alone after its partial outputs are removed', async () => {
  const h = harness();
  h.backend.failures.set(1808, 1);
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'done', h.chat.text());
  const s12 = h.backend.submitted.filter((s) => s.stage === 'dl1_to_dl2');
  assert.deepEqual(s12.map((s) => [s.attempt, s.tasks.map((t) => `${t.index}:${t.runId}`)]), [[1, ['0:1807', '1:1808']], [2, ['0:1808']]]);
  assert.deepEqual(h.backend.removed, ['/d/DL2/20231207/dl2_LST-1.Run01808.h5']);
  assert.match(h.chat.text(), /retrying \(attempt 2\/2\)/);
  await o.stop();
});

test('a task that always fails fails the job with a sanitised log tail, an error id and what to do', async () => {
  const h = harness();
  h.backend.failures.set(1808, 99);
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'failed');
  assert.match(final.error!.id, /^E-[0-9A-F]{6}$/);
  const msg = h.chat.posts.filter((p) => p.op === 'send').at(-1)!.text;
  assert.match(msg, /Stage dl1_to_dl2 failed for run\(s\) 1808: exit code 3 \(after 2 attempts\)/);
  assert.match(msg, /OSError: Unable to open file/);
  assert.doesNotMatch(msg, /\/fefs\/onsite/, 'paths are shortened in chat');
  assert.match(msg, /What to do: .*force=yes/);
  assert.ok(msg.includes(final.error!.id));
  await o.stop();
});

test('restart mid-run (process killed): the new orchestrator resumes and submits nothing twice', async () => {
  const h = harness();
  h.backend.runTicks = 3;
  const o1 = h.make();
  const job = await o1.launch(params, runs, request);
  while (!h.backend.submitted.length) await new Promise((r) => setTimeout(r, 10));
  // Simulate SIGKILL: the first orchestrator simply stops polling and is forgotten, its state stays in the store.
  o1.poller.stop();
  const o2 = h.make();
  await o2.start();
  const final = await o2.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  const keys = h.backend.submitted.map((s) => `${s.stage}#${s.attempt}`);
  assert.deepEqual(keys, [...new Set(keys)], 'no stage attempt submitted twice');
  assert.equal(keys.filter((k) => k.startsWith('dl1_to_dl2')).length, 1);
  await o2.stop();
});

test('restart after the submission was recorded but before its id was: found by name, not resubmitted', async () => {
  const h = harness();
  const o = h.make();
  const job = h.store.createJob({ params: { ...params, runNights: { '1807': '20231207', '1808': '20231207' } }, requester: request.identity, runIds: [1807, 1808], thread: { adapter: 'rec', key: 'tX' } });
  const ref = await h.backend.submit({ jobId: clusterJobKey(h.store, job.id), stage: 'dl1_to_dl2', attempt: 1, tasks: [
    { index: 0, runId: 1807, argv: ['t12'], inputs: [], outputs: ['/d/DL2/20231207/dl2_LST-1.Run01807.h5'] },
    { index: 1, runId: 1808, argv: ['t12'], inputs: [], outputs: ['/d/DL2/20231207/dl2_LST-1.Run01808.h5'] },
  ] });
  h.store.putSubmission({ jobId: job.id, stage: 'dl1_to_dl2', attempt: 1, backendRef: null, state: 'submitting', detail: { tasks: [{ index: 0, runId: 1807, runIds: [1807], outputs: [] }, { index: 1, runId: 1808, runIds: [1808], outputs: [] }] } });
  await o.start();
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.equal(h.backend.submitted.filter((s) => s.stage === 'dl1_to_dl2').length, 1);
  assert.equal(h.store.submissions(job.id).find((s) => s.stage === 'dl1_to_dl2')!.backendRef, ref);
  await o.stop();
});

test('cancel mid-run cancels the cluster jobs and says so in the thread', async () => {
  const h = harness();
  h.backend.runTicks = 1000;
  const o = h.make();
  const job = await o.launch(params, runs, request);
  while (h.backend.submitted.length < 3) await new Promise((r) => setTimeout(r, 10));
  await o.cancel(h.store.getJob(job.id)!, { adapter: 'rec', userId: 'bob', displayName: 'bob' });
  const final = h.store.getJob(job.id)!;
  assert.equal(final.state, 'cancelled');
  assert.deepEqual(h.backend.cancelled, ['fake-1', 'fake-2', 'fake-3'], 'the whole chain (pipeline.submission: chain)');
  assert.match(h.chat.text(), /cancelled by bob\. Its cluster jobs were cancelled/);
  await o.stop();
});

test('waiting for DL1: reports x/y present, proceeds when the file appears', async () => {
  const h = harness({ dl1: false, pipeline: { dl1_wait: { interval_s: 0.05, deadline_s: 3600, on_deadline: 'fail' } } });
  h.setAnalysis(async () => ({ summary: {}, message: { text: 'ok' } }));
  h.backend.files.add(dl1(1807));
  const o = h.make();
  const job = await o.launch(params, runs, request);
  while (h.store.getJob(job.id)!.state !== 'waiting_inputs') await new Promise((r) => setTimeout(r, 10));
  assert.match(h.chat.text(), /Waiting for DL1: 1 of 2 runs ready, 1 not there yet \(run 1808\)\. I check every 0\.05s and wait until \d\d:\d\d UTC/);
  h.backend.files.add(dl1(1808));
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.match(h.chat.text(), /DL1 complete for all 2 runs/);
  await o.stop();
});

test('DL1 deadline with on_deadline=proceed drops the missing run and says which', async () => {
  const h = harness({ dl1: false });
  h.backend.files.add(dl1(1807));
  const o = h.make();
  const final = await o.waitFor((await o.launch(params, runs, request)).id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.deepEqual(final.runIds, [1807]);
  assert.match(h.chat.text(), /DL1 still missing or incomplete for run\(s\) 1808 at the deadline: proceeding with the 1 run\(s\) ready/);
  await o.stop();
});

test('an unreachable cluster pauses the job: told once when it starts and once when it is over, never failed', async () => {
  const h = harness();
  const o = h.make();
  const job = await o.launch(params, runs, request);
  while (h.backend.submitted.length < 1) await new Promise((r) => setTimeout(r, 5));
  h.backend.down = true; // while the first stage is being watched
  const before = h.backend.polls;
  while (h.backend.polls < before + 5) await new Promise((r) => setTimeout(r, 10));
  assert.match(o.describe(h.store.getJob(job.id)!), /paused: the cluster has not answered since/);
  h.backend.down = false;
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done');
  const warnings = h.chat.posts.filter((p) => /not answering/.test(p.text));
  assert.equal(warnings.length, 1);
  assert.equal(h.chat.posts.filter((p) => /answers again/.test(p.text)).length, 1);
  assert.equal(h.backend.submitted.filter((s) => s.stage === 'dl1_to_dl2').length, 1, 'nothing submitted twice');
  assert.doesNotMatch(h.chat.text(), /cluster\.example\.org|ECONNREFUSED/);
  await o.stop();
});

test('dry run posts the plan and submits nothing', async () => {
  const h = harness();
  const o = h.make();
  const final = await o.waitFor((await o.launch({ ...params, dry_run: true }, runs, request)).id);
  assert.equal(final.state, 'done');
  assert.equal(h.backend.submitted.length, 0);
  assert.match(h.chat.text(), /Dry run: nothing was submitted[\s\S]*dl1_to_dl2: 2 task\(s\)/);
  await o.stop();
});

test('a submission the backend forgets is reported lost after a bounded number of polls, not watched forever', async () => {
  const h = harness();
  const realPoll = h.backend.poll.bind(h.backend);
  h.backend.poll = async (refs: string[]) => {
    const m = await realPoll(refs);
    m.delete('fake-1'); // e.g. the local backend's workdir was wiped
    return m;
  };
  const o = h.make();
  const final = await o.waitFor((await o.launch({ ...params }, runs, request)).id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.match(h.chat.text(), /the cluster lost track of this job/);
  assert.equal(h.backend.submitted.filter((s) => s.stage === 'dl1_to_dl2').length, 2, 'lost attempt retried once');
  await o.stop();
});

test('cluster job names carry the store id: a new database never mistakes an old job for its own', async () => {
  const h = harness();
  // A job of an earlier database, same ASTRAN id A-0001, still known to the cluster.
  await h.backend.submit({ jobId: 'A-0001', stage: 'dl1_to_dl2', attempt: 1, tasks: [] });
  const o = h.make();
  const job = await o.launch(params, runs, request);
  assert.equal(job.id, 'A-0001');
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  const mine = h.backend.submitted.filter((s) => s.jobId !== 'A-0001');
  assert.equal(mine.length, 3, 'all three stages submitted under the new key');
  assert.match(mine[0].jobId, /^[0-9a-f]{6}_A-0001$/);
  await o.stop();
});

test('the same request launched again (a redelivery, a mail handled again after a crash) finds its job: one job, one thread', async () => {
  const h = harness();
  const o = h.make();
  const first = await o.launch(params, runs, request);
  const again = await o.launch(params, runs, request);
  assert.equal(again.id, first.id);
  assert.equal(h.store.listJobs().length, 1);
  assert.equal(h.chat.posts.filter((p) => p.op === 'root').length, 1, 'one thread root');
  await o.waitFor(first.id);
  await o.stop();
});

test('a crash between recording the job and opening its thread: the request handled again opens the thread, no second job', async () => {
  const h = harness();
  // What a killed bot left: the job recorded with its request, no thread yet.
  const orphan = h.store.createJob({ params, requester: request.identity, runIds: [1807, 1808], requestKey: `rec:${request.id}` });
  const o = h.make();
  const job = await o.launch(params, runs, request);
  assert.equal(job.id, orphan.id);
  assert.ok(job.thread, 'the thread is opened now');
  assert.equal(h.store.listJobs().length, 1);
  assert.equal((await o.waitFor(job.id)).state, 'done');
  await o.stop();
});
