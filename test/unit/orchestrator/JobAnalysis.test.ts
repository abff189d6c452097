/**
 * The analysis made while the last stage (the night's index) runs (JobAnalysis.ts): used when its DL3 files did not
 * change, redone when they did, never shown for a job whose last stage failed. The fake cluster copies files the way
 * SlurmBackend.fetch does (a copy is reused while it matches, downloaded again when the remote file changed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AnalysisStep } from '../../../src/orchestrator/JobAnalysis.js';
import { harness, params, request, runs, until } from '../../helpers/orchestratorHarness.js';

/** A harness whose DL3 files have contents (a version per remote path) and are copied into the job's cache. */
function world(pipeline: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'astran-ahead-'));
  const h = harness({ pipeline }, { resultsDir: join(root, 'results'), cacheDir: join(root, 'cache') });
  const version = new Map<string, number>();
  const fetches: string[][] = [];
  h.backend.fetch = async (paths: string[], dir: string) => {
    fetches.push(paths);
    mkdirSync(dir, { recursive: true });
    return paths.map((p) => {
      const local = join(dir, basename(p));
      const content = `${p} v${version.get(p) ?? 1}`;
      // Reused while it matches the cluster's file; replaced (a new file) when the cluster's file changed.
      if (!existsSync(local) || readFileSync(local, 'utf8') !== content) {
        rmSync(local, { force: true });
        writeFileSync(local, content);
      }
      return local;
    });
  };
  const calls: { files: string[]; outDir: string; contents: string[] }[] = [];
  const step: AnalysisStep = async (_job, _source, files, outDir) => {
    const n = calls.push({ files, outDir, contents: files.map((f) => readFileSync(f, 'utf8')) });
    writeFileSync(join(outDir, 'results.json'), JSON.stringify({ analysis: n }));
    writeFileSync(join(outDir, 'theta2.png'), `png ${n}`);
    return { summary: { analysis: n, outDir }, message: { text: `SUMMARY analysis ${n}` } };
  };
  h.setAnalysis(step);
  return { h, root, version, fetches, calls, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

for (const submission of ['chain', 'stage_by_stage'] as const) {
  test(`${submission}: the analysis runs while the index stage runs and its result is the job's, moved into the results folder`, async () => {
    const w = world({ submission });
    w.h.backend.runTicks = 3;
    const o = w.h.make();
    try {
      const job = await o.launch(params, runs, request);
      // Made ahead: before the index stage has ended.
      await until(() => w.calls.length === 1);
      assert.notEqual(w.h.store.submissions(job.id).find((s) => s.stage === 'dl3_index')?.state, 'completed', 'analysed while the index still ran');
      assert.equal(w.calls[0]!.files.length, 2);
      assert.match(w.calls[0]!.contents.join(' '), /Run01807\.fits\.gz v1.*Run01808\.fits\.gz v1/);
      const final = await o.waitFor(job.id);
      assert.equal(final.state, 'done', w.h.chat.text());
      assert.equal(w.calls.length, 1, 'not analysed twice');
      assert.equal(w.h.chat.sent(/SUMMARY analysis 1/), 1);
      const outDir = join(w.root, 'results', job.id);
      assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')).analysis, 1);
      assert.equal(readFileSync(join(outDir, 'theta2.png'), 'utf8'), 'png 1');
      assert.equal((final.result as { outDir: string }).outDir, outDir, 'the stored result names the results folder, not the staging one');
      assert.equal(existsSync(join(w.root, 'cache', job.id, 'analysis-ahead')), false, 'staging folder gone');
      assert.equal(w.h.store.events(job.id).filter((e) => e.kind === 'analysis_ahead').length, 1);
      // The final check still asked the cluster for every DL3 file after the index was done.
      assert.deepEqual(w.fetches.at(-1)!.map((p) => basename(p)), ['dl3_LST-1.Run01807.fits.gz', 'dl3_LST-1.Run01808.fits.gz']);
    } finally {
      await o.stop();
      w.cleanup();
    }
  });
}

test('a DL3 file that changed on the cluster after the early analysis: analysed again, and that result is the one posted', async () => {
  const w = world();
  w.h.backend.runTicks = 3;
  const first = join('/d/DL3/20231207', 'dl3_LST-1.Run01807.fits.gz');
  const o = w.h.make();
  try {
    const job = await o.launch(params, runs, request);
    await until(() => w.calls.length === 1);
    w.version.set(first, 2); // e.g. rewritten by hand on the cluster while the index ran
    const final = await o.waitFor(job.id);
    assert.equal(final.state, 'done', w.h.chat.text());
    assert.equal(w.calls.length, 2, 'analysed again');
    assert.match(w.calls[1]!.contents[0]!, /v2$/);
    assert.equal(w.h.chat.sent(/SUMMARY analysis 2/), 1);
    assert.equal(w.h.chat.sent(/SUMMARY analysis 1/), 0, 'the stale result is never posted');
    assert.equal(JSON.parse(readFileSync(join(w.root, 'results', job.id, 'results.json'), 'utf8')).analysis, 2);
    assert.equal(w.h.store.events(job.id).filter((e) => e.kind === 'analysis_ahead').length, 0);
  } finally {
    await o.stop();
    w.cleanup();
  }
});

test('the index stage fails for good: the early result is discarded, never posted, and the job reports the failure', async () => {
  const w = world();
  w.h.backend.runTicks = 3;
  w.h.backend.stageFailures.set('dl3_index:1807', 5);
  const o = w.h.make();
  try {
    const job = await o.launch(params, runs, request);
    const final = await o.waitFor(job.id);
    assert.equal(final.state, 'failed');
    assert.equal(w.calls.length, 1, 'the analysis had been made ahead');
    assert.equal(w.h.chat.sent(/SUMMARY/), 0);
    assert.match(w.h.chat.text(), /dl3_index/);
    assert.equal(existsSync(join(w.root, 'cache', job.id, 'analysis-ahead')), false, 'staging folder removed');
    assert.equal(existsSync(join(w.root, 'results', job.id, 'results.json')), false, 'no results folder content for a failed job');
  } finally {
    await o.stop();
    w.cleanup();
  }
});

test('an early analysis that fails costs nothing: the analysis at the end runs and its result is posted', async () => {
  const w = world();
  w.h.backend.runTicks = 3;
  let n = 0;
  w.h.setAnalysis(async (_job, _source, files, outDir) => {
    if (++n === 1) throw new Error('out of memory, say');
    writeFileSync(join(outDir, 'results.json'), '{}');
    return { summary: { files: files.length, outDir }, message: { text: 'SUMMARY at the end' } };
  });
  const o = w.h.make();
  try {
    const job = await o.launch(params, runs, request);
    const final = await o.waitFor(job.id);
    assert.equal(final.state, 'done', w.h.chat.text());
    assert.equal(n, 2);
    assert.equal(w.h.chat.sent(/SUMMARY at the end/), 1);
  } finally {
    await o.stop();
    w.cleanup();
  }
});

test('a pipeline whose last stage writes the DL3 files: nothing is analysed before it is done', async () => {
  const w = world({
    stages: [
      { name: 'dl1_to_dl2', per: 'run', inputs: ['{dl1}'], outputs: ['{dl2}'], command: ['t12', '{dl1}'] },
      { name: 'dl2_to_dl3', per: 'run', inputs: ['{dl2}'], outputs: ['{dl3}'], command: ['t23', '{dl2}'] },
    ],
  });
  w.h.backend.runTicks = 3;
  const o = w.h.make();
  try {
    const job = await o.launch(params, runs, request);
    const final = await o.waitFor(job.id);
    assert.equal(final.state, 'done', w.h.chat.text());
    assert.equal(w.calls.length, 1);
    assert.equal(w.h.store.events(job.id).filter((e) => e.kind === 'analysis_ahead').length, 0);
  } finally {
    await o.stop();
    w.cleanup();
  }
});
